"""Pure-Python core: money, rule sets, share allocation, validation problems.

Nothing here imports Qt or SQLAlchemy; a test in tests/test_rings.py enforces it.
"""

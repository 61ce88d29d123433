"""Printed reports as use cases: permission, reading each report's data, then the PDF renderer.

Builders fill the plain records of :mod:`tresxuno.reports.data`; :mod:`.run` checks, builds and
draws. Kept empty, so :mod:`.kinds` loads without SQLAlchemy or reportlab (the CLI names the kinds).
"""

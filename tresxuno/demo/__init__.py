"""Demo data for training, screenshots and load tests: ``tresxuno demo`` and the first-run dialog.

Outside :mod:`tresxuno.services` because it is not a user action: it writes whole tables at once
through the services' rules (:func:`~tresxuno.demo.projects.generate_demo` is the entry point).
"""

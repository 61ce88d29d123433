"""Renderers and writers: plain data in, bytes out (PDF, CSV, XLSX, journals, terminal text).

No SQL, no services, no permission checks, no PySide6: :mod:`tresxuno.services` reads the data
and decides who may print; this ring only draws and writes it.
"""

"""Reusable widgets of the desktop app (display text comes from :mod:`tresxuno.formatting`)."""

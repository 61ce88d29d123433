"""Use cases, one function per user action; each owns one transaction and returns plain data."""

"""PDF renderers (reportlab): each takes a report's plain data and draws it; no database, no Qt.

Shared pieces for every report: :mod:`.fonts` (embedded DejaVu), :mod:`.fmt` (labels, amounts,
dates), :mod:`.page` (letterhead, "Page N of M" footer, atomic output), :mod:`.flow` (tables that
never cut a column, signature blocks, the document builder) and :mod:`.ledger_table` (a long table
drawn straight on the canvas).
"""

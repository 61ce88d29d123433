"""The main window's pages (projects now; home, clubs, COVAM sessions, ledger, reports and rules next)."""

"""Entry point of the desktop bundle: the ``tresxuno`` command (the GUI unless a command is given)."""

import os
import sys

from tresxuno.cli import main

if __name__ == "__main__":
    # A windowed Windows program has no console: sys.stdout and sys.stderr are None, and the first
    # message written (a database that cannot be opened) would crash instead of being shown.
    if sys.stdout is None or sys.stderr is None:
        sink = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
        sys.stdout = sys.stdout or sink
        sys.stderr = sys.stderr or sink
    sys.exit(main())

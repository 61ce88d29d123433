"""Entry point of the desktop bundle: the ``tresxuno`` command (the GUI unless a command is given)."""

import sys

from tresxuno.cli import main

if __name__ == "__main__":
    sys.exit(main())

"""``python -m tresxuno``: the same as the ``tresxuno`` command."""

import sys

from tresxuno.cli import main

sys.exit(main())

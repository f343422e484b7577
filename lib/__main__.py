"""``python -m lib``: the command line (see lib/cli.py)."""

import sys

from .cli import main

sys.exit(main())

"""``python -m allocatie``: the same command line as ``allocatie``."""

import sys

from allocatie.cli import main

sys.exit(main())

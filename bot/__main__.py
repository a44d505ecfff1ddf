"""``python -m bot`` is the ``snowbot`` command."""

import sys

from bot.cli import main

sys.exit(main())

"""``python -m bot.demo record``: re-record the transcripts under ``docs/demo``."""

import sys

from bot.demo.record import main

sys.exit(main())

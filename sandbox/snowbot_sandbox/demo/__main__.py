"""``python -m snowbot_sandbox.demo record``: re-record the transcripts under ``docs/demo``."""

import sys

from snowbot_sandbox.demo.record import main

sys.exit(main())

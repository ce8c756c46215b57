"""``python -m assessor_tui`` is the ``assessor`` command."""

import sys

from assessor_tui.cli import main

sys.exit(main())

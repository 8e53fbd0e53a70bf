"""``python -m scrubber`` is the ``scrubber`` command."""

import sys

from .cli import main

sys.exit(main())

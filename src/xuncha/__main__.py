"""``python -m xuncha`` is the ``xuncha`` command (used to start the job worker)."""

import sys

from .cli import main

sys.exit(main())

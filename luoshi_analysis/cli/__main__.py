"""Run the `luoshi` command: python -m luoshi_analysis.cli."""

import sys

from luoshi_analysis.cli import main

sys.exit(main())

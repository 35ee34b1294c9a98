"""`python -m qzanalysis.tools.render --year 2021 ...` — the same as `qz render`."""

import sys

from qzanalysis.tools.render.command import main

sys.exit(main())

"""`python -m qzanalysis.render --year 2021 ...` — the same as `qz render`."""

import sys

from qzanalysis.render.command import main

sys.exit(main())

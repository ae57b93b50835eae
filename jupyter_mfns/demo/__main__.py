"""``python -m jupyter_mfns.demo [DIR]``: build (or reuse) the demo Metaflow store in DIR."""

import sys

from .build import main

sys.exit(main())

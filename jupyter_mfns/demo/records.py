"""Record types used by the demo flows' artifacts.

They live in an importable module (not in a flow script) so that a pickled list of them can be
loaded back by any client that has ``jupyter_mfns`` installed.
"""

from __future__ import annotations

from collections import namedtuple

#: One scored customer, as produced by ``ShowcaseFlow`` ("list of namedtuples" artifact).
Prediction = namedtuple("Prediction", ["customer_id", "score", "label"])

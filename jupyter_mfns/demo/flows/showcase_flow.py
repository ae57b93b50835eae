"""ShowcaseFlow: one task holding every artifact shape a results browser must handle, and one
task with a long stdout and some stderr.

Part of the jupyter_mfns demo store. The artifact names per kind are recorded in the demo story
(``DemoStory.artifacts``); keep this file and ``jupyter_mfns.demo.build.ARTIFACT_KINDS`` in sync.
"""

import sys

from metaflow import FlowSpec, Parameter, step

STDOUT_LINES = 3000
STDERR_LINES = 25


class Opaque:
    """A class defined in the flow script: its pickles name ``__main__.Opaque``, so clients
    outside this script cannot unpickle them (a realistic "cannot load" artifact)."""

    def __init__(self, value):
        self.value = value


class ShowcaseFlow(FlowSpec):
    """Artifacts of many kinds, plus a chatty task."""

    rows = Parameter("rows", default=200, type=int, help="Rows of the small tables.")

    @step
    def start(self):
        """Nothing to prepare."""
        self.next(self.make_artifacts)

    @step
    def make_artifacts(self):
        """Store one artifact per kind (see ARTIFACT_KINDS in jupyter_mfns.demo.build)."""
        import numpy as np
        import pandas as pd

        from jupyter_mfns.demo.records import Prediction

        n = self.rows
        ids = list(range(1, n + 1))
        scores = [round(((i * 7919) % 1000) / 1000.0, 3) for i in ids]
        labels = ["yes" if s >= 0.5 else "no" for s in scores]

        self.predictions_df = pd.DataFrame({"customer_id": ids, "score": scores, "label": labels})
        self.scores_series = pd.Series(scores, index=ids, name="score")
        self.columns = {"customer_id": ids, "score": scores, "label": labels}
        self.records = [
            {"customer_id": i, "score": s, "label": lab} for i, s, lab in zip(ids, scores, labels)
        ]
        self.prediction_tuples = [Prediction(i, s, lab) for i, s, lab in zip(ids, scores, labels)]
        self.vector = np.arange(n, dtype="float64") / n
        self.matrix = np.arange(n * 3, dtype="int64").reshape(n, 3)
        self.big_df = pd.DataFrame(
            {
                "row": np.arange(50_000),
                "value": np.linspace(0.0, 1.0, 50_000),
                "bucket": np.arange(50_000) % 17,
            }
        )
        self.n_rows = n
        self.auc = 0.8125
        self.model_name = "linear"
        self.is_champion = True
        self.nothing = None
        self.config = {
            "model": {"name": "linear", "params": {"alpha": 0.1, "fit_intercept": True}},
            "thresholds": [0.25, 0.5, 0.75],
            "owner": ("anne", "will"),
            "notes": None,
        }
        self.label_set = {"yes", "no", "maybe"}
        self.opaque_objects = [Opaque(i) for i in range(3)]

        try:
            import polars as pl
        except ImportError:
            print("polars not importable: no polars artifact")
        else:
            self.predictions_pl = pl.DataFrame({"customer_id": ids, "score": scores})
        try:
            import pyarrow as pa
        except ImportError:
            print("pyarrow not importable: no pyarrow artifact")
        else:
            self.predictions_arrow = pa.table({"customer_id": ids, "label": labels})
        self.next(self.talk)

    @step
    def talk(self):
        """Write many numbered stdout lines and a few stderr lines."""
        for i in range(1, STDOUT_LINES + 1):
            print(f"line {i:04d} of {STDOUT_LINES}: the quick brown fox jumps over the lazy dog")
        for i in range(1, STDERR_LINES + 1):
            print(f"warning {i:02d}: this is a demo stderr line", file=sys.stderr)
        self.stdout_lines = STDOUT_LINES
        self.stderr_lines = STDERR_LINES
        self.next(self.end)

    @step
    def end(self):
        """Done."""
        print("showcase done")


if __name__ == "__main__":
    ShowcaseFlow()

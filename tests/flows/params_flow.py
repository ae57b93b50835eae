"""ParamsFlow: a parameter of every type Metaflow offers, a foreach, a static split and a join,
and a step that fails on request (for the results tests: parameters, DAG, tasks, failures).

``--fail_in train`` makes each foreach task raise; ``MFNS_PARAMS_FIXED=1`` in the environment
is the "fix", so resuming such a run re-executes the failed steps and succeeds.
"""

import os

from metaflow import FlowSpec, IncludeFile, JSONType, Parameter, step

FIX_ENV = "MFNS_PARAMS_FIXED"


class ParamsFlow(FlowSpec):
    """Parameters of every kind, fanned out over a small foreach."""

    alpha = Parameter("alpha", default=0.5, type=float, help="A float (NaN and inf allowed).")
    epochs = Parameter("epochs", default=3, type=int, help="An int.")
    shuffle = Parameter("shuffle", default=True, type=bool, help="A bool.")
    label = Parameter("label", default="plain", help="A str (unicode and quotes welcome).")
    config = Parameter("config", default='{"depth": 2, "tags": ["a", "b"]}', type=JSONType)
    notes = IncludeFile("notes", default=None, is_text=True, help="A text file's content.")
    seed = Parameter("seed", default=7, help="Given only by its default.")
    fail_in = Parameter("fail_in", default="", help="A step that raises (tests).")

    @step
    def start(self):
        """Fan out over a few items."""
        self.items = list(range(self.epochs))
        self.next(self.train, foreach="items")

    @step
    def train(self):
        """One item."""
        if self.fail_in == "train" and not os.environ.get(FIX_ENV):
            print("about to fail in train")
            raise ValueError(f"train failed on purpose for item {self.input} ('quoted')")
        self.score = self.alpha * self.input
        self.next(self.join)

    @step
    def join(self, inputs):
        """Keep the best score."""
        self.best = max(i.score for i in inputs)
        self.next(self.fork)

    @step
    def fork(self):
        """A static split."""
        self.next(self.branch_a, self.branch_b)

    @step
    def branch_a(self):
        """One side of a static split."""
        self.side = "a"
        self.next(self.merge)

    @step
    def branch_b(self):
        """The other side."""
        if self.fail_in == "branch_b" and not os.environ.get(FIX_ENV):
            raise RuntimeError("branch_b failed on purpose")
        self.side = "b"
        self.next(self.merge)

    @step
    def merge(self, inputs):
        """Join the static split."""
        self.sides = sorted(i.side for i in inputs)
        self.merge_artifacts(inputs, include=["best"])
        self.next(self.end)

    @step
    def end(self):
        """Done."""
        print("done", self.best, self.sides)


if __name__ == "__main__":
    ParamsFlow()

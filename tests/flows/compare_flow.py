"""CompareFlow: runs that differ in known ways, for the comparison tests.

`items` decides the foreach (its order too), `scale` the `start` DataFrame's values, `extra`
adds a column to it; `start` has a default card, so two runs' cards can sit side by side.
"""

import pandas as pd
from metaflow import FlowSpec, JSONType, Parameter, card, step


class CompareFlow(FlowSpec):
    """A DataFrame, a foreach and a join, shaped by three parameters."""

    items = Parameter("items", type=JSONType, default="[1, 2, 3]", help="The foreach's items.")
    scale = Parameter("scale", default=2, type=int, help="Multiplies the table's values.")
    extra = Parameter("extra", default=False, type=bool, help="Adds a column to the table.")

    @card
    @step
    def start(self):
        """A table, and the foreach's items."""
        self.values = list(self.items)
        self.table = pd.DataFrame(
            {"item": self.values, "scaled": [v * self.scale for v in self.values]}
        )
        if self.extra:
            self.table["extra"] = 1.0
        self.label = f"scale {self.scale}"
        self.next(self.square, foreach="values")

    @step
    def square(self):
        """One item, squared."""
        self.value = self.input
        self.squared = self.input**2
        self.next(self.join)

    @step
    def join(self, inputs):
        """The squares in the order the items came."""
        self.squares = [i.squared for i in inputs]
        self.total = sum(self.squares)
        self.next(self.end)

    @step
    def end(self):
        """Done."""
        print("total", self.total)


if __name__ == "__main__":
    CompareFlow()

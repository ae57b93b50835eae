"""A tiny real flow for core tests: two steps, a DataFrame and a few printed lines."""

from metaflow import FlowSpec, Parameter, step


class TinyFlow(FlowSpec):
    fail = Parameter("fail", default=False, type=bool)

    @step
    def start(self):
        import pandas as pd

        self.frame = pd.DataFrame({"x": [1, 2, 3]})
        for i in range(5):
            print(f"tiny line {i}")
        self.next(self.end)

    @step
    def end(self):
        if self.fail:
            raise RuntimeError("asked to fail")
        self.total = int(self.frame["x"].sum())


if __name__ == "__main__":
    TinyFlow()

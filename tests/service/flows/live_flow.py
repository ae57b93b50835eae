"""LiveFlow: TalkFlow under another name, for runs made while tests watch (other tests stay put)."""

import sys

from metaflow import FlowSpec, Parameter, step


class LiveFlow(FlowSpec):
    lines = Parameter("lines", default=3000, type=int, help="stdout lines of the talk step")

    @step
    def start(self):
        import pandas as pd

        self.frame = pd.DataFrame({"x": list(range(50)), "y": [i * i for i in range(50)]})
        for i in range(1, self.lines + 1):
            print(f"line {i:05d}: the quick brown fox jumps over the lazy dog")
        for i in range(1, 21):
            print(f"warning {i:02d}", file=sys.stderr)
        self.next(self.end)

    @step
    def end(self):
        self.total = int(self.frame["y"].sum())
        print(f"total {self.total}")


if __name__ == "__main__":
    LiveFlow()

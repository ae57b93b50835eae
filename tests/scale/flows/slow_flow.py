"""A real flow that takes a few seconds, so tests can watch a run while Metaflow writes it."""

import time

from metaflow import FlowSpec, Parameter, step


class SlowFlow(FlowSpec):
    seconds = Parameter("seconds", default=4.0, type=float)

    @step
    def start(self):
        time.sleep(self.seconds)
        self.next(self.end)

    @step
    def end(self):
        self.done = True


if __name__ == "__main__":
    SlowFlow()

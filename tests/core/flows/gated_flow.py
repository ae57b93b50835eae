"""A real flow that stays running until a file appears: its start step waits for `--gate`."""

import os
import time

from metaflow import FlowSpec, Parameter, step


class GatedFlow(FlowSpec):
    gate = Parameter("gate", default="", help="the run goes on once this file exists")

    @step
    def start(self):
        deadline = time.time() + 600
        while self.gate and not os.path.exists(self.gate) and time.time() < deadline:
            time.sleep(0.05)
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    GatedFlow()

"""GatedFlow: a run that stays running until the test creates the file named by MFNS_GATE."""

import os
import time

from metaflow import FlowSpec, step


class GatedFlow(FlowSpec):
    """start -> wait (until the gate file exists, at most 120 s) -> end."""

    @step
    def start(self):
        self.next(self.wait)

    @step
    def wait(self):
        gate = os.environ["MFNS_GATE"]
        print("waiting for the gate", flush=True)
        deadline = time.time() + 120
        while not os.path.exists(gate) and time.time() < deadline:
            time.sleep(0.1)
        print("released", flush=True)
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    GatedFlow()

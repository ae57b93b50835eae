"""LiveCardFlow: a card updated with `current.card.refresh()` while its task runs.

The `start` task shows "tick N" and a progress bar in a blank card (id `live`). It moves to the
next tick when the test creates the file `<MFNS_GATE>/<N+1>`, and ends when `<MFNS_GATE>/done`
exists (or after 120 s), refreshing the card all along (Metaflow sends at most one update per
`refresh_interval`).
"""

import os
import time

from metaflow import FlowSpec, card, current, step
from metaflow.cards import Markdown, ProgressBar

TICKS = 3


class LiveCardFlow(FlowSpec):
    @card(type="blank", id="live", refresh_interval=1)
    @step
    def start(self):
        gate = os.environ["MFNS_GATE"]
        live = current.card["live"]
        text = Markdown("# tick 0")
        bar = ProgressBar(max=TICKS, label="ticks")
        live.append(text)
        live.append(bar)
        live.refresh()
        tick, deadline = 0, time.time() + 120
        while not os.path.exists(os.path.join(gate, "done")) and time.time() < deadline:
            if tick < TICKS and os.path.exists(os.path.join(gate, str(tick + 1))):
                tick += 1
                text.update(f"# tick {tick}")
                bar.update(tick)
            live.refresh()
            time.sleep(0.2)
        self.ticks = tick
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    LiveCardFlow()

"""CardFlow: the kinds of cards a results browser meets, made by Metaflow's own card types.

- start: the default card (`@card`);
- report: two cards on one task, the default one and a blank card with an id (`summary`) built
  from Markdown, Table and Image components;
- probe: a `test_mock_card` (shipped with Metaflow) rendering the `probe_html` artifact as is:
  HTML that tries to reach the page around it, its cookies and the REST API, and writes what
  it managed into its own page (and posts it to its parent);
- end: fails when `--fail_end true` and MFNS_FIXED is unset, so a resume clones the card steps
  (their cards stay on the origin run).
"""

import os
import struct
import zlib

from metaflow import FlowSpec, Parameter, card, current, step
from metaflow.cards import Image, Markdown, Table

PROBE_HTML = """<!DOCTYPE html>
<html><head><title>probe</title></head><body>
<h1>Sandbox probe</h1><pre id="mfns-probe">running</pre>
<script>
const found = {};
function attempt(name, read) {
  try { found[name] = "read: " + String(read()).slice(0, 80); }
  catch (error) { found[name] = "blocked: " + error.name; }
}
attempt("parent_document", () => parent.document.title);
attempt("top_cookie", () => window.top.document.cookie);
attempt("own_cookie", () => document.cookie);
attempt("storage", () => window.localStorage.length);
fetch("/mfns/api/status", {credentials: "include"})
  .then(answer => answer.text().then(text => {
    found.api = "read: " + answer.status + " " + text.slice(0, 80);
  }))
  .catch(error => { found.api = "blocked: " + error.name; })
  .finally(() => {
    document.getElementById("mfns-probe").textContent = JSON.stringify(found);
    parent.postMessage({mfnsProbe: found}, "*");
  });
</script></body></html>
"""


def gradient_png(width=96, height=48):
    """A small RGB gradient as PNG bytes (no imaging library needed)."""
    rows = b"".join(
        b"\x00" + bytes(v for x in range(width) for v in (x * 255 // width, 90 + y * 2, 200))
        for y in range(height)
    )

    def chunk(tag, data):
        body = tag + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


class CardFlow(FlowSpec):
    """start (default card) -> report (two cards) -> probe (hostile HTML) -> end."""

    fail_end = Parameter("fail_end", default=False, type=bool, help="Make the end step fail.")

    @card
    @step
    def start(self):
        self.alpha = 0.5
        self.next(self.report)

    @card(type="blank", id="summary")
    @card
    @step
    def report(self):
        self.scores = {"mean": 1.25, "linear": 0.083}
        summary = current.card["summary"]
        summary.append(Markdown("# Model summary\nThe **linear** model wins."))
        summary.append(
            Table([[name, score] for name, score in self.scores.items()], headers=["model", "mse"])
        )
        summary.append(Image(gradient_png(), label="A gradient"))
        self.next(self.probe)

    @card(type="test_mock_card", id="probe", options={"key": "probe_html"})
    @step
    def probe(self):
        self.probe_html = PROBE_HTML
        self.next(self.end)

    @step
    def end(self):
        if self.fail_end and not os.environ.get("MFNS_FIXED"):
            raise RuntimeError("end fails on purpose (to be resumed)")


if __name__ == "__main__":
    CardFlow()

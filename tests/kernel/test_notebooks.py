"""notebooks/quickstart.ipynb and notebooks/walkthrough.ipynb run top to bottom (nbclient, a real
kernel as anne over a copy of the demo store), and say what the story says."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

import nbformat
import pytest
from kernel_harness import REPO, kernel_env
from nbclient import NotebookClient

NOTEBOOKS = REPO / "notebooks"


def execute(name: str, store, cache: Path) -> Dict[str, Any]:
    """Run the notebook; returns its cells by id (raises on any unexpected error)."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=120,
        resources={"metadata": {"path": str(store.root)}},
    )
    client.execute(env=kernel_env(store.env("anne"), cache))
    return {cell["id"]: cell for cell in nb.cells}


def text(cell) -> str:
    """Everything a code cell showed, as plain text."""
    parts = []
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            parts.append(out["text"])
        elif "data" in out:
            parts.append(out["data"].get("text/plain", ""))
        elif out["output_type"] == "error":
            parts.append(f"{out['ename']}: {out['evalue']}")
    return "\n".join(parts)


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("notebook-cache")


def test_quickstart_runs_top_to_bottom(store, cache):
    # When the quickstart runs against the demo store as anne
    cells = execute("quickstart.ipynb", store, cache)
    story = store.story
    # Then its answers are the story's: default namespace, latest runs per namespace, ...
    assert "default namespace: user:anne" in text(cells["namespaces"])
    latest = text(cells["latest"])
    assert story.failed_run in latest and story.will_prediction_runs[0] in latest
    assert story.production_run in latest
    assert "belongs to user:will" in text(cells["mismatch"])
    assert "line 3000 of 3000" in text(cells["logs"])
    assert "DataFrame (200, 3)" in text(cells["load"])


def test_walkthrough_runs_top_to_bottom(store, cache):
    # When the walkthrough runs as anne
    cells = execute("walkthrough.ipynb", store, cache)
    story = store.story
    # Then each namespace answers its own latest run
    assert story.failed_run in text(cells["anne-latest"])
    assert "'user:anne'" in text(cells["client"])
    assert story.will_prediction_runs[0] in text(cells["will-client"])
    assert story.resumed_from in text(cells["will-runs"])  # the resume's origin_run
    assert story.production_run in text(cells["prod-latest"])
    assert set(story.xyz_features_runs) <= set(text(cells["tag-runs"]).split())
    # The mismatch is one line, and the tag went on and off
    mismatch = [o for o in cells["mismatch"]["outputs"] if o["output_type"] == "stream"]
    assert mismatch and mismatch[0]["text"].strip().count("\n") == 0
    assert "belongs to user:anne" in mismatch[0]["text"]
    assert "candidate for review" in text(cells["tag-list"])
    assert anne_best(story) in text(cells["tag-runs-filter"])
    assert "candidate for review" not in text(cells["tag-remove"])
    # Loads gave DataFrames, logs the last lines, browse() a widget
    assert "records = list of 200 dicts -> DataFrame" in text(cells["load-records"])
    assert "line 3000 of 3000" in text(cells["logs"])
    views = [o for o in cells["browse"]["outputs"] if "data" in o]
    assert "application/vnd.jupyter.widget-view+json" in views[0]["data"]


def anne_best(story) -> str:
    return story.anne_prediction_runs[1]

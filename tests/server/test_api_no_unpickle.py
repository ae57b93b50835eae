"""The server process never unpickles: every route answers correctly while `pickle.loads`,
`pickle.load` and `pickle.Unpickler` fail (artifacts may come from anyone; unpickling runs their
code)."""

from __future__ import annotations

import _pickle
import json
import pickle
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

from harness.demo_stores import DemoStore
from jupyter_mfns.core.catalog import Catalog

Call = Tuple[str, Dict[str, Any]]


def get_calls(store: DemoStore) -> List[Call]:
    """One GET per route and object level, over runs that succeeded, failed and resumed."""
    s = store.story
    task = s.artifact_task
    calls: List[Call] = [
        ("namespaces", {}),
        ("flows", {}),
        ("flows", {"namespace": ""}),
        ("tags", {"namespace": ""}),
        ("status", {}),
        ("openapi.json", {}),
    ]
    for flow in ("PredictionFlow", "FeatureFlow", "ShowcaseFlow"):
        calls += [
            ("runs", {"flow": flow, "namespace": ""}),
            ("runs/latest", {"flow": flow, "namespace": "", "successful": "1"}),
            ("object", {"pathspec": flow, "namespace": ""}),
        ]
    for run in (s.failed_run, s.resumed_run, s.production_run, s.showcase_run):
        calls.append(("object", {"pathspec": run, "namespace": ""}))
    calls += [
        ("object", {"pathspec": task.rsplit("/", 1)[0], "namespace": ""}),
        ("object", {"pathspec": task, "namespace": ""}),
        ("artifacts", {"pathspec": task, "namespace": ""}),
        ("logs", {"pathspec": s.long_stdout_task, "tail": "50"}),
        ("logs", {"pathspec": s.long_stdout_task, "stream": "stderr"}),
        ("compare", {"run": [s.resumed_run, s.failed_run, s.showcase_run], "namespace": ""}),
    ]
    return calls


def catalog_answer(catalog: Catalog, route: str, p: Dict[str, Any]) -> Any:
    """The Catalog's own answer to a GET, for comparison (None for server-only routes)."""
    ns = p.get("namespace", "user:anne") or None
    if route == "namespaces":
        return catalog.namespaces()
    if route == "flows":
        return catalog.flows(ns)
    if route == "tags":
        return catalog.tags(ns)
    if route == "runs":
        return catalog.runs(p["flow"], ns)
    if route == "runs/latest":
        return catalog.latest_run(p["flow"], ns, successful=p.get("successful") == "1")
    if route == "object":
        return catalog.get_object(p["pathspec"], ns)
    if route == "artifacts":
        return catalog.artifacts(p["pathspec"], ns)
    if route == "logs":
        tail = int(p["tail"]) if "tail" in p else 20_000
        return catalog.logs(p["pathspec"], p.get("stream", "stdout"), ns, tail)
    if route == "compare":
        return catalog.compare(p["run"], ns)
    return None


@pytest.fixture
def expected(mutable_demo_store: DemoStore, tmp_path: Path, mfns_env) -> List[Any]:
    """Answers computed before pickle is disabled, by a Catalog with its own fresh index."""
    catalog = Catalog.from_metaflow_config(
        str(mutable_demo_store.root), cache_dir=tmp_path / "expected-cache"
    )
    try:
        return [
            json.loads(json.dumps(catalog_answer(catalog, route, params)))
            for route, params in get_calls(mutable_demo_store)
        ]
    finally:
        catalog.close()


@pytest.fixture
def unpickling(monkeypatch: pytest.MonkeyPatch) -> List[str]:
    """Make every way into the unpickler fail, and record who tried."""
    attempts: List[str] = []

    def refuse(name: str) -> Any:
        def refused(*args: Any, **kwargs: Any) -> Any:
            attempts.append(name)
            raise AssertionError(f"the server must never call {name}")

        return refused

    for module in (pickle, _pickle):
        for name in ("loads", "load", "Unpickler"):
            monkeypatch.setattr(module, name, refuse(f"{module.__name__}.{name}"))
    return attempts


async def test_every_route_answers_without_unpickling(
    expected: List[Any], unpickling: List[str], api, mutable_demo_store: DemoStore
) -> None:
    # Given a server started while unpickling is impossible (so no cache hides it)
    story = mutable_demo_store.story
    # When every GET route is called
    for (route, params), want in zip(get_calls(mutable_demo_store), expected):
        got = await api.ok(route, params)
        # Then each answers what the Catalog answers with pickle available
        if want is not None:
            assert got == want, (route, params)
    # And run statuses (read from Metaflow's pickled `_success` flags) are still right
    runs = {
        r["pathspec"]: r
        for r in (await api.ok("runs", {"flow": "PredictionFlow", "namespace": ""}))["runs"]
    }
    assert runs[story.failed_run]["status"] == "failed"
    assert runs[story.resumed_run]["status"] == "succeeded"
    assert all(runs[p]["status"] == "succeeded" for p in story.will_prediction_runs)
    # And the tag mutation route works too
    edit = await api.post("tags", {"pathspec": story.failed_run, "add": ["checked"]})
    assert edit.status == 200 and "checked" in edit.body["tags"]
    # And nothing ever tried to unpickle
    assert unpickling == []

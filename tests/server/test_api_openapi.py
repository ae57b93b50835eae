"""The OpenAPI document shipped in the package is true: every registered route is in it, and
real answers (successes and errors) validate against it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Set, Tuple

import jupyter_mfns
from jupyter_mfns.server.base import MfnsHandler
from jupyter_mfns.server.routes import UnknownRouteHandler

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def test_the_document_ships_in_the_package_and_is_valid_openapi_3(openapi) -> None:
    from openapi_spec_validator import validate

    shipped = Path(jupyter_mfns.__file__).parent / "server" / "openapi.yaml"
    assert shipped.is_file()
    validate(openapi.document)
    assert openapi.document["openapi"].startswith("3.")


async def test_every_registered_route_is_documented_and_nothing_else(
    openapi, registered_routes
) -> None:
    # Given the routes the running server registered for jupyter_mfns
    registered: Set[Tuple[str, str]] = set()
    for pattern, handler in registered_routes:
        if handler is UnknownRouteHandler:
            continue  # the JSON 404 for paths that are not routes
        assert pattern.endswith("/mfns/api/" + re.escape(handler.route) + "$"), pattern
        for method in METHODS:
            if getattr(handler, method.lower()) is not getattr(MfnsHandler, method.lower()):
                registered.add((method, handler.route))
    # Then the document lists exactly these operations
    assert registered == set(openapi.operations())


async def test_served_document_equals_the_shipped_file(api, openapi) -> None:
    assert await api.ok("openapi.json") == openapi.document


async def test_real_answers_of_every_operation_validate(api, openapi, mutable_demo_store) -> None:
    """Each call below is validated by the `api` fixture against the documented schema of its
    status; this test makes sure every operation's success answer and the typical errors are
    among them."""
    story = mutable_demo_store.story
    task = story.artifact_task
    will_run = story.will_prediction_runs[0]
    await api.ok("namespaces")
    await api.ok("flows", {"namespace": ""})
    await api.ok("runs", {"flow": "PredictionFlow", "namespace": "", "limit": 3})
    await api.ok("runs/latest", {"flow": "PredictionFlow", "successful": 1})
    for pathspec in ("PredictionFlow", story.showcase_run, task.rsplit("/", 1)[0], task):
        await api.ok("object", {"pathspec": pathspec})
    await api.ok("logs", {"pathspec": story.long_stdout_task, "tail": 5})
    await api.ok("logs/download", {"pathspec": story.long_stdout_task, "stream": "stderr"})
    await api.ok("artifacts", {"pathspec": task})
    await api.ok("dag", {"pathspec": story.showcase_run})
    await api.ok("tasks", {"pathspec": story.showcase_run, "limit": 2})
    pair = [("run", r) for r in story.anne_prediction_runs[:2]]
    await api.ok("compare", [*pair, ("run", will_run), ("namespace", "")])
    failed = await api.ok(
        "runs",
        [("flow", "PredictionFlow"), ("namespace", ""), ("where", "break_scoring==true")],
    )
    assert failed["runs"] and all(r["failure"] for r in failed["runs"] if r["status"] == "failed")
    await api.ok("runs", {"flow": "PredictionFlow", "namespace": "", "sort": "-param:models"})
    train = await api.ok("object", {"pathspec": f"{story.anne_prediction_runs[0]}/train"})
    card_task = train["children"][0]["pathspec"]
    card = (await api.ok("cards", {"pathspec": card_task}))["cards"][0]
    await api.ok("card", {"pathspec": card_task, "hash": card["hash"]})
    await api.ok("card/data", {"pathspec": card_task, "hash": card["hash"]})
    await api.ok("tags", {"flow": "FeatureFlow", "namespace": ""})
    await api.ok("status")
    await api.ok("openapi.json")
    mutation = await api.post(
        "tags", {"pathspec": will_run, "add": ["ok"], "namespace": "user:will"}
    )
    assert mutation.status == 200
    # errors
    assert (await api.get("runs", {"flow": "../x"})).status == 400
    assert (await api.get("object", {"pathspec": "PredictionFlow/0"})).status == 404
    assert (await api.get("runs", {"flow": "PredictionFlow", "where": "x=1"})).status == 400
    assert (await api.get("dag", {"pathspec": will_run})).status == 409
    assert (await api.get("tasks", {"pathspec": "PredictionFlow/0"})).status == 404
    assert (await api.get("compare", [*pair, ("run", will_run)])).status == 409
    assert (await api.get("compare", pair[:1])).status == 400
    assert (
        await api.get("runs/latest", [("flow", "PredictionFlow"), ("tag", "none")])
    ).status == 404
    assert (await api.get("object", {"pathspec": will_run})).status == 409
    assert (await api.get("logs", {"pathspec": task, "namespace": "user:will"})).status == 409
    assert (await api.post("tags", {"pathspec": will_run, "add": ["x"]})).status == 409
    assert (await api.post("tags", raw=b"x" * 300_000)).status == 413
    assert (
        await api.post("tags", {"pathspec": will_run, "remove": ["user:will"], "namespace": ""})
    ).status == 400
    assert (await api.get("namespaces", auth=False)).status == 403
    # every documented success answer was seen and validated
    seen = {(m, r, reply.status) for m, r, reply in api.replies}
    for method, route in openapi.operations():
        assert (method, route, 200) in seen, (method, route)

"""Bad input never yields a 500 or a traceback: each gets a 4xx JSON `{reason, message}`.

The `api` fixture already fails on any 5xx, non-JSON body, traceback, missing reason/message
or an answer the OpenAPI document does not allow; these tests add what each answer must say.
"""

from __future__ import annotations

import json

import pytest

from harness.demo_stores import DemoStore

TRAVERSALS = [
    "..",
    "../../etc/passwd",
    "/etc/passwd",
    "PredictionFlow/../../../etc",
    "PredictionFlow/1/../../..",
    "PredictionFlow\\..\\..\\etc",
    "..\\..\\windows",
    "PredictionFlow/1\x00/start",
    "PredictionFlow\x00",
    "%2e%2e%2f%2e%2e%2fetc",  # percent-encoded once more than the query string decodes
    "PredictionFlow/%2e%2e",
    "~/.ssh",
    "PredictionFlow//start",
    "./PredictionFlow",
    "PredictionFlow/1/start/2/3/4",
]


@pytest.mark.parametrize("pathspec", TRAVERSALS)
async def test_path_traversal_is_refused_on_every_pathspec_route(api, pathspec: str) -> None:
    for route in ("object", "logs", "artifacts"):
        reply = await api.get(route, {"pathspec": pathspec, "namespace": ""})
        assert reply.status == 400 and reply.reason == "invalid_pathspec", (route, reply.body)
        assert "pathspec" in reply.body["message"]
    post = await api.post("tags", {"pathspec": pathspec, "add": ["x"], "namespace": None})
    assert post.status == 400 and post.reason == "invalid_pathspec"
    flow = await api.get("runs", {"flow": pathspec, "namespace": ""})
    assert flow.status == 400 and flow.reason == "invalid_pathspec"


@pytest.mark.parametrize(
    "raw_query",
    [
        "pathspec=%2e%2e%2F%2e%2e%2Fetc%2Fpasswd",  # ../../etc/passwd, encoded by the client
        "pathspec=%2Fetc%2Fpasswd",
        "pathspec=PredictionFlow%5C..%5C..",  # backslashes
        "pathspec=PredictionFlow%00",
        "pathspec=%252e%252e%252fetc",  # double encoding reaches us as %2e%2e%2f
        "pathspec=%C0%AE%C0%AE%2F",  # overlong UTF-8 for "."
        "pathspec=%FF%FE",  # not UTF-8 at all
    ],
)
async def test_raw_percent_encodings_are_refused(api, raw_query: str) -> None:
    reply = await api.get("object", raw_query=raw_query + "&namespace=")
    assert reply.status == 400 and reply.reason in ("invalid_pathspec", "invalid_argument")
    assert reply.body["message"]


@pytest.mark.parametrize(
    "path",
    [
        "../../../etc/passwd",
        "object/..%2F..%2Fetc%2Fpasswd",
        "runs/latest/extra",
        "%2e%2e/api/namespaces",
        "nope",
    ],
)
async def test_unknown_routes_under_the_api_answer_json_404(api, path: str) -> None:
    reply = await api.get(path, check=False)
    assert reply.status in (400, 404) and reply.body["message"]
    if reply.status == 404:
        assert reply.reason == "unknown_route"


async def test_unknown_flow_run_step_task(api, mfns_store: DemoStore) -> None:
    story = mfns_store.story
    run = story.showcase_run
    cases = {
        "object": [
            "NoSuchFlow",
            "PredictionFlow/999999",
            f"{run}/no_such_step",
            f"{run}/start/999",
        ],
        "logs": [f"{run}/start/999", "NoSuchFlow/1/start/1", f"{run}/nostep/1"],
        "artifacts": [f"{run}/start/999", "NoSuchFlow/1/start/1"],
    }
    for route, pathspecs in cases.items():
        for pathspec in pathspecs:
            reply = await api.get(route, {"pathspec": pathspec, "namespace": ""})
            assert reply.status == 404 and reply.reason == "not_found", (route, pathspec)
            assert "does not exist" in reply.body["message"]
    for route in ("runs", "runs/latest"):
        reply = await api.get(route, {"flow": "NoSuchFlow"})
        assert reply.status == 404 and reply.reason == "not_found"
    tags = await api.post("tags", {"pathspec": "PredictionFlow/999999", "add": ["x"]})
    assert tags.status == 404 and tags.reason == "not_found"


@pytest.mark.parametrize(
    "body, message",
    [
        (b"", "empty"),
        (b"   ", "empty"),
        (b"{", "not valid JSON"),
        (b"{'pathspec': 'A/1'}", "not valid JSON"),
        (b"[]", "JSON object"),
        (b"null", "JSON object"),
        (b'"PredictionFlow/1"', "JSON object"),
        (b"\xff\xfe{}", "UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "deeply"),
    ],
)
async def test_malformed_json_bodies(api, body: bytes, message: str) -> None:
    reply = await api.post("tags", raw=body)
    assert reply.status == 400 and reply.reason == "invalid_json"
    assert message in reply.body["message"]


async def test_wrong_types_in_the_tag_body(api, mfns_store: DemoStore) -> None:
    run = mfns_store.story.anne_prediction_runs[0]
    cases = [
        ({"pathspec": 5, "add": ["x"]}, "invalid_argument", "'pathspec' must be a string"),
        ({"add": ["x"]}, "invalid_argument", "lacks the required field pathspec"),
        ({"pathspec": run, "add": "x"}, "invalid_tag", "'add' must be a list"),
        ({"pathspec": run, "remove": {"x": 1}}, "invalid_tag", "'remove' must be a list"),
        ({"pathspec": run, "add": [1]}, "invalid_tag", "must be strings"),
        ({"pathspec": run, "add": [None]}, "invalid_tag", "must be strings"),
        ({"pathspec": run, "add": [["x"]]}, "invalid_tag", "must be strings"),
        ({"pathspec": run, "add": [""]}, "invalid_tag", "must not be empty"),
        ({"pathspec": run, "namespace": 5}, "invalid_argument", "'namespace' must be a string"),
        ({"pathspec": run, "tags": ["x"]}, "invalid_argument", "Unknown field 'tags'"),
        ({"pathspec": run + "/start"}, "invalid_pathspec", "expected 2 to 2 parts"),
    ]
    for body, reason, message in cases:
        reply = await api.post("tags", body)
        assert (reply.status, reply.reason) == (400, reason), (body, reply.body)
        assert message in reply.body["message"], (body, reply.body)


async def test_oversized_body_is_413(api, mfns_store: DemoStore) -> None:
    run = mfns_store.story.anne_prediction_runs[0]
    body = json.dumps({"pathspec": run, "add": ["x" * 400] * 1000}).encode()
    assert len(body) > 256 * 1024
    reply = await api.post("tags", raw=body)
    assert reply.status == 413 and reply.reason == "body_too_large"
    assert str(len(body)) in reply.body["message"]


async def test_too_many_too_long_and_system_tags(api, mfns_store: DemoStore) -> None:
    story = mfns_store.story
    run = story.anne_prediction_runs[0]
    before = await api.ok("object", {"pathspec": run})
    # 51 user tags on a run that holds 1-3: over Metaflow's limit of 50
    many = await api.post("tags", {"pathspec": run, "add": [f"t{i}" for i in range(51)]})
    assert many.status == 400 and many.reason == "invalid_tag"
    assert "at most 50" in many.body["message"]
    long = await api.post("tags", {"pathspec": run, "add": ["x" * 501]})
    assert long.status == 400 and long.reason == "invalid_tag" and "500" in long.body["message"]
    # removing a system tag is refused, whichever system tag it is
    for tag in ("user:anne", "runtime:dev", before["run"]["system_tags"][0]):
        system = await api.post("tags", {"pathspec": run, "remove": [tag]})
        assert (
            system.status == 400 and system.reason == "system_tag" and tag in system.body["message"]
        )
    # and nothing changed
    after = await api.ok("object", {"pathspec": run})
    assert after["run"] == before["run"]


@pytest.mark.parametrize(
    "route, params, needle",
    [
        ("runs", {}, "'flow' query parameter is required"),
        ("runs", {"flow": ""}, "flow"),
        ("runs", {"flow": "PredictionFlow", "limit": "0"}, "'limit'"),
        ("runs", {"flow": "PredictionFlow", "limit": "-1"}, "'limit'"),
        ("runs", {"flow": "PredictionFlow", "limit": "abc"}, "'limit'"),
        ("runs", {"flow": "PredictionFlow", "limit": "1e3"}, "'limit'"),
        ("runs", {"flow": "PredictionFlow", "limit": " 5"}, "'limit'"),
        ("runs", {"flow": "PredictionFlow", "limit": "99999999999999999999"}, "'limit'"),
        ("runs", {"flow": "PredictionFlow", "limit": "501"}, "from 1 to 500"),
        ("runs", {"flow": "PredictionFlow", "cursor": "garbage"}, "cursor"),
        ("runs", {"flow": "PredictionFlow", "cursor": "W1tbW1s"}, "cursor"),
        ("runs", {"flow": "PredictionFlow", "cursor": "x" * 2000}, "cursor"),
        ("runs", {"flow": "PredictionFlow", "tags": "x"}, "Unknown query parameter 'tags'"),
        ("runs", {"flow": "PredictionFlow", "namespace": "x" * 501}, "at most 500"),
        ("runs", {"flow": "PredictionFlow", "tag": ""}, "must not be empty"),
        (
            "runs",
            [("flow", "PredictionFlow")] + [("tag", f"t{i}") for i in range(51)],
            "at most 50",
        ),
        (
            "runs",
            [("flow", "PredictionFlow"), ("namespace", "a"), ("namespace", "b")],
            "given 2 times",
        ),
        ("runs", [("flow", "A"), ("flow", "B")], "given 2 times"),
        ("runs/latest", {"flow": "PredictionFlow", "successful": "maybe"}, "'successful'"),
        ("logs", {"pathspec": "A/1/s/1", "stream": "stdin"}, "stdout or stderr"),
        ("logs", {"pathspec": "A/1/s/1", "tail": "-1"}, "'tail'"),
        ("logs", {"pathspec": "A/1/s/1", "tail": "20001"}, "from 0 to 20000"),
        ("logs", {"pathspec": "PredictionFlow/1"}, "expected 4 to 4 parts"),
        ("artifacts", {"pathspec": "PredictionFlow"}, "expected 4 to 4 parts"),
        ("artifacts", {}, "'pathspec' query parameter is required"),
        ("object", {"pathspec": ""}, "'pathspec' parameter is empty"),
        ("object", {"pathspec": "A/1/b/2/artifact"}, "expected 1 to 4 parts"),
        ("tags", {"flow": ""}, "'flow' parameter is empty"),
        ("tags", {"flow": "../x"}, "flow"),
        ("namespaces", {"namespace": "x"}, "this route takes no parameters"),
    ],
)
async def test_bad_query_parameters(api, route: str, params, needle: str) -> None:
    reply = await api.get(route, params)
    assert reply.status == 400, reply.body
    assert reply.reason in ("invalid_argument", "invalid_pathspec", "invalid_tag")
    assert needle in reply.body["message"], reply.body


async def test_invalid_utf8_in_a_query_value(api) -> None:
    reply = await api.get("flows", raw_query="namespace=%FF%FE")
    assert reply.status == 400 and reply.reason == "invalid_argument"
    assert "UTF-8" in reply.body["message"]


async def test_wrong_methods_answer_405_with_allow(api) -> None:
    post = await api.post("runs", {"flow": "x"}, check=False)
    assert post.status == 405 and post.reason == "method_not_allowed"
    assert post.headers["Allow"] == "GET, OPTIONS"
    delete = await api.request("DELETE", "tags", check=False)
    assert delete.status == 405 and delete.headers["Allow"] == "GET, POST, OPTIONS"


async def test_an_unexpected_error_is_a_json_500_without_details(
    api, http_server_client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a bug inside the Catalog (not bad input)
    from jupyter_mfns.core.catalog import Catalog

    def broken(self, *args, **kwargs):
        raise RuntimeError("internal detail: /secret/path")

    monkeypatch.setattr(Catalog, "namespaces", broken)
    # When a client calls the route (token in the query string, as some scripts do)
    token = api.auth["Authorization"].split(" ", 1)[1]
    response = await http_server_client.fetch(
        api.url("namespaces", {"token": token}), raise_error=False
    )
    # Then it gets a JSON 500 that says where to look, and nothing of the error itself
    body = json.loads(response.body)
    assert response.code == 500
    assert body["reason"] == "internal_error" and "server log" in body["message"]
    assert "secret" not in response.body.decode() and "Traceback" not in response.body.decode()
    # And the server log has the traceback, but not the token
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "unexpected error in GET" in logged and "RuntimeError" in caplog.text
    assert token not in "\n".join(
        r.getMessage() for r in caplog.records if "unexpected error" in r.getMessage()
    )


async def test_jupyterlab_cache_buster_is_ignored_but_other_bare_keys_are_not(api) -> None:
    # Given JupyterLab's ServerConnection, which appends `?<timestamp>` to GETs by default
    busted = await api.get("flows", raw_query="namespace=&1795699647859")
    # Then the request is answered as without it
    assert busted.status == 200 and busted.body["namespace"] is None
    # but a bare word, or a numeric key with a value, is still refused
    for raw in ("namespace=&oops", "namespace=&123=4"):
        reply = await api.get("flows", raw_query=raw)
        assert reply.status == 400 and "Unknown query parameter" in reply.body["message"]

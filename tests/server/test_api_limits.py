"""Limits are defined once (`jupyter_mfns/core/limits.py`): the server's defaults, the
extension's traitlets, the OpenAPI document and the labextension's settings all agree."""

from __future__ import annotations

import json
from pathlib import Path

from jupyter_mfns.core import limits
from jupyter_mfns.server.app import MfnsExtension
from jupyter_mfns.server.limits import Limits

SETTINGS_SCHEMA = Path(__file__).resolve().parents[2] / "labextension" / "schema" / "plugin.json"


async def test_the_settings_page_size_works_up_to_its_maximum_against_default_limits(api) -> None:
    # Given the labextension's settings schema, and a server with default limits
    page_size = json.loads(SETTINGS_SCHEMA.read_text(encoding="utf-8"))["properties"]["pageSize"]
    served = (await api.ok("status"))["limits"]
    assert served["max_page_size"] == limits.DEFAULT_MAX_PAGE_SIZE
    # When the frontend asks for a page of the largest and of the default size
    for size in (page_size["maximum"], page_size["default"]):
        reply = await api.get("runs", {"flow": "PredictionFlow", "namespace": "", "limit": size})
        # Then the server answers it
        assert reply.status == 200, (size, reply.body)
        assert len(reply.body["runs"]) == min(size, reply.body["total"])
    # and one more than the server allows is refused, so the maximum is the true edge
    over = served["max_page_size"] + 1
    reply = await api.get("runs", {"flow": "PredictionFlow", "limit": over})
    assert reply.status == 400 and reply.reason == "invalid_argument"
    assert page_size["maximum"] == served["max_page_size"]


def test_server_defaults_and_traitlets_come_from_core_limits() -> None:
    app = MfnsExtension()
    assert app.limits() == Limits()
    assert Limits() == Limits(
        default_page_size=limits.DEFAULT_PAGE_SIZE,
        max_page_size=limits.DEFAULT_MAX_PAGE_SIZE,
        max_log_tail=limits.DEFAULT_MAX_LOG_TAIL,
        max_body_size=limits.DEFAULT_MAX_BODY_SIZE,
    )
    assert app.refresh_interval == limits.DEFAULT_REFRESH_INTERVAL
    assert limits.DEFAULT_MAX_PAGE_SIZE <= limits.MAX_PAGE
    assert limits.DEFAULT_MAX_LOG_TAIL <= limits.MAX_TAIL


def test_the_openapi_document_states_the_default_limits(openapi) -> None:
    doc = openapi.document
    params = doc["components"]["parameters"]
    schemas = doc["components"]["schemas"]

    def query_param(path: str, name: str) -> dict:
        found = [p for p in doc["paths"][path]["get"]["parameters"] if p.get("name") == name]
        assert found, (path, name)
        return found[0]["schema"]

    assert query_param("/runs", "limit")["maximum"] == limits.DEFAULT_MAX_PAGE_SIZE
    assert query_param("/runs", "cursor")["maxLength"] == limits.MAX_CURSOR_LENGTH
    assert query_param("/logs", "tail")["maximum"] == limits.DEFAULT_MAX_LOG_TAIL
    assert params["namespace"]["schema"]["maxLength"] == limits.MAX_TAG_LENGTH
    assert params["tag"]["schema"]["maxItems"] == limits.MAX_TAG_FILTERS
    assert schemas["Tag"]["maxLength"] == limits.MAX_TAG_LENGTH
    request = schemas["TagMutationRequest"]["properties"]
    assert request["add"]["maxItems"] == request["remove"]["maxItems"] == limits.MAX_USER_TAGS

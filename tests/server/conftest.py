"""Fixtures for the REST API tests: a Jupyter server with jupyter_mfns over the demo store.

- in-process (pytest-jupyter): `api` sends requests to `jp_serverapp` (extension configured by
  `jp_server_config` to browse `mfns_store`); every reply is checked against the shipped
  OpenAPI document (documented status, JSON body matching its schema, never a 5xx).
- `live_server_factory`: a real `jupyter server` subprocess (token auth) for schemathesis and
  configuration tests.

Every test runs as METAFLOW_USER=anne with the store's Metaflow environment set.
"""

from __future__ import annotations

import json
import os
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from traitlets.config import Config

from harness.demo_stores import DemoStore
from harness.jupyter import JupyterServer
from jupyter_mfns.demo import metaflow_env

PACKAGE_PARENT = Path(__file__).resolve().parents[2]
OPENAPI_PATH = PACKAGE_PARENT / "jupyter_mfns" / "server" / "openapi.yaml"
API = "mfns/api"
USER = "anne"

Params = Union[Dict[str, Any], Sequence[Tuple[str, Any]]]


# -- the store and its environment ------------------------------------------------------------
@pytest.fixture
def mfns_store(request: pytest.FixtureRequest, demo_store: DemoStore) -> DemoStore:
    """The store the server browses: the shared read-only demo store, or the test's private
    copy when the test asks for `mutable_demo_store` (tests that change tags or add runs)."""
    if "mutable_demo_store" in request.fixturenames:
        store: DemoStore = request.getfixturevalue("mutable_demo_store")
        return store
    return demo_store


@pytest.fixture(autouse=True)
def mfns_env(mfns_store: DemoStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """METAFLOW_USER=anne and the store's Metaflow variables, nothing else from the caller."""
    for name in list(os.environ):
        if name.startswith("METAFLOW_"):
            monkeypatch.delenv(name)
    for name, value in metaflow_env(mfns_store.root, USER).items():
        if name.startswith("METAFLOW_"):
            monkeypatch.setenv(name, value)


@pytest.fixture
def mfns_traits() -> Dict[str, Any]:
    """Extra `MfnsExtension` traits for this test (parametrize this name to set some)."""
    return {}


@pytest.fixture
def jp_server_config(mfns_store: DemoStore, tmp_path: Path, mfns_traits: Dict[str, Any]) -> Config:
    """Load only jupyter_mfns, over `mfns_store`, with its index in this test's tmp folder."""
    traits = {
        "metaflow_root": str(mfns_store.root),
        "cache_dir": str(tmp_path / "mfns-cache"),
        "refresh_interval": 0.2,
        **mfns_traits,
    }
    return Config(
        {
            "ServerApp": {"jpserver_extensions": {"jupyter_mfns": True}},
            "MfnsExtension": {k: v for k, v in traits.items() if v is not None},
        }
    )


# -- the OpenAPI document as a response validator ---------------------------------------------
class OpenAPI:
    """The shipped OpenAPI document: which operations exist and what each may answer."""

    def __init__(self, path: Path = OPENAPI_PATH) -> None:
        self.document: Dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(self.document, default_specification=DRAFT202012)
        self._registry = Registry().with_resource("urn:mfns-api", resource)

    def operations(self) -> List[Tuple[str, str]]:
        """(METHOD, route) of every documented operation, route without the leading slash."""
        return [
            (method.upper(), path.lstrip("/"))
            for path, item in self.document["paths"].items()
            for method in item
            if method in ("get", "post", "put", "patch", "delete")
        ]

    def _response(self, method: str, route: str, status: int) -> Optional[Dict[str, Any]]:
        operation = self.document["paths"].get("/" + route, {}).get(method.lower())
        if operation is None:
            return None
        response = operation["responses"].get(str(status))
        if response is not None and "$ref" in response:
            name = response["$ref"].rsplit("/", 1)[1]
            response = self.document["components"]["responses"][name]
        return response

    def problems(
        self, method: str, route: str, status: int, body: Any, media: str = "application/json"
    ) -> List[str]:
        """Why this reply breaks the document (empty when it conforms)."""
        response = self._response(method, route, status)
        if response is None:
            return [f"{method} {route} answered {status}, which the OpenAPI document does not list"]
        if media not in response["content"]:
            return [f"{method} {route} answered {status} as {media}, which is not documented"]
        schema = response["content"][media]["schema"]
        if "$ref" in schema:
            schema = {"$ref": "urn:mfns-api" + schema["$ref"]}
        else:
            schema = _rebase(schema)
        validator = Draft202012Validator(schema, registry=self._registry)
        return [
            f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
            for e in validator.iter_errors(body)
        ]


def _rebase(schema: Any) -> Any:
    """Point local `#/...` refs of an inline schema at the document's registry entry."""
    if isinstance(schema, dict):
        return {
            k: ("urn:mfns-api" + v if k == "$ref" and v.startswith("#") else _rebase(v))
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_rebase(v) for v in schema]
    return schema


@pytest.fixture(scope="session")
def openapi() -> OpenAPI:
    return OpenAPI()


# -- requests to the in-process server ---------------------------------------------------------
@dataclass
class Reply:
    """An answer of the API: status, decoded JSON body, headers."""

    status: int
    body: Any
    headers: Dict[str, str] = field(default_factory=dict)

    @property
    def reason(self) -> Optional[str]:
        return self.body.get("reason") if isinstance(self.body, dict) else None


class Api:
    """Requests to `{base_url}mfns/api/<route>`; checks every reply against the OpenAPI document."""

    def __init__(
        self,
        client: Any,
        base_url: str,
        auth: Dict[str, str],
        openapi: OpenAPI,
    ) -> None:
        self._client = client
        self.base_url = base_url
        self.auth = auth
        self.openapi = openapi
        self.replies: List[Tuple[str, str, Reply]] = []
        #: a test of an unreadable store sets this to accept 503 `store_unavailable`
        self.expect_unavailable = False

    def url(
        self, route: str, params: Optional[Params] = None, raw_query: Optional[str] = None
    ) -> str:
        url = self.base_url.rstrip("/") + "/" + API + "/" + route
        query = (
            raw_query if raw_query is not None else urllib.parse.urlencode(params or {}, doseq=True)
        )
        return url + ("?" + query if query else "")

    async def request(
        self,
        method: str,
        route: str,
        *,
        params: Optional[Params] = None,
        raw_query: Optional[str] = None,
        body: Optional[bytes] = None,
        headers: Optional[Dict[str, str]] = None,
        auth: bool = True,
        check: bool = True,
    ) -> Reply:
        all_headers = {**(self.auth if auth else {}), **(headers or {})}
        response = await self._client.fetch(
            self.url(route, params, raw_query),
            method=method,
            body=body,
            headers=all_headers,
            raise_error=False,
            request_timeout=60,
            follow_redirects=False,
            allow_nonstandard_methods=True,
        )
        text = response.body.decode("utf-8") if response.body else ""
        media = response.headers.get("Content-Type", "").split(";")[0].strip()
        if response.code == 200 and media in ("text/plain", "text/html"):
            # a log file (what the task printed, tracebacks included) or a card's HTML
            data: Any = text
        else:
            try:
                data = json.loads(text) if text else None
            except ValueError:
                assert "Traceback" not in text, f"{method} {route} leaked a traceback: {text[:500]}"
                pytest.fail(
                    f"{method} {route} answered {response.code} with non-JSON: {text[:300]!r}"
                )
            # a failed run's `failure.traceback` is the flow's own traceback, by design: the
            # server's never is (in any answer, error or not)
            served = json.dumps(_without_run_failures(data), ensure_ascii=False)
            assert "Traceback" not in served, f"{method} {route} leaked a traceback: {text[:500]}"
            media = "application/json"
        reply = Reply(response.code, data, dict(response.headers.get_all()))
        unavailable = reply.status == 503 and reply.reason == "store_unavailable"
        assert reply.status < 500 or (unavailable and self.expect_unavailable), (
            f"{method} {route} answered {reply.status}: {text[:500]}"
        )
        if reply.status >= 400:
            assert isinstance(data, dict) and data.get("reason") and data.get("message"), data
        if check:
            problems = self.openapi.problems(method, route, reply.status, data, media)
            assert not problems, (
                f"{method} {route} -> {reply.status} breaks the OpenAPI document: {problems}"
            )
        self.replies.append((method, route, reply))
        return reply

    async def get(self, route: str, params: Optional[Params] = None, **kwargs: Any) -> Reply:
        return await self.request("GET", route, params=params, **kwargs)

    async def post(
        self, route: str, payload: Any = None, *, raw: Optional[bytes] = None, **kwargs: Any
    ) -> Reply:
        body = raw if raw is not None else json.dumps(payload).encode("utf-8")
        return await self.request("POST", route, body=body, **kwargs)

    async def ok(self, route: str, params: Optional[Params] = None) -> Any:
        """GET that must answer 200; returns the JSON body."""
        reply = await self.get(route, params)
        assert reply.status == 200, (route, params, reply.body)
        return reply.body


@pytest.fixture
def api(
    jp_serverapp: Any,
    http_server_client: Any,
    jp_base_url: str,
    jp_auth_header: Dict[str, str],
    openapi: OpenAPI,
) -> Api:
    return Api(http_server_client, jp_base_url, jp_auth_header, openapi)


# -- a real `jupyter server` subprocess -----------------------------------------------------------
@pytest.fixture
def live_server_factory(tmp_path: Path) -> Iterator[Callable[..., JupyterServer]]:
    """Start live servers under base_url /jp/ (as many as a test needs); all are stopped at the
    end."""
    started: List[JupyterServer] = []

    def start(env: Dict[str, str], args: Sequence[str] = (), name: str = "live") -> JupyterServer:
        server = JupyterServer(tmp_path / name, env, args=args, base_url="/jp/", timeout=60)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


# -- what the server registered ----------------------------------------------------------------
@pytest.fixture
def registered_routes(jp_serverapp: Any) -> List[Tuple[str, type]]:
    """(URL regex, handler class) of every jupyter_mfns handler the running server routes to."""
    return registered_mfns_routes(jp_serverapp.web_app)


def registered_mfns_routes(web_app: Any) -> List[Tuple[str, type]]:
    """(URL regex, handler class) of every jupyter_mfns handler the web app routes to."""
    from tornado.routing import Router

    from jupyter_mfns.server.base import MfnsHandler

    found: List[Tuple[str, type]] = []

    def walk(router: Any) -> None:
        for rule in getattr(router, "rules", []):
            target = rule.target
            if isinstance(target, Router) or hasattr(target, "rules"):
                walk(target)
            elif isinstance(target, type) and issubclass(target, MfnsHandler):
                found.append((rule.matcher.regex.pattern, target))

    walk(web_app.default_router)
    return found


def _without_run_failures(data: Any) -> Any:
    """An answer without the `traceback` of any RUN's `failure` (a flow's, not the server's)."""
    if isinstance(data, list):
        return [_without_run_failures(v) for v in data]
    if isinstance(data, dict):
        out = {k: _without_run_failures(v) for k, v in data.items()}
        failure = out.get("failure")
        if isinstance(failure, dict) and "task" in failure:
            out["failure"] = {k: v for k, v in failure.items() if k != "traceback"}
        return out
    return data

"""Every route is behind Jupyter's auth; a cookie session must also send the XSRF token."""

from __future__ import annotations

import json
import urllib.parse
from http.cookies import SimpleCookie
from typing import Any, Dict, List, Tuple

from harness.demo_stores import DemoStore
from jupyter_mfns.server.base import MfnsHandler
from jupyter_mfns.server.routes import UnknownRouteHandler

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def concrete_requests(routes: List[Tuple[str, type]]) -> List[Tuple[str, str, type]]:
    """(method, path below mfns/api/, handler) for every method of every registered route."""
    requests = []
    for _pattern, handler in routes:
        if handler is UnknownRouteHandler:
            paths = ["no-such-route", "object/x"]
        else:
            paths = [handler.route]
        for method in METHODS:
            if getattr(handler, method.lower()) is getattr(MfnsHandler, method.lower()):
                continue  # not implemented: tornado answers 405 before auth matters
            requests += [(method, path, handler) for path in paths]
    return requests


async def test_every_route_refuses_unauthenticated_requests(api, registered_routes) -> None:
    # Given every handler jupyter_mfns registered in the running server
    requests = concrete_requests(registered_routes)
    handlers = {h for _, _, h in requests}
    assert len(handlers) == 17, handlers  # 16 routes + the JSON 404 for unknown routes
    for method, path, _ in requests:
        body = b"{}" if method in ("POST", "PUT", "PATCH") else None
        # When it is called without a token or cookie
        reply = await api.request(method, path, body=body, auth=False, check=False)
        # Then it is refused, with a JSON reason, and nothing else is said
        assert reply.status == 403, (method, path, reply.status, reply.body)
        assert reply.reason in ("not_authenticated", "xsrf_failed"), (method, path, reply.body)
        # And a wrong token is no better
        wrong = await api.request(
            method,
            path,
            body=body,
            auth=False,
            headers={"Authorization": "token nope"},
            check=False,
        )
        assert wrong.status == 403, (method, path, wrong.body)


async def test_unauthenticated_reply_explains_how_to_authenticate(api) -> None:
    reply = await api.get("namespaces", auth=False)
    assert reply.status == 403 and reply.reason == "not_authenticated"
    assert "Authorization: token" in reply.body["message"]
    assert "runs" not in json.dumps(reply.body)  # no data leaks with the refusal


async def test_token_as_query_parameter_is_accepted(api) -> None:
    token = api.auth["Authorization"].split(" ", 1)[1]
    reply = await api.get("flows", {"token": token}, auth=False)
    assert reply.status == 200 and reply.body["namespace"] == "user:anne"


def _cookies(response: Any, jar: Dict[str, str]) -> Dict[str, str]:
    for header in response.headers.get_list("Set-Cookie"):
        parsed = SimpleCookie()
        parsed.load(header)
        for name, morsel in parsed.items():
            jar[name] = morsel.value
    return jar


async def _login(http_server_client: Any, base_url: str, token: str) -> Dict[str, str]:
    """Log in through Jupyter's login form, as a browser does; returns the cookie jar."""
    jar: Dict[str, str] = {}
    page = await http_server_client.fetch(base_url + "login", raise_error=False)
    _cookies(page, jar)
    assert "_xsrf" in jar
    form = urllib.parse.urlencode({"password": token, "_xsrf": jar["_xsrf"]})
    response = await http_server_client.fetch(
        base_url + "login",
        method="POST",
        body=form,
        headers={"Cookie": _cookie_header(jar)},
        follow_redirects=False,
        raise_error=False,
    )
    assert response.code == 302, response.code
    _cookies(response, jar)
    assert len(jar) == 2, jar  # _xsrf and the login cookie
    return jar


def _cookie_header(jar: Dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


async def test_cookie_session_needs_the_xsrf_token_to_change_tags(
    api, http_server_client, jp_base_url, mutable_demo_store: DemoStore
) -> None:
    # Given a browser session logged in with a cookie
    token = api.auth["Authorization"].split(" ", 1)[1]
    jar = await _login(http_server_client, jp_base_url, token)
    cookie = {"Cookie": _cookie_header(jar)}
    run = mutable_demo_store.story.anne_prediction_runs[1]
    # reads work with the cookie alone
    flows = await api.get("flows", auth=False, headers=cookie)
    assert flows.status == 200
    # When it posts a tag change without the XSRF header
    body = json.dumps({"pathspec": run, "add": ["from-a-forged-page"]}).encode()
    forged = await api.request("POST", "tags", body=body, auth=False, headers=cookie)
    # Then it is refused and the run keeps its tags
    assert forged.status == 403 and forged.reason == "xsrf_failed"
    assert "X-XSRFToken" in forged.body["message"]
    unchanged = await api.ok("object", {"pathspec": run})
    assert "from-a-forged-page" not in unchanged["run"]["tags"]
    # And with the XSRF header (what JupyterLab's ServerConnection sends) it succeeds
    genuine = await api.request(
        "POST", "tags", body=body, auth=False, headers={**cookie, "X-XSRFToken": jar["_xsrf"]}
    )
    assert genuine.status == 200 and "from-a-forged-page" in genuine.body["tags"]


async def test_token_requests_need_no_xsrf(api, mutable_demo_store: DemoStore) -> None:
    run = mutable_demo_store.story.anne_prediction_runs[1]
    reply = await api.post("tags", {"pathspec": run, "add": ["scripted"]})
    assert reply.status == 200 and "scripted" in reply.body["tags"]

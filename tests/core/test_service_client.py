"""The metadata service client (`ServiceAPI`) against a real HTTP server started here:
retries of 502/503/504 and of refused connections, requests counted as sent (retries
included), and the cursor pagination of run listings with its loop guard."""

from __future__ import annotations

import json
import socket
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Deque, Dict, Iterator, List, Optional, Tuple

import pytest

from jupyter_mfns.core.errors import StoreUnavailable
from jupyter_mfns.core.store.service_api import ServiceAPI, ServiceError

Answer = Tuple[int, Any, Dict[str, str]]  # (status, JSON body, headers)


class FakeService:
    """An HTTP server answering each path from a queue of scripted answers (then 404)."""

    def __init__(self) -> None:
        self.answers: Dict[str, Deque[Answer]] = {}
        self.received: List[Tuple[str, str]] = []  # (method, path with query)
        self.bodies: List[Any] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                service.received.append((self.command, self.path))
                service.bodies.append(json.loads(body) if body else None)
                queue = service.answers.get(self.path.split("?")[0])
                status, payload, headers = queue.popleft() if queue else (404, None, {})
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PATCH = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def script(self, path: str, *answers: Answer) -> None:
        self.answers.setdefault(path, deque()).extend(answers)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def service() -> Iterator[FakeService]:
    fake = FakeService()
    yield fake
    fake.close()


def client(url: str, **kwargs: Any) -> ServiceAPI:
    return ServiceAPI(url, retries=3, backoff=0.01, **kwargs)


def test_a_503_is_retried_until_the_service_answers(service: FakeService) -> None:
    # Given a service that is unavailable twice, then answers
    service.script("/flows", (503, "busy", {}), (503, "busy", {}), (200, [{"flow_id": "F"}], {}))
    api = client(service.url)
    # When the client asks once
    body = api.get("/flows")
    # Then it gets the answer, and counts the three requests it actually sent
    assert body == [{"flow_id": "F"}]
    assert service.received == [("GET", "/flows")] * 3
    assert api.stats["service_requests"] == api.stats["service_get"] == 3


def test_retries_end_with_the_last_answer_as_an_error(service: FakeService) -> None:
    service.script("/flows", *[(502, "bad gateway", {})] * 10)
    api = client(service.url)
    with pytest.raises(ServiceError) as caught:
        api.get("/flows")
    assert caught.value.http_status == 502
    # one request and three retries, all counted
    assert len(service.received) == 4 == api.stats["service_requests"]


def test_a_patch_is_retried_too_and_other_statuses_are_not(service: FakeService) -> None:
    path = "/flows/F/runs/1/tag/mutate"
    service.script(path, (504, "timeout", {}), (200, {"tags": ["a"]}, {}), (409, "conflict", {}))
    api = client(service.url)
    assert api.patch(path, {"tags_to_add": ["a"]}) == (200, {"tags": ["a"]})
    assert api.stats["service_patch"] == 2 and service.bodies == [{"tags_to_add": ["a"]}] * 2
    # a 409 is the caller's to handle: answered at once, not retried
    assert api.patch(path, {"tags_to_add": ["a"]}) == (409, "conflict")
    assert api.stats["service_patch"] == 3 == len(service.received)


def test_a_404_is_none_and_not_retried(service: FakeService) -> None:
    api = client(service.url)
    assert api.get("/flows/Nope") is None
    assert len(service.received) == 1 == api.stats["service_requests"]


def test_an_unreachable_service_is_store_unavailable_after_the_retries() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    api = client(f"http://127.0.0.1:{port}")
    with pytest.raises(StoreUnavailable, match="unreachable"):
        api.get("/flows")
    assert api.stats["service_requests"] == 4  # tried once, retried three times


def _page(ids: List[int], cursor: Optional[str]) -> Answer:
    headers = {"X-Pagination-Limit": "2"}
    if cursor:
        headers["X-Next-Cursor"] = cursor
    return (200, [{"run_number": i} for i in ids], headers)


def test_run_pages_follow_the_cursor_to_the_last_page(service: FakeService) -> None:
    service.script("/flows/F/runs", _page([5, 4], "c1"), _page([3, 2], "c2"), _page([1], None))
    api = client(service.url, page_limit=2)
    pages = list(api.run_pages("F"))
    assert [[r["run_number"] for r in p or []] for p in pages] == [[5, 4], [3, 2], [1]]
    assert [path for _, path in service.received] == [
        "/flows/F/runs?_limit=2",
        "/flows/F/runs?_limit=2&_cursor=c1",
        "/flows/F/runs?_limit=2&_cursor=c2",
    ]
    assert api.paginates is True


def test_a_cursor_handed_out_twice_ends_the_walk(service: FakeService) -> None:
    # Given a faulty service that keeps answering the same cursor
    service.script("/flows/F/runs", *[_page([2, 1], "same")] * 5)
    api = client(service.url, page_limit=2)
    # Then the listing stops instead of looping: the first page, and the one it pointed at
    assert len(list(api.run_pages("F"))) == 2
    assert len(service.received) == 2


def test_an_older_service_answers_the_whole_listing_at_once(service: FakeService) -> None:
    service.script("/flows/F/runs", (200, [{"run_number": i} for i in range(5)], {}))
    api = client(service.url)
    pages = list(api.run_pages("F"))
    assert len(pages) == 1 and len(pages[0] or []) == 5
    assert api.paginates is False


def test_an_unknown_flow_lists_as_one_none(service: FakeService) -> None:
    api = client(service.url)
    assert list(api.run_pages("Nope")) == [None]

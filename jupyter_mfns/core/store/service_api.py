"""A small HTTP client for Metaflow's metadata service API (Netflix's metaflow-service).

Only the read routes Metaflow's own `ServiceMetadataProvider` uses, plus run tag mutation:

    GET   /flows, /flows/{flow}/runs, /flows/{flow}/runs/{run}
    GET   .../runs/{run}/steps, .../steps/{step}/tasks, .../tasks/{task}
    GET   .../tasks/{task}/metadata, .../tasks/{task}/artifacts
    PATCH .../runs/{run}/tag/mutate                 (service >= 2.3.0)

Run listings use the cursor pagination of recent services (`_limit`, `X-Next-Cursor`) when the
service answers with it, so no response grows with the number of runs; older services ignore the
unknown parameter and answer with the whole listing in one response.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Tuple
from urllib.parse import quote

from urllib3.util.retry import Retry

from ..errors import StoreUnavailable

USER_AGENT = "jupyter_mfns"
#: rows per page of a paginated run listing (recent metaflow-service caps `_limit` at 500)
PAGE_LIMIT = 500
#: statuses of a service (or the proxy before it) that is restarting or overloaded
RETRY_STATUS = (502, 503, 504)
#: seconds: retries wait 0, then 2x, 4x this (urllib3's exponential backoff)
RETRY_BACKOFF = 0.2


class ServiceError(StoreUnavailable):
    """The service answered with an unexpected status."""

    def __init__(self, message: str, status: int, body: str = "") -> None:
        super().__init__(message)
        self.http_status = status
        self.body = body


def obj_path(*parts: str) -> str:
    """`/flows/F/runs/R/steps/S/tasks/T` from (F, R, S, T), each component URL-quoted."""
    names = ("flows", "runs", "steps", "tasks")
    out = ""
    for name, part in zip(names, parts):
        out += f"/{name}/{quote(part, safe='')}"
    return out


class CountingRetry(Retry):
    """urllib3's retry policy, telling `on_retry(method)` about every request it sends again."""

    def __init__(self, *args: Any, on_retry: Optional[Callable[[str], None]] = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.on_retry = on_retry

    def new(self, **kwargs: Any) -> CountingRetry:
        retry: CountingRetry = super().new(**kwargs)  # type: ignore[assignment]
        retry.on_retry = self.on_retry
        return retry

    def increment(
        self,
        method: Optional[str] = None,
        url: Optional[str] = None,
        response: Any = None,
        error: Optional[Exception] = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> CountingRetry:
        # raises once the retries are used up; returning means urllib3 sends the request again
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        if self.on_retry is not None:
            self.on_retry(method or "GET")
        return retry


class ServiceAPI:
    """Blocking JSON calls to one metadata service, with retries and request counting."""

    def __init__(
        self,
        url: str,
        headers: Optional[Mapping[str, str]] = None,
        *,
        timeout: Tuple[float, float] = (5.0, 120.0),
        retries: int = 3,
        backoff: float = RETRY_BACKOFF,
        page_limit: int = PAGE_LIMIT,
    ) -> None:
        import requests

        self.url = url.rstrip("/")
        self.headers = dict(headers or {})
        # so a service's access log tells this client's requests from Metaflow's own
        self.headers.setdefault("User-Agent", USER_AGENT)
        self.timeout = timeout
        self.retries = retries
        self.page_limit = page_limit
        #: requests sent (retries included), by method and in total; read by tests and the
        #: benchmark
        self.stats: Counter[str] = Counter()
        self._stats_lock = threading.Lock()
        #: True once a run listing came back paginated (a recent metaflow-service)
        self.paginates: Optional[bool] = None
        # connection failures, read timeouts and 502/503/504 answers are retried (every method:
        # the tag mutation is idempotent), the last answer is returned rather than raised
        retry = CountingRetry(
            total=retries,
            status_forcelist=RETRY_STATUS,
            allowed_methods=None,
            backoff_factor=backoff,
            raise_on_status=False,
            on_retry=self._count,
        )
        self.session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(
            pool_connections=4, pool_maxsize=16, max_retries=retry
        )
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    # -- transport ---------------------------------------------------------------------------
    def _count(self, method: str) -> None:
        with self._stats_lock:
            self.stats["service_requests"] += 1
            self.stats[f"service_{method.lower()}"] += 1

    def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        import requests

        self._count(method)
        try:
            resp = self.session.request(
                method, self.url + path, headers=self.headers, timeout=self.timeout, **kwargs
            )
        except requests.RequestException as exc:
            raise StoreUnavailable(
                f"The Metaflow service at {self.url} is unreachable: {exc}"
            ) from exc
        with self._stats_lock:
            self.stats["service_bytes"] += len(resp.content)
        return resp

    def get(self, path: str, params: Optional[Mapping[str, Any]] = None) -> Any:
        """The JSON answer of a GET; None on 404."""
        body, _ = self.get_with_headers(path, params)
        return body

    def get_with_headers(
        self, path: str, params: Optional[Mapping[str, Any]] = None
    ) -> Tuple[Any, Mapping[str, str]]:
        resp = self._send("GET", path, params=params)
        if resp.status_code == 404:
            return None, resp.headers
        if resp.status_code >= 300:
            raise ServiceError(
                f"The Metaflow service answered {resp.status_code} to GET {path}: "
                f"{resp.text[:300]}",
                resp.status_code,
                resp.text,
            )
        try:
            return resp.json(), resp.headers
        except ValueError as exc:
            raise StoreUnavailable(f"The Metaflow service sent invalid JSON for {path}") from exc

    def patch(self, path: str, body: Any) -> Tuple[int, Any]:
        """(status, JSON or text) of a PATCH; the caller interprets 4xx answers."""
        resp = self._send("PATCH", path, json=body)
        try:
            return resp.status_code, resp.json()
        except ValueError:
            return resp.status_code, resp.text

    # -- listings ----------------------------------------------------------------------------
    def _note_pagination(self, headers: Mapping[str, str]) -> None:
        # metaflow-service sends X-Limit (and X-Next-Cursor but on the last page)
        self.paginates = any(
            h in headers for h in ("X-Next-Cursor", "X-Limit", "X-Pagination-Limit")
        )

    def run_page(
        self, flow: str, limit: int, cursor: Optional[str] = None
    ) -> Tuple[Optional[List[Dict[str, Any]]], Optional[str]]:
        """One page of `flow`'s runs, newest first, and the cursor of the next page (None on
        the last page, and always on a service that does not paginate: it sent them all)."""
        path = obj_path(flow) + "/runs"
        params: Dict[str, Any] = {"_limit": limit}
        if cursor:
            params["_cursor"] = cursor
        body, headers = self.get_with_headers(path, params)
        if body is None:
            return None, None
        if not isinstance(body, list):
            raise StoreUnavailable(f"The Metaflow service sent a non-list for {path}")
        following = headers.get("X-Next-Cursor")
        self._note_pagination(headers)
        return [r for r in body if isinstance(r, dict)], following or None

    def run_pages(self, flow: str) -> Iterator[Optional[List[Dict[str, Any]]]]:
        """The run rows of `flow` as the service pages them (one page on older services);
        a single None when the flow does not exist."""
        path = obj_path(flow) + "/runs"
        params: Dict[str, Any] = {"_limit": self.page_limit}
        seen_cursors = set()
        first = True
        while True:
            body, headers = self.get_with_headers(path, params)
            if body is None:
                if first:
                    yield None
                return
            if not isinstance(body, list):
                raise StoreUnavailable(f"The Metaflow service sent a non-list for {path}")
            first = False
            yield [r for r in body if isinstance(r, dict)]
            cursor = headers.get("X-Next-Cursor")
            self._note_pagination(headers)
            if not cursor or cursor in seen_cursors:
                return
            seen_cursors.add(cursor)
            params = {"_limit": self.page_limit, "_cursor": cursor}

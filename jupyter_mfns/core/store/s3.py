"""Read-only, ranged access to a Metaflow datastore (S3, or a local folder) under its root.

The service store reads three kinds of datastore objects, always by keys it builds itself from
validated pathspec components under the configured root (locations recorded in metadata are
never followed, so a crafted `location` cannot make the server read another bucket):

- `<root>/<Flow>/data/<sha[:2]>/<sha>`: content-addressed blobs (`_success`, `_task_ok`), read
  with a size cap and decoded by `safepickle`, never unpickled;
- `<root>/<Flow>/<run>/<step>/<task>/<attempt>.data.json`: the artifact index (names, types,
  sizes), a small JSON object;
- `<root>/<Flow>/<run>/<step>/<task>/<attempt>.<source>_<stream>.log`: logs, read by ranges;
- `<root>/mf.cards/...`: the card folder (`store/cards.py`), listed one folder at a time.

A log source costs one request: a suffix range (`bytes=-65536`) returns the end of the log and,
in `Content-Range`, its total size, which is all `mflog.read_tail` needs for a short tail.
"""

from __future__ import annotations

import os
import stat
import threading
from abc import ABC, abstractmethod
from collections import Counter
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from ..errors import NotFound, StoreUnavailable
from .base import LogSource, RangeReader
from .rules import DATATOOLS_SUFFIX, included_file_sha

#: bytes fetched by the first (suffix) read of a log: mflog.read_tail's block size
TAIL_BLOCK = 65536


def check_part(part: str, whole: str) -> str:
    """A key component that cannot escape its parent: non-empty, no separators, no dots."""
    if not part or part in (".", "..") or "/" in part or "\\" in part or "\0" in part:
        raise NotFound(f"{whole} does not exist.")
    return part


@dataclass(frozen=True)
class FolderEntry:
    """A name directly under a datastore folder: a file (with its size) or a sub-folder."""

    name: str
    size: int
    is_file: bool


class DatastoreReader(ABC):
    """Ranged reads of objects named by components under the datastore root."""

    #: the datastore root as Metaflow names it (`s3://bucket/prefix` or a folder)
    root: str

    def __init__(self) -> None:
        #: requests sent and bytes received, by kind; read by tests and the benchmark
        self.stats: Counter[str] = Counter()
        self._stats_lock = threading.Lock()

    def _count(self, kind: str, n: int = 1) -> None:
        with self._stats_lock:
            self.stats[kind] += n

    @abstractmethod
    def read_small(self, parts: Tuple[str, ...], max_bytes: int) -> Optional[bytes]:
        """A whole object of at most `max_bytes`; None when it does not exist (or is larger)."""

    @abstractmethod
    def log_source(self, parts: Tuple[str, ...]) -> Optional[LogSource]:
        """A range reader over an object and its size, or None when it does not exist."""

    @abstractmethod
    def top_level_names(self) -> List[str]:
        """Names directly under the root (flow folders)."""

    @abstractmethod
    def list_folder(self, parts: Tuple[str, ...]) -> List[FolderEntry]:
        """Files and folders directly under `parts`, in the backend's own listing order (what
        Metaflow's `list_content` sees); empty when the folder does not exist."""

    def blob(self, flow: str, sha: str, max_bytes: int = 4096) -> Optional[bytes]:
        """A content-addressed blob of `flow` (Metaflow's `data/<sha[:2]>/<sha>` layout)."""
        return self.read_small((flow, "data", sha[:2], sha), max_bytes)

    def included_file(self, flow: str, url: str, max_bytes: int) -> Optional[bytes]:
        """An IncludeFile upload of `flow`, when `url` names `<root>/data/<flow>/<sha>`
        (Metaflow's datatools root is the datastore root plus `data`)."""
        sha = included_file_sha(url, f"{self.root}/{DATATOOLS_SUFFIX}", flow)
        if sha is None:
            return None
        return self.read_small((DATATOOLS_SUFFIX, flow, sha), max_bytes)


class S3Reader(DatastoreReader):
    """Objects under `s3://bucket/prefix`, through a boto3 client configured like Metaflow's."""

    def __init__(self, root: str, client: Any = None) -> None:
        super().__init__()
        if not root.startswith("s3://"):
            raise StoreUnavailable(f"{root!r} is not an s3:// datastore root.")
        bucket, _, prefix = root[len("s3://") :].partition("/")
        if not bucket:
            raise StoreUnavailable(f"{root!r} names no bucket.")
        self.root = root.rstrip("/")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._client: Any = None
        self._client_lock = threading.Lock()
        if client is not None:
            self._use(client)

    def _use(self, client: Any) -> None:
        client.meta.events.register("before-send.s3", self._on_send)
        self._client = client

    @property
    def client(self) -> Any:
        with self._client_lock:
            if self._client is None:
                self._use(_metaflow_s3_client())
            return self._client

    def _on_send(self, **_: Any) -> None:
        self._count("s3_requests")  # every HTTP attempt, retries included

    def key(self, parts: Tuple[str, ...]) -> str:
        whole = "/".join(parts)
        for p in parts:
            check_part(p, whole)
        return f"{self.prefix}/{whole}" if self.prefix else whole

    def _get(self, key: str, byte_range: Optional[str] = None) -> Optional[Dict[str, Any]]:
        kwargs: Dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if byte_range:
            kwargs["Range"] = byte_range
        try:
            resp = self.client.get_object(**kwargs)
        except Exception as exc:  # botocore's ClientError, without importing botocore here
            code = _error_code(exc)
            if code in ("NoSuchKey", "404", "NotFound"):
                return None
            if code == "InvalidRange":
                return {"Body": b"", "ContentRange": None, "ContentLength": 0, "empty": True}
            raise StoreUnavailable(f"Cannot read s3://{self.bucket}/{key}: {exc}") from exc
        body = resp["Body"].read()
        self._count("s3_bytes", len(body))
        return {**resp, "Body": body}

    def read_small(self, parts: Tuple[str, ...], max_bytes: int) -> Optional[bytes]:
        # a range request bounds what we download even if the object is unexpectedly large
        resp = self._get(self.key(parts), f"bytes=0-{max_bytes}")
        if resp is None:
            return None
        body: bytes = resp["Body"]
        return None if len(body) > max_bytes else body

    def log_source(self, parts: Tuple[str, ...]) -> Optional[LogSource]:
        key = self.key(parts)
        resp = self._get(key, f"bytes=-{TAIL_BLOCK}")
        if resp is None:
            return None
        body: bytes = resp["Body"]
        size = _total_size(resp.get("ContentRange"), len(body))
        reader = _CachedTailReader(lambda a, b: self._range(key, a, b), body, size)
        return LogSource(reader, size, key=f"s3://{self.bucket}/{key}", local=False)

    def _range(self, key: str, offset: int, length: int) -> bytes:
        if length <= 0:
            return b""
        resp = self._get(key, f"bytes={offset}-{offset + length - 1}")
        return b"" if resp is None else bytes(resp["Body"])

    def top_level_names(self) -> List[str]:
        prefix = f"{self.prefix}/" if self.prefix else ""
        names: List[str] = []
        token: Optional[str] = None
        while True:
            kwargs: Dict[str, Any] = {"Bucket": self.bucket, "Prefix": prefix, "Delimiter": "/"}
            if token:
                kwargs["ContinuationToken"] = token
            try:
                resp = self.client.list_objects_v2(**kwargs)
            except Exception as exc:
                raise StoreUnavailable(f"Cannot list {self.root}: {exc}") from exc
            for cp in resp.get("CommonPrefixes", []):
                names.append(cp["Prefix"][len(prefix) :].rstrip("/"))
            token = resp.get("NextContinuationToken")
            if not resp.get("IsTruncated") or not token:
                return sorted(n for n in names if n)

    def list_folder(self, parts: Tuple[str, ...]) -> List[FolderEntry]:
        prefix = self.key(parts) + "/"
        entries: List[FolderEntry] = []
        token: Optional[str] = None
        while True:
            kwargs: Dict[str, Any] = {"Bucket": self.bucket, "Prefix": prefix, "Delimiter": "/"}
            if token:
                kwargs["ContinuationToken"] = token
            try:
                resp = self.client.list_objects_v2(**kwargs)
            except Exception as exc:
                raise StoreUnavailable(f"Cannot list s3://{self.bucket}/{prefix}: {exc}") from exc
            for obj in resp.get("Contents", []):
                name = str(obj.get("Key", ""))[len(prefix) :]
                if name and "/" not in name:
                    entries.append(FolderEntry(name, int(obj.get("Size", 0)), True))
            for cp in resp.get("CommonPrefixes", []):
                name = str(cp.get("Prefix", ""))[len(prefix) :].rstrip("/")
                if name:
                    entries.append(FolderEntry(name, 0, False))
            token = resp.get("NextContinuationToken")
            if not resp.get("IsTruncated") or not token:
                return entries


class LocalReader(DatastoreReader):
    """A local datastore folder (`<sysroot>/.metaflow`), for service metadata + local data."""

    def __init__(self, root: os.PathLike[str] | str) -> None:
        super().__init__()
        self.root = str(root)

    def _path(self, parts: Tuple[str, ...]) -> str:
        whole = "/".join(parts)
        return os.path.join(self.root, *(check_part(p, whole) for p in parts))

    def read_small(self, parts: Tuple[str, ...], max_bytes: int) -> Optional[bytes]:
        try:
            with open(self._path(parts), "rb") as f:
                data = f.read(max_bytes + 1)
        except OSError:
            return None
        self._count("file_reads")
        return None if len(data) > max_bytes else data

    def included_file(self, flow: str, url: str, max_bytes: int) -> Optional[bytes]:
        # the local datatools root sits beside the `.metaflow` folder: `<sysroot>/data`
        datatools = os.path.join(os.path.dirname(self.root.rstrip(os.sep)), DATATOOLS_SUFFIX)
        sha = included_file_sha(url, f"local://{datatools}", flow)
        if sha is None:
            return None
        check_part(flow, url)
        try:
            with open(os.path.join(datatools, flow, sha), "rb") as f:
                data = f.read(max_bytes + 1)
        except OSError:
            return None
        self._count("file_reads")
        return None if len(data) > max_bytes else data

    def log_source(self, parts: Tuple[str, ...]) -> Optional[LogSource]:
        path = self._path(parts)
        try:
            size = os.path.getsize(path)
        except OSError:
            return None

        def read(offset: int, length: int) -> bytes:
            self._count("file_reads")
            with open(path, "rb") as f:
                f.seek(offset)
                return f.read(length)

        return LogSource(read, size, key=path)

    def top_level_names(self) -> List[str]:
        try:
            return sorted(e.name for e in os.scandir(self.root) if e.is_dir())
        except OSError:
            return []

    def list_folder(self, parts: Tuple[str, ...]) -> List[FolderEntry]:
        folder = self._path(parts)
        try:
            names = os.listdir(folder)  # Metaflow's LocalStorage.list_content order
        except OSError:
            return []
        self._count("listings")
        entries = []
        for name in names:
            try:
                st = os.stat(os.path.join(folder, name))
            except OSError:
                continue  # removed since listed
            is_file = not stat.S_ISDIR(st.st_mode)
            entries.append(FolderEntry(name, st.st_size if is_file else 0, is_file))
        return entries


class _CachedTailReader:
    """A RangeReader that answers from the already fetched end of the object when it can."""

    def __init__(self, fetch: RangeReader, tail: bytes, size: int) -> None:
        self._fetch = fetch
        self._tail = tail
        self._tail_start = size - len(tail)

    def __call__(self, offset: int, length: int) -> bytes:
        if offset >= self._tail_start:
            start = offset - self._tail_start
            return self._tail[start : start + length]
        end = offset + length
        if end > self._tail_start:  # straddles: fetch only the part before the cached tail
            head = self._fetch(offset, self._tail_start - offset)
            return head + self._tail[: end - self._tail_start]
        return self._fetch(offset, length)


def _total_size(content_range: Optional[str], received: int) -> int:
    """Total size from `bytes a-b/total`; a 200 answer (no range) means we got it all."""
    if content_range and "/" in content_range:
        total = content_range.rsplit("/", 1)[1]
        if total.isdigit():
            return int(total)
    return received


def _error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def _metaflow_s3_client() -> Any:
    """A boto3 S3 client built the way Metaflow builds its own (endpoint, role, session vars,
    sandbox credentials all come from Metaflow's configuration: env vars or profile)."""
    try:
        from metaflow.plugins.datatools.s3.s3util import get_s3_client

        client, _error = get_s3_client()
        return client
    except Exception as exc:  # a missing boto3 or a broken profile: say so, do not crash
        raise StoreUnavailable(f"Cannot create an S3 client from Metaflow's config: {exc}") from exc

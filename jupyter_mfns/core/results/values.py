"""Artifact values read from the datastore without unpickling (see `safepickle`).

Which serializer wrote a blob is the artifact's `encoding` (Metaflow's `<attempt>.data.json`
info, or its artifact row's `content_type`); only pickle encodings are decoded, anything else
(recent Metaflow has pluggable serializers) stays opaque with its type. An artifact without a
recorded encoding was written by an older Metaflow, whose only encoding was `gzip+pickle-v2`
(the default Metaflow's client applies too).

IncludeFile parameters are pickled `metaflow.includefile.IncludedFile` records naming an upload;
Metaflow's client returns the upload's content, so this does too: the upload is read only at
the place Metaflow's uploader puts it in this store (`Store.included_file`), decompressed with
a cap and decoded with its recorded text encoding.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Optional, Tuple

from ..model import ArtifactMetaJSON
from ..safepickle import MAX_BYTES, PICKLE_ENCODINGS, NotDecodable, PickledObject, decode, to_json
from ..store.base import Store

#: Metaflow's encoding for artifacts whose data.json records none (its client's default)
LEGACY_ENCODING = "gzip+pickle-v2"
#: artifacts up to this serialized size are decoded for `GET artifacts` (shown inline)
INLINE_MAX_SIZE = 1024
#: longest JSON text of an inline value (a short list of short strings fits)
INLINE_MAX_TEXT = 400
#: stored bytes read for one parameter or `_graph_info` blob (gzip-compressed)
BLOB_MAX_BYTES = MAX_BYTES
#: bytes of an IncludeFile upload read (compressed and once decompressed)
INCLUDED_FILE_MAX = MAX_BYTES
#: decoded values kept, by sha (content-addressed: a sha always holds the same value)
CACHED_VALUES = 8192
_INCLUDED_FILE = ("metaflow.includefile", "IncludedFile")


@dataclass(frozen=True)
class Decoded:
    """An artifact's value as plain data, or why it stays opaque."""

    ok: bool
    value: Any = None
    why: Optional[str] = None


def opaque(why: str) -> Decoded:
    return Decoded(False, None, why)


def encoding_of(art: ArtifactMetaJSON) -> str:
    return art.get("encoding") or LEGACY_ENCODING


class ValueReader:
    """Decodes artifact blobs of one store, keeping recent answers by sha."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._cache: OrderedDict[Tuple[str, str, bool], Decoded] = OrderedDict()
        self._lock = threading.Lock()

    def value(self, flow: str, art: ArtifactMetaJSON, *, objects: bool = False) -> Decoded:
        """The artifact's value (plain data; with `objects`, PickledObject records too)."""
        encoding = encoding_of(art)
        if encoding not in PICKLE_ENCODINGS:
            return opaque(f"written by the {encoding!r} serializer, which is never decoded here")
        key = (flow, art["sha"], objects)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        found = self._decode(flow, art["sha"], objects)
        if found.ok or found.why != _MISSING:  # a missing blob may appear a moment later
            with self._lock:
                self._cache[key] = found
                if len(self._cache) > CACHED_VALUES:
                    self._cache.popitem(last=False)
        return found

    def _decode(self, flow: str, sha: str, objects: bool) -> Decoded:
        blob = self.store.blob(flow, sha, BLOB_MAX_BYTES)
        if blob is None:
            return opaque(_MISSING)
        try:
            return Decoded(True, decode(blob, objects=objects))
        except NotDecodable as exc:
            return opaque(str(exc))

    def parameter(self, flow: str, art: ArtifactMetaJSON) -> Decoded:
        """A parameter's value as Metaflow's client returns it: plain data, or an
        IncludeFile's content; anything else is opaque."""
        found = self.value(flow, art, objects=True)
        if not found.ok:
            return found
        value = found.value
        if isinstance(value, PickledObject):
            if (value.module, value.name) == _INCLUDED_FILE:
                return self.included_file(flow, value)
            return opaque(f"a pickled {value.qualname}, which is never rebuilt here")
        if _holds_objects(value):
            return opaque("it holds pickled objects, which are never rebuilt here")
        return found

    def included_file(self, flow: str, record: PickledObject) -> Decoded:
        state = record.state if isinstance(record.state, dict) else {}
        descriptor = state.get("_descriptor")
        if not isinstance(descriptor, dict):
            return opaque("an IncludeFile without a descriptor")
        if (
            descriptor.get("type") not in ("uploader-v1", "uploader-v2")
            or descriptor.get("sub-type", "uploaded") != "uploaded"
        ):
            return opaque("an IncludeFile that names a file outside this Metaflow store")
        stored = self.store.included_file(flow, str(descriptor.get("url")), INCLUDED_FILE_MAX)
        if stored is None:
            return opaque("its IncludeFile upload is not in this store (or is too large)")
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(stored)) as f:
                content = f.read(INCLUDED_FILE_MAX + 1)
        except (OSError, EOFError):
            return opaque("its IncludeFile upload is not gzip data")
        if len(content) > INCLUDED_FILE_MAX:
            return opaque(f"its IncludeFile content is larger than {INCLUDED_FILE_MAX} bytes")
        if not descriptor.get("is_text"):
            return Decoded(True, content)
        encoding = descriptor.get("encoding") or "utf-8"
        try:
            codecs.lookup(str(encoding))
            return Decoded(True, content.decode(str(encoding)))
        except (LookupError, UnicodeDecodeError):
            return opaque(f"its IncludeFile content is not {encoding} text")

    def inline(self, flow: str, art: ArtifactMetaJSON) -> Optional[Tuple[Any]]:
        """`(value,)`: a small artifact's value as JSON (for `GET artifacts`); None when it is
        larger, opaque, or not plain data."""
        if not 0 <= art["size"] <= INLINE_MAX_SIZE:
            return None
        found = self.value(flow, art)
        if not found.ok:
            return None
        try:
            value = to_json(found.value)
        except NotDecodable:
            return None
        return (value,) if len(json.dumps(value)) <= INLINE_MAX_TEXT else None


_MISSING = "its blob is not in the datastore (or is too large to read here)"


def _holds_objects(value: Any, depth: int = 0) -> bool:
    if isinstance(value, PickledObject):
        return True
    if depth > 64:
        return True
    if isinstance(value, dict):
        return any(_holds_objects(v, depth + 1) for v in value.values())
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(_holds_objects(v, depth + 1) for v in value)
    return False

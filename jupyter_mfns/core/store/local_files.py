"""Reading and writing the files of a local `.metaflow` folder, as Metaflow's local provider
lays them out: `_meta/_self.json` per object, `sysmeta_<field>_<n>.json` metadata rows and
`<attempt>_artifact_<name>.json` artifact rows. Nothing here decides what the rows mean."""

from __future__ import annotations

import json
import os
import re
import tempfile
from typing import Any, Dict, List, Optional, Tuple, Union

from .rules import MetadataError

META = "_meta"
SELF = "_self.json"
ATTEMPT_ARTIFACT = re.compile(r"^(\d+)_artifact_(.+)\.json$")
_SYSMETA = re.compile(r"^sysmeta_(.+)_(\d+)\.json$")


def read_json(path: str) -> Any:
    """A JSON file's content; MetadataError when it is not JSON (half-written, foreign)."""
    # os.open/os.read and json.loads on bytes: half the cost of a text-mode open, which
    # counts when a cold start reads 100k `_self.json` files
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(fd)
    try:
        return json.loads(b"".join(chunks).decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise MetadataError(f"{os.path.basename(path)} is not valid JSON ({exc})") from None


def read_capped(path: str, max_bytes: int) -> Optional[bytes]:
    """A whole file of at most `max_bytes`; None when it is missing, unreadable or larger."""
    try:
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)
    except OSError:
        return None
    return data if len(data) <= max_bytes else None


def token(st: os.stat_result) -> str:
    """Changes whenever the file does: inode on every atomic rename-over, mtime/size else."""
    return f"{st.st_ino}:{st.st_mtime_ns}:{st.st_size}"


def atomic_write_json(path: str, data: Any) -> None:
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".mfns-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def children(base: str) -> List[Tuple[str, int]]:
    """(name, created_at) of the child objects of a folder that have a `_meta/_self.json`,
    oldest first."""
    out: List[Tuple[str, int]] = []
    try:
        entries = list(os.scandir(base))
    except (FileNotFoundError, NotADirectoryError):
        return out
    for e in entries:
        if not e.is_dir() or e.name == META:
            continue
        try:
            obj = read_json(os.path.join(e.path, META, SELF))
        except (FileNotFoundError, NotADirectoryError, MetadataError):
            continue
        ts = obj.get("ts_epoch") if isinstance(obj, dict) else None
        if isinstance(ts, int):
            out.append((e.name, ts))
    out.sort(key=lambda x: (x[1], x[0]))
    return out


def metadata_rows(
    meta_dir: str, prefix: Union[str, Tuple[str, ...]] = "sysmeta_"
) -> List[Dict[str, Any]]:
    """Metadata rows of files named `prefix...`, oldest file first (as Metaflow's local
    provider sorts them); unreadable files are skipped."""
    try:
        names = sorted(n for n in os.listdir(meta_dir) if n.startswith(prefix))
    except OSError:
        return []
    rows: List[Dict[str, Any]] = []
    for name in names:
        m = _SYSMETA.match(name)
        if not m:
            continue
        try:
            obj = read_json(os.path.join(meta_dir, name))
        except (OSError, MetadataError):
            continue
        if isinstance(obj, dict):
            obj.setdefault("field_name", m.group(1))
            rows.append(obj)
    return rows


def artifact_row(meta_dir: str, attempt: int, name: str) -> Optional[Dict[str, Any]]:
    try:
        obj = read_json(os.path.join(meta_dir, f"{attempt}_artifact_{name}.json"))
    except (OSError, MetadataError):
        return None
    return obj if isinstance(obj, dict) else None

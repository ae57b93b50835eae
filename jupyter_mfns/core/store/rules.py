"""Metaflow's rules for reading a deployment's metadata, written once for every store.

Stores fetch raw rows their own way (files of a `.metaflow` folder, service answers); what the
rows mean is decided here, as Metaflow's client decides it (`metaflow/client/core.py`, its
metadata providers and metaflow-service's `tag/mutate`). Task status rules are in `status.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Mapping, Optional, Tuple, TypeVar

from ..errors import SystemTag
from ..model import ArtifactMetaJSON
from ..tags import check_user_tag_count, user_of
from .base import RunRecord

Row = Mapping[str, Any]
T = TypeVar("T")

#: a content address of Metaflow's datastore (sha1, or sha256 for newer stores)
SHA = re.compile(r"^[0-9a-f]{40,64}$")
_TYPE = re.compile(r"^<class '(.*)'>$")
_STR_ONLY = frozenset([str])
#: the step a run ends with when its `_parameters` task names none (older runs)
DEFAULT_END_STEP = "end"


def is_sha(value: Any) -> bool:
    return isinstance(value, str) and SHA.match(value) is not None


# -- run records -------------------------------------------------------------------------------
class MetadataError(ValueError):
    """A metadata file exists but cannot be parsed (half-written, truncated, foreign)."""


def _str_list(value: Any, what: str) -> Tuple[str, ...]:
    if value is None:
        return ()
    # `{str} >= types` runs in C: a cold start validates 100k runs' tag lists
    if not isinstance(value, list) or not _STR_ONLY.issuperset(map(type, value)):
        raise MetadataError(f"{what} is not a list of strings")
    return tuple(sorted(set(value)))


def run_record_from_json(flow: str, run_id: str, obj: Any, token: str) -> RunRecord:
    """Validate a run's own metadata (a local `_self.json`, or a service's run row)."""
    if not isinstance(obj, dict):
        raise MetadataError("run metadata is not a JSON object")
    ts = obj.get("ts_epoch")
    if not isinstance(ts, int) or isinstance(ts, bool):
        raise MetadataError("run metadata has no integer ts_epoch")
    system_tags = _str_list(obj.get("system_tags"), "system_tags")
    user = obj.get("user_name")
    return RunRecord(
        flow=flow,
        run_id=run_id,
        user=user if isinstance(user, str) else user_of(system_tags),
        tags=_str_list(obj.get("tags"), "tags"),
        system_tags=system_tags,
        created_at=ts,
        token=token,
    )


# -- metadata rows -----------------------------------------------------------------------------
def as_int(value: Any) -> Optional[int]:
    """An int from JSON, never a bool."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def values_of(metadata: Iterable[Row], field: str) -> List[str]:
    """The values of one metadata field, oldest first, as text."""
    return [str(m.get("value")) for m in metadata if m.get("field_name") == field]


def _set_value(values: Iterable[str]) -> Optional[str]:
    """Metaflow records an absent origin as the text "None"."""
    return next((v for v in values if v != "None"), None)


def origin_run_id(metadata: Iterable[Row]) -> Optional[str]:
    """The run a task was cloned from by `resume` (its `origin-run-id`)."""
    return _set_value(values_of(metadata, "origin-run-id"))


def origin_task_id(metadata: Iterable[Row]) -> Optional[str]:
    return _set_value(values_of(metadata, "origin-task-id"))


def newest(items: Iterable[T], created_at: Callable[[T], int]) -> Optional[T]:
    """The newest of `items` (Metaflow's `Step.task`, a run's newest step)."""
    return max(items, key=created_at, default=None)


def end_step(parameters_metadata: Iterable[Row]) -> Optional[str]:
    """The run's terminal step, from its `_parameters` task's `end_step` metadata
    (Metaflow's `_graph_endpoints`); None when that task names none."""
    for m in parameters_metadata:
        if m.get("field_name") == "end_step" and isinstance(m.get("value"), str):
            return str(m["value"])
    return None


# Metaflow's attempt rules: `attempt` rows are written when an attempt starts, `attempt-done`
# rows when it ends; the latest done attempt is the last `attempt-done` row.
def started_attempts(metadata: Iterable[Row]) -> List[int]:
    return [int(v) for v in values_of(metadata, "attempt") if v.isdigit()]


def done_attempts(metadata: Iterable[Row]) -> List[int]:
    return [int(v) for v in values_of(metadata, "attempt-done") if v.isdigit()]


def current_attempt(metadata: Iterable[Row]) -> int:
    """The latest started attempt (Metaflow's `Task.current_attempt`): its logs are shown."""
    return max(started_attempts(metadata), default=0)


def done_attempt(metadata: Iterable[Row]) -> Optional[int]:
    """The latest finished attempt: its artifacts are the task's."""
    done = done_attempts(metadata)
    return done[-1] if done else None


# -- artifacts ---------------------------------------------------------------------------------
def data_json_parts(data: Any) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """(objects: name -> sha, info: name -> {type, size, ...}) of an `<attempt>.data.json`."""
    if not isinstance(data, dict):
        return {}, {}
    objects = data.get("objects")
    info = data.get("info")
    return (objects if isinstance(objects, dict) else {}), (info if isinstance(info, dict) else {})


def artifacts_json(
    shas: Mapping[str, Any],
    info: Mapping[str, Any],
    encodings: Optional[Mapping[str, Any]] = None,
) -> List[ArtifactMetaJSON]:
    """Artifacts (name -> sha) with the type, size and encoding their data.json `info` records,
    by name (an artifact row's `content_type` names the encoding when `info` does not).

    Metaflow records a type as `<class 'pandas.core.frame.DataFrame'>`: the class path is kept;
    an unknown type reads "unknown", an unknown size -1 and an unknown encoding None.
    """
    out: List[ArtifactMetaJSON] = []
    for name, sha in shas.items():
        meta = info.get(name)
        meta = meta if isinstance(meta, dict) else {}
        raw_type = str(meta.get("type", ""))
        match = _TYPE.match(raw_type)
        size = as_int(meta.get("size"))
        encoding = meta.get("encoding") or (encodings or {}).get(name)
        out.append(
            ArtifactMetaJSON(
                name=str(name),
                type=match.group(1) if match else (raw_type or "unknown"),
                size=size if size is not None else -1,
                sha=str(sha),
                encoding=str(encoding) if isinstance(encoding, str) and encoding else None,
            )
        )
    out.sort(key=lambda a: a["name"])
    return out


#: the folder under a datastore's sysroot where IncludeFile uploads go (Metaflow's default)
DATATOOLS_SUFFIX = "data"


def included_file_sha(url: Any, root_url: str, flow: str) -> Optional[str]:
    """The sha naming an IncludeFile's upload when `url` is exactly `<root_url>/<flow>/<sha>`
    (Metaflow's uploader layout), else None: a descriptor's url is never followed as given."""
    if not isinstance(url, str):
        return None
    prefix = f"{root_url.rstrip('/')}/{flow}/"
    if not url.startswith(prefix):
        return None
    sha = url[len(prefix) :]
    return sha if is_sha(sha) else None


# -- tag changes -------------------------------------------------------------------------------
@dataclass(frozen=True)
class TagChange:
    """A run's user tags before and after a change, and what to send to make it."""

    existing: FrozenSet[str]
    new: FrozenSet[str]
    wanted: FrozenSet[str]  # tags asked for that are not system tags
    unwanted: FrozenSet[str]  # tags asked to go and not asked for at the same time

    @property
    def unchanged(self) -> bool:
        return self.new == self.existing

    @property
    def to_add(self) -> List[str]:
        return sorted(self.new - self.existing)

    @property
    def to_remove(self) -> List[str]:
        return sorted(self.existing - self.new)

    def reflected_in(self, tags: Iterable[str]) -> bool:
        """True when `tags` (read after writing) show this change, whatever others did."""
        after = frozenset(tags)
        return self.wanted <= after and not self.unwanted & after


def plan_tag_change(
    existing: Iterable[str], system: Iterable[str], add: Iterable[str], remove: Iterable[str]
) -> TagChange:
    """Metaflow's rule (its local provider and metaflow-service's `tag/mutate` alike):
    removals first, then additions; a system tag cannot be removed (SystemTag) and is never
    added as a user tag; a change may not grow the set beyond 50 user tags (InvalidTag)."""
    existing_set, system_set = frozenset(existing), frozenset(system)
    add_set, remove_set = frozenset(add), frozenset(remove)
    if remove_set & system_set:
        bad = ", ".join(sorted(remove_set & system_set))
        raise SystemTag(f"Cannot remove system tag(s) {bad}: system tags are immutable.")
    wanted = add_set - system_set
    change = TagChange(
        existing=existing_set,
        new=(existing_set - remove_set) | wanted,
        wanted=wanted,
        unwanted=remove_set - add_set,
    )
    if not change.unchanged:
        check_user_tag_count(change.new, existing_set)
    return change

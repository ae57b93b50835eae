"""JSON shapes answered by the Catalog; the REST API serves them as they are.

These TypedDicts are the contract shared by every front (REST, magic, widget) and mirrored by
`labextension/src/types.ts`. Times are epoch milliseconds (UTC). A namespace is a string, or
``None`` for the global namespace.
"""

from __future__ import annotations

from typing import List, Literal, Optional, TypedDict

Status = Literal["running", "succeeded", "failed", "unknown"]
NamespaceKind = Literal["user", "production", "tag", "system"]
ObjectType = Literal["flow", "run", "step", "task"]


class RunJSON(TypedDict):
    """One run, as `Run(pathspec)` describes it, with status computed without unpickling."""

    pathspec: str
    flow: str
    id: str
    user: Optional[str]
    tags: List[str]  # sorted user tags
    system_tags: List[str]  # sorted system tags
    created_at: int
    finished_at: Optional[int]
    status: Status
    origin_run: Optional[str]  # "Flow/RunId" it was resumed from, None for a plain run


class NamespaceJSON(TypedDict, total=False):
    """A namespace present in the store: a tag carried by at least one run."""

    namespace: str  # required
    kind: NamespaceKind  # required
    runs: int  # required: runs carrying this tag (all flows)
    flows: List[str]  # flows with a run in it (sorted)
    mine: bool  # production namespaces: the user holds this production token locally


class NamespacesJSON(TypedDict):
    default: Optional[str]  # None when Metaflow cannot tell the user (e.g. running as root)
    namespaces: List[NamespaceJSON]


class FlowJSON(TypedDict):
    flow: str
    runs: int  # runs of this flow in the namespace
    latest_run: Optional[str]  # pathspec of the newest run in the namespace


class FlowsJSON(TypedDict):
    namespace: Optional[str]
    flows: List[FlowJSON]


class RunPageJSON(TypedDict):
    namespace: Optional[str]
    flow: str
    tags: List[str]  # the filter applied
    runs: List[RunJSON]
    total: int  # runs matching the filter, all pages
    next_cursor: Optional[str]


class TagCountJSON(TypedDict):
    tag: str
    system: bool
    runs: int


class TagsJSON(TypedDict):
    namespace: Optional[str]
    flow: Optional[str]
    tags: List[TagCountJSON]


class StepJSON(TypedDict):
    pathspec: str
    name: str
    created_at: int
    finished_at: Optional[int]
    tasks: int


class TaskJSON(TypedDict):
    pathspec: str
    id: str
    step: str
    created_at: int
    finished_at: Optional[int]
    status: Status
    attempt: int  # latest attempt number (retries)
    origin_task: Optional[str]  # pathspec of the task it was cloned from on resume


class ObjectJSON(TypedDict):
    """`GET object`: the object, its enclosing run and its children.

    flow: children are the newest runs (first page), run: steps in execution order (created_at
    ascending), step: tasks, task: no children (see artifacts and logs).
    """

    type: ObjectType
    pathspec: str
    namespace: Optional[str]
    run: Optional[RunJSON]  # the enclosing run (None for a flow)
    step: Optional[StepJSON]  # for step and task objects
    task: Optional[TaskJSON]  # for task objects
    children: list  # List[RunJSON] | List[StepJSON] | List[TaskJSON] | []


class LogLineJSON(TypedDict):
    ts: Optional[int]
    text: str


class LogsJSON(TypedDict):
    pathspec: str
    stream: Literal["stdout", "stderr"]
    lines: List[LogLineJSON]
    truncated: bool  # earlier lines exist beyond the requested tail
    finished: bool  # the task has finished: no more lines will come


class ArtifactJSON(TypedDict):
    name: str
    type: str  # Python type as Metaflow recorded it, e.g. "pandas.DataFrame"
    size: int  # bytes, as serialized
    sha: str


class ArtifactsJSON(TypedDict):
    pathspec: str
    artifacts: List[ArtifactJSON]


class TagMutationJSON(TypedDict):
    pathspec: str
    tags: List[str]
    system_tags: List[str]

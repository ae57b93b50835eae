"""JSON shapes answered by the Catalog; the REST API serves them as they are.

These TypedDicts are the contract shared by every front (REST, magic, widget); the OpenAPI
document (`server/openapi.yaml`, from which the frontend's types are generated) names each in
`SCHEMAS`, and a test keeps both agreeing (fields and required-ness). Times are epoch
milliseconds (UTC). A namespace is a string, or ``None`` for the global namespace.
"""

from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional, TypedDict

Status = Literal["running", "succeeded", "failed", "unknown"]
NamespaceKind = Literal["user", "production", "tag", "system"]
ObjectType = Literal["flow", "run", "step", "task"]


class FailureJSON(TypedDict):
    """Why a failed run failed: its first failed task and that task's exception."""

    step: str
    task: str  # pathspec F/R/S/T
    exception: Optional[str]  # "ValueError: message" (None when nothing says)
    traceback: Optional[str]
    source: Literal["exception", "stderr"]  # the task's `_exception` artifact, or its stderr


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
    namespaces: List[str]  # the run's own namespaces: its user:/production: system tags
    # its Parameters (`_parameters` task, `_graph_info` order), decoded without unpickling;
    # non-finite floats as "NaN"/"Infinity"/"-Infinity"
    parameters: Dict[str, Any]
    opaque_parameters: List[str]  # parameters that cannot be decoded safely
    parameter_types: Dict[str, str]  # every parameter's type as Metaflow recorded it
    failure: Optional[FailureJSON]  # failed runs: which task failed, with what


class _NamespaceRequired(TypedDict):
    namespace: str
    kind: NamespaceKind
    runs: int  # runs carrying this tag (all flows)


class NamespaceJSON(_NamespaceRequired, total=False):
    """A namespace present in the store: a tag carried by at least one run."""

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
    where: List[str]  # the parameter expressions applied (ANDed)
    sort: str  # the order: -created_at (newest first), created_at, param:NAME, -param:NAME
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
    status: Status  # failed when a task failed, running while one runs (store/status.py)


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


class AttemptJSON(TypedDict):
    attempt: int
    started_at: Optional[int]
    finished_at: Optional[int]
    ok: Optional[bool]  # None while it runs (or when Metaflow recorded no outcome)


class TimelineTaskJSON(TaskJSON):
    """A task in `GET tasks`: when it started, and every attempt it made."""

    started_at: int  # when Metaflow created it and launched it (`Task.created_at`)
    attempts: List[AttemptJSON]


class TasksPageJSON(TypedDict):
    pathspec: str
    namespace: Optional[str]
    tasks: List[TimelineTaskJSON]  # by start, oldest first
    total: int
    next_cursor: Optional[str]
    finished: bool  # the run succeeded or failed: its tasks stopped changing


class DagStepJSON(TypedDict):
    name: str
    type: str  # Metaflow's node type: start, linear, split-static, split-foreach, join, end...
    next: List[str]
    doc: Optional[str]
    decorators: List[str]
    foreach_artifact: Optional[str]  # split-foreach: the artifact it fans out over
    matching_join: Optional[str]  # splits: the join closing them
    status: Literal["running", "succeeded", "failed", "unknown", "pending"]  # pending: no task
    tasks: int
    started_at: Optional[int]
    finished_at: Optional[int]  # once every task of the step finished


class DagJSON(TypedDict):
    pathspec: str
    namespace: Optional[str]
    start_step: str
    end_step: str
    steps: List[DagStepJSON]  # in Metaflow's graph order


class LogLineJSON(TypedDict):
    n: Optional[int]  # 1-based line number in the whole log (None: a tail of an uncounted log)
    ts: Optional[int]
    text: str


class LogsJSON(TypedDict):
    pathspec: str
    stream: Literal["stdout", "stderr"]
    lines: List[LogLineJSON]
    truncated: bool  # the log (or the selection asked for) holds lines left out of this answer
    finished: bool  # the task has finished: no more lines will come
    total_lines: Optional[int]  # lines in the whole log, when known
    matches: Optional[int]  # grep: lines matching in the whole log (None without grep)


class ArtifactMetaJSON(TypedDict):
    """An artifact as a store reads it from metadata."""

    name: str
    type: str  # Python type as Metaflow recorded it, e.g. "pandas.DataFrame"
    size: int  # bytes, as serialized (-1 when unknown)
    sha: str
    encoding: Optional[str]  # Metaflow's serializer, e.g. "pickle-v4" (None when unrecorded)


class _ArtifactRequired(ArtifactMetaJSON):
    variable: str  # the Python name the cell binds
    code: str  # the load cell, for the answer's namespace


class ArtifactJSON(_ArtifactRequired, total=False):
    """An artifact as `artifacts` answers it: with the cell that loads it in a notebook, and
    for a small plain value (scalar, short string, small list) that value, decoded safely."""

    value: Any


class ArtifactsJSON(TypedDict):
    pathspec: str
    artifacts: List[ArtifactJSON]


class CardJSON(TypedDict):
    """A card of a task, as `metaflow.cards.get_cards(task)` lists it."""

    type: str  # the card type (`default`, `blank`, a custom type)
    id: Optional[str]  # `@card(id=...)`, None when the card has none
    hash: str  # names the card within its task
    size: int  # bytes of its HTML


class CardsJSON(TypedDict):
    pathspec: str
    origin_task: Optional[str]  # the resumed-from task whose cards these are (else None)
    cards: List[CardJSON]


class CardDataJSON(TypedDict):
    """`GET card/data`: a card's latest live data, and whether more can come."""

    pathspec: str
    hash: str
    status: Status  # of the task
    finished: bool  # the task ended: the card is final, stop polling
    payload: Optional[Dict[str, Any]]  # Metaflow's {reload_token, data, created_on}, or None


class CompareRowJSON(TypedDict):
    """One row of a comparison: a value per run (in the order the runs were asked)."""

    name: str
    values: List[Any]
    differs: bool


class CompareParameterJSON(CompareRowJSON):
    """A parameter: values as RUN.parameters gives them (None where absent or opaque)."""

    present: List[bool]  # the run has this parameter
    opaque: List[bool]  # its value cannot be decoded safely (compared by its artifact's sha)


class _CompareCellRequired(TypedDict):
    sha: str  # the artifact's sha; a many-task step: a digest of its tasks' sorted shas
    size: int  # bytes (a many-task step: summed; -1 when unknown)
    type: str  # the recorded type (a many-task step: "mixed" when its tasks disagree)
    tasks: int  # tasks of the step holding it
    task: Optional[str]  # the task's pathspec when one task holds it (the load cell reads it)


class CompareCellJSON(_CompareCellRequired, total=False):
    """An artifact of one run's step: one task's, or a many-task step's taken together; a
    one-task artifact with a small plain value also carries that `value`, decoded safely."""

    value: Any


class CompareArtifactJSON(TypedDict):
    step: str
    name: str
    values: List[Optional[CompareCellJSON]]  # None: that run's step has no such artifact
    differs: bool
    code: Optional[str]  # the cell loading every run's value and showing what differs


class CompareStepJSON(TypedDict):
    name: str
    status: List[Optional[str]]  # the step's status in each run (None: the run has no such step)
    durations_ms: List[Optional[int]]  # first task start to last task end (None: unfinished)
    tasks: List[int]
    task: List[Optional[str]]  # the pathspec of a step's only task
    cloned: List[bool]  # every task of the step was cloned by `resume`
    differs: bool  # status, or any of its artifacts, differ


class CompareJSON(TypedDict):
    """`GET compare`: 2 to 8 runs side by side, artifacts by sha (nothing is loaded)."""

    namespace: Optional[str]
    runs: List[RunJSON]
    summary: List[CompareRowJSON]  # status, duration, user, tags, failure, origin
    parameters: List[CompareParameterJSON]
    steps: List[CompareStepJSON]  # graph order of the first run, then the others' steps
    artifacts: List[CompareArtifactJSON]  # by step (as `steps`), then name


class TagMutationJSON(TypedDict):
    pathspec: str
    tags: List[str]
    system_tags: List[str]


class LimitsJSON(TypedDict):
    default_page_size: int
    max_page_size: int
    max_log_tail: int
    max_body_size: int
    max_tag_length: int
    max_user_tags: int


class ProblemJSON(TypedDict):
    pathspec: str
    message: str


class _StatusRequired(TypedDict):
    version: str
    available: bool
    error: Optional[str]
    store: Optional[str]
    default_namespace: Optional[str]
    problems: List[ProblemJSON]
    limits: LimitsJSON
    parameters_indexed: bool  # every indexed run's parameters are (where/sort answer at once)


class StatusJSON(_StatusRequired, total=False):
    """`GET status`: the server's store, its unreadable runs and its request limits, and how
    it notices changes in the store (`detection`: `strategy` and what that strategy reports,
    e.g. the `reason` it fell back to rescanning)."""

    detection: Dict[str, Any]


class _EventRequired(TypedDict):
    type: Literal["runs", "run"]


class EventJSON(_EventRequired, total=False):
    """A message of the `events` websocket: what to re-fetch."""

    flow: str  # `runs`: the flow whose runs appeared or went
    pathspec: str  # `run`: the run whose tags or status changed


class ErrorJSON(TypedDict):
    reason: str
    message: str


#: the OpenAPI schema (`components/schemas`) of each shape
SCHEMAS: Dict[str, type] = {
    "Run": RunJSON,
    "NamespaceEntry": NamespaceJSON,
    "Namespaces": NamespacesJSON,
    "FlowEntry": FlowJSON,
    "Flows": FlowsJSON,
    "RunPage": RunPageJSON,
    "TagCount": TagCountJSON,
    "Tags": TagsJSON,
    "Step": StepJSON,
    "Task": TaskJSON,
    "Object": ObjectJSON,
    "LogLine": LogLineJSON,
    "Logs": LogsJSON,
    "Failure": FailureJSON,
    "Attempt": AttemptJSON,
    "TimelineTask": TimelineTaskJSON,
    "TasksPage": TasksPageJSON,
    "DagStep": DagStepJSON,
    "Dag": DagJSON,
    "Artifact": ArtifactJSON,
    "Artifacts": ArtifactsJSON,
    "TagMutation": TagMutationJSON,
    "CompareRow": CompareRowJSON,
    "CompareParameter": CompareParameterJSON,
    "CompareCell": CompareCellJSON,
    "CompareArtifact": CompareArtifactJSON,
    "CompareStep": CompareStepJSON,
    "Compare": CompareJSON,
    "Card": CardJSON,
    "Cards": CardsJSON,
    "CardData": CardDataJSON,
    "Limits": LimitsJSON,
    "Problem": ProblemJSON,
    "ServerStatus": StatusJSON,
    "Event": EventJSON,
    "Error": ErrorJSON,
}

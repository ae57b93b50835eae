"""Single objects, read fresh from the store: runs, steps, tasks, artifacts, tag edits.

Each is checked against the namespace as Metaflow's client checks `Run(pathspec)`: an object
whose run does not carry the namespace tag is refused (409, naming the run's own namespaces).
"""

from __future__ import annotations

from typing import Any, Iterable, List, Optional, Sequence, Tuple, cast

from .errors import MfnsError, NamespaceMismatch, NotFound
from .listing import RunListing
from .loadcode import load_cell, variable_for
from .model import (
    ArtifactJSON,
    ArtifactsJSON,
    ObjectJSON,
    ObjectType,
    RunJSON,
    StepJSON,
    TagMutationJSON,
    TaskJSON,
)
from .parts import Parts, Room
from .pathspec import Pathspec, parse_pathspec
from .shapes import run_json, step_json, task_json
from .store.base import RunRecord, StepRecord
from .tags import owner_namespaces, validate_tag_list

#: runs listed as the children of a flow object
FLOW_CHILDREN = 50


class ObjectQueries(Room):
    """Runs, steps and tasks by pathspec, their artifacts, and run tag edits."""

    def __init__(self, parts: Parts, listing: RunListing) -> None:
        super().__init__(parts)
        self.listing = listing

    # -- the namespace check -----------------------------------------------------------------
    def run_in_namespace(self, ps: Pathspec, ns: Optional[str]) -> RunRecord:
        """Read the run fresh; 404 when absent, 409 (with owners) when outside `ns`."""
        assert ps.run is not None
        rec = self.store.read_run(ps.flow, ps.run)
        if rec is None:
            why = self.refresher.broken_reason(ps.flow, ps.run)
            if why is not None:
                raise NotFound(f"Run {ps.flow}/{ps.run} cannot be read: {why}")
            raise NotFound(f"Run {ps.flow}/{ps.run} does not exist.")
        self.refresher.upsert(rec)
        if ns is not None and ns not in rec.all_tags:
            raise NamespaceMismatch(str(ps), ns, owner_namespaces(rec.system_tags))
        return rec

    def task(self, pathspec: str, ns: Optional[str], what: str = "task pathspec") -> Pathspec:
        """Validate a task pathspec, its namespace and its existence."""
        ps = parse_pathspec(pathspec, min_depth=4, max_depth=4, what=what)
        self.run_in_namespace(ps, ns)
        if not self.store.task_exists(*ps.task_parts()):
            raise NotFound(f"Task {ps} does not exist.")
        return ps

    # -- objects -----------------------------------------------------------------------------
    def _run_json(self, rec: RunRecord) -> RunJSON:
        row = self.index.run_row(rec.flow, rec.run_id)
        details = self.parts.details.of_run(rec.flow, rec.run_id, row)
        extras = self.parts.results.of_runs(rec.flow, [(rec, details)])[0]
        return run_json(rec, details, extras)

    def run(self, pathspec: str, ns: Optional[str]) -> RunJSON:
        """One run by pathspec (`Run(pathspec)` in the namespace)."""
        ps = parse_pathspec(pathspec, min_depth=2, max_depth=2, what="run pathspec")
        return self._run_json(self.run_in_namespace(ps, ns))

    def get_object(self, pathspec: str, ns: Optional[str]) -> ObjectJSON:
        """A flow, run, step or task with its children (404, or 409 with the owners)."""
        ps = parse_pathspec(pathspec)

        def answer(
            run: Optional[RunJSON] = None,
            step: Optional[StepJSON] = None,
            task: Optional[TaskJSON] = None,
            children: Sequence[Any] = (),
        ) -> ObjectJSON:
            kind = cast(ObjectType, ps.type)
            return ObjectJSON(
                type=kind, pathspec=str(ps), namespace=ns, run=run, step=step, task=task,
                children=list(children),
            )  # fmt: skip

        if ps.run is None:
            page = self.listing.runs(ps.flow, ns, limit=FLOW_CHILDREN)
            return answer(children=page["runs"])
        rec = self.run_in_namespace(ps, ns)
        run = self._run_json(rec)
        if ps.step is None:
            steps = [
                step_json(rec, s, self.store.tasks(ps.flow, rec.run_id, s.name))
                for s in self.steps_in_execution_order(rec.flow, rec.run_id, run["origin_run"])
            ]
            return answer(run=run, children=steps)
        step_rec = self._find_step(ps)
        tasks = self.store.tasks(ps.flow, rec.run_id, step_rec.name)
        step = step_json(rec, step_rec, tasks)
        if ps.task is None:
            return answer(run=run, step=step, children=[task_json(rec, t) for t in tasks])
        task = next((t for t in tasks if t.task_id == ps.task), None)
        if task is None:
            raise NotFound(f"Task {ps} does not exist.")
        return answer(run=run, step=step, task=task_json(rec, task))

    def steps_in_execution_order(
        self, flow: str, run_id: str, origin_run: Optional[str]
    ) -> List[StepRecord]:
        """Steps oldest first. A resume clones the finished steps in no particular order, so
        cloned steps take their place in the origin run (whose steps all came first)."""
        steps = self.store.steps(flow, run_id)
        if not origin_run:
            return steps
        try:
            origin = {
                s.name: s.created_at for s in self.store.steps(flow, origin_run.split("/")[1])
            }
        except MfnsError:
            return steps
        cloned = {
            s.name
            for s in steps
            if s.name in origin
            and all(t.origin_task_id for t in self.store.tasks(flow, run_id, s.name))
        }

        def when(step: StepRecord) -> Tuple[int, int]:
            if step.name in cloned:
                return (0, origin[step.name])
            return (1, step.created_at)

        return sorted(steps, key=when)

    def _find_step(self, ps: Pathspec) -> StepRecord:
        assert ps.run is not None and ps.step is not None
        for s in self.store.steps(ps.flow, ps.run):
            if s.name == ps.step:
                return s
        raise NotFound(f"Step {ps.flow}/{ps.run}/{ps.step} does not exist.")

    # -- artifacts ---------------------------------------------------------------------------
    def artifacts(
        self, pathspec: str, ns: Optional[str], include_private: bool = False
    ) -> ArtifactsJSON:
        """Name, type, size and sha of a task's artifacts, from metadata only."""
        ps = self.task(pathspec, ns)
        arts = self.store.artifacts(*ps.task_parts())
        if not include_private:
            arts = [a for a in arts if not a["name"].startswith("_")]
        items = []
        values = self.parts.results.values
        for art in arts:
            artifact = f"{ps}/{art['name']}"
            variable = variable_for(art["name"])
            code = load_cell(artifact, ns, variable)
            item = ArtifactJSON(**art, variable=variable, code=code)
            small = values.inline(ps.flow, art)
            if small is not None:
                item["value"] = small[0]
            items.append(item)
        return ArtifactsJSON(pathspec=str(ps), artifacts=items)

    # -- tags --------------------------------------------------------------------------------
    def mutate_tags(
        self, pathspec: str, add: Iterable[str], remove: Iterable[str], ns: Optional[str]
    ) -> TagMutationJSON:
        """Remove then add user tags on a run, atomically, with Metaflow's rules.

        The run's created_at, user and place among runs do not change.
        """
        ps = parse_pathspec(pathspec, min_depth=2, max_depth=2, what="run pathspec")
        add_list = validate_tag_list(list(add) if not isinstance(add, str) else [add], "add")
        remove_list = validate_tag_list(
            list(remove) if not isinstance(remove, str) else [remove], "remove"
        )
        self.run_in_namespace(ps, ns)
        assert ps.run is not None
        rec = self.store.mutate_tags(ps.flow, ps.run, add_list, remove_list)
        self.refresher.upsert(rec)
        return TagMutationJSON(
            pathspec=str(ps), tags=sorted(rec.tags), system_tags=sorted(rec.system_tags)
        )

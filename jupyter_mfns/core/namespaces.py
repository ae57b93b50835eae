"""What the store holds, by namespace: the namespaces themselves, flows, and tags in use."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from . import identity
from .model import FlowJSON, FlowsJSON, NamespaceJSON, NamespacesJSON, TagCountJSON, TagsJSON
from .parts import Room
from .pathspec import check_flow_name
from .tags import namespace_kind, production_token

#: how `GET namespaces` orders its kinds (then by name): the frontends show them in this order
KIND_ORDER = {"user": 0, "production": 1, "tag": 2, "system": 3}


class NamespaceQueries(Room):
    """Namespace, flow and tag aggregates over the index."""

    def namespaces(self, default: Optional[str]) -> NamespacesJSON:
        """Every tag as a namespace with its kind and run count, plus the default."""
        self.refresher.fresh()
        agg: Dict[str, Dict[str, Any]] = self.parts.derived.get("namespaces", self._tag_totals)
        held = identity.held_production_tokens()
        out: List[NamespaceJSON] = []
        for tag, e in agg.items():
            kind = namespace_kind(tag, e["system"])
            item = NamespaceJSON(namespace=tag, kind=kind, runs=e["runs"], flows=sorted(e["flows"]))
            if kind == "production":
                item["mine"] = production_token(tag) in held
            out.append(item)
        out.sort(key=lambda n: (KIND_ORDER[n["kind"]], n["namespace"]))
        return NamespacesJSON(default=default, namespaces=out)

    def _tag_totals(self) -> Dict[str, Dict[str, Any]]:
        """Per tag: runs carrying it, their flows, whether it is a system tag."""
        agg: Dict[str, Dict[str, Any]] = {}
        for tag, flow, system, n in self.index.tag_counts():
            entry = agg.setdefault(tag, {"runs": 0, "flows": set(), "system": False})
            entry["runs"] += n
            entry["flows"].add(flow)
            entry["system"] |= bool(system)
        return agg

    def flows(self, ns: Optional[str]) -> FlowsJSON:
        """Flows with a run in the namespace (all flows globally), with counts and latest run."""
        self.refresher.fresh()
        if ns is None:
            counts = self.index.flow_counts()
            names = sorted(set(self.store.flows()) | set(counts))
        else:
            counts = self.index.flows_with_tag(ns)
            names = sorted(counts)
        flows = []
        for flow in names:
            latest = self.index.latest_in(flow, ns)
            flows.append(
                FlowJSON(
                    flow=flow,
                    runs=counts.get(flow, 0),
                    latest_run=f"{flow}/{latest}" if latest else None,
                )
            )
        return FlowsJSON(namespace=ns, flows=flows)

    def tags(self, ns: Optional[str], flow: Optional[str] = None) -> TagsJSON:
        """Tags carried by runs in the namespace (for autocomplete), most used first."""
        flow = check_flow_name(flow) if flow else None
        self.refresher.fresh()
        rows: List[Tuple[str, int, int]]
        if ns is None:
            agg: Dict[str, List[int]] = {}
            for tag, f, system, n in self.index.tag_counts():
                if flow is None or f == flow:
                    a = agg.setdefault(tag, [0, 0])
                    a[0] |= system
                    a[1] += n
            rows = [(t, s, n) for t, (s, n) in agg.items()]
        else:
            ns_name = ns
            rows = self.parts.derived.get(
                ("tags", ns, flow), lambda: self.index.tags_of_runs_in(ns_name, flow)
            )
        tags = [TagCountJSON(tag=t, system=bool(s), runs=n) for t, s, n in rows]
        tags.sort(key=lambda t: (-t["runs"], t["tag"]))
        return TagsJSON(namespace=ns, flow=flow, tags=tags)

"""`jupyter_mfns.browse()`: an ipywidgets results browser that needs no server extension.

It runs wherever ipywidgets render (JupyterLab, the classic notebook, VS Code): namespace
dropdown, flow and tag filters, the runs table, a run's tasks, a task's stdout/stderr, its
cards (sandboxed, `widget_cards.py`), and its artifacts with Load buttons that bind the
(pandas) value to a chosen variable in the kernel.
Every query goes through the kernel session's Catalog with the browser's own namespace; with
"linked to kernel" on, that namespace is the kernel's Metaflow namespace, both ways.
"""

from __future__ import annotations

import html
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, MutableMapping, Optional, Tuple

import ipywidgets as widgets

from ..core.errors import MfnsError
from ..core.loadcode import load_line
from ..core.model import ArtifactJSON, RunJSON
from .labels import NBSP, pad, parameter_names, run_label, runs_header
from .loading import (
    CURRENT,
    NamespaceArg,
    bind,
    check_variable_name,
    default_variable_name,
    load_conversion,
    resolve,
)
from .progress import human_size
from .session import KernelSession, NamespaceChange, get_session
from .widget_cards import CardsBox

GLOBAL = ""  # dropdown value standing for the global namespace (a tag is never empty)
GLOBAL_LABEL = "(global: every namespace)"
RUN_LIMIT = 100
LOG_TAIL = 200

_STYLE = """<style>
.mfns-browser .mfns-mono select, .mfns-browser .mfns-mono option,
.mfns-browser .mfns-head { font-family: monospace; white-space: nowrap; overflow: hidden; }
.mfns-browser .mfns-head { padding: 0 4px; color: var(--jp-ui-font-color2, #666); }
.mfns-browser pre.mfns-log { max-height: 18em; overflow: auto; margin: 0; font-size: 90%; }
.mfns-browser .mfns-error { color: var(--jp-error-color1, #c62828); }
</style>"""


def _ns_value(namespace: Optional[str]) -> str:
    return GLOBAL if namespace is None else namespace


def _ns_of(value: str) -> Optional[str]:
    return None if value == GLOBAL else value


class ArtifactRow(widgets.HBox):
    """One artifact: name, type, size, the variable to bind, and its Load button."""

    def __init__(self, browser: Browser, task: str, artifact: ArtifactJSON) -> None:
        self.artifact = artifact
        self.pathspec = f"{task}/{artifact['name']}"
        self.name_input = widgets.Text(
            value=default_variable_name(artifact["name"]),
            description="as",
            layout=widgets.Layout(width="16em"),
            style={"description_width": "2em"},
        )
        self.load_button = widgets.Button(
            description="Load",
            icon="download",
            tooltip=f"Load {self.pathspec} into the variable on the left",
            layout=widgets.Layout(width="7em"),
        )
        self.load_button.on_click(lambda _: browser.load(self.pathspec, self.name_input.value))
        cells = [
            widgets.HTML(f"<b>{html.escape(artifact['name'])}</b>", layout={"width": "14em"}),
            widgets.HTML(html.escape(artifact["type"]), layout={"width": "16em"}),
            widgets.HTML(human_size(artifact["size"]), layout={"width": "7em"}),
        ]
        super().__init__([*cells, self.name_input, self.load_button])


class Browser(widgets.VBox):
    """The browser widget; its child widgets are attributes so code and tests can drive it."""

    def __init__(
        self,
        namespace: NamespaceArg = CURRENT,
        flow: Optional[str] = None,
        link: bool = False,
        session: Optional[KernelSession] = None,
        user_ns: Optional[MutableMapping[str, Any]] = None,
    ) -> None:
        self.session = session or get_session()
        self.user_ns = user_ns if user_ns is not None else _user_namespace()
        self._quiet = False
        self._following = False  # applying the kernel's change: do not send it back
        self._unsubscribe: Any = None
        self.runs: List[RunJSON] = []
        self.artifact_rows: List[ArtifactRow] = []

        self.namespace_select = widgets.Dropdown(description="Namespace")
        self.link_box = widgets.Checkbox(
            value=False,
            description="linked to kernel",
            indent=False,
            tooltip="Keep this namespace and the kernel's Metaflow namespace the same",
            layout={"width": "auto"},
        )
        self.flow_select = widgets.Dropdown(description="Flow")
        self.tag_filter = widgets.TagsInput(
            allow_duplicates=False, layout={"width": "28em", "min_height": "28px"}
        )
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh")
        self.note = widgets.HTML()
        self.runs_header = widgets.HTML()
        self.runs_header.add_class("mfns-mono")
        self.runs_select = widgets.Select(rows=8, layout={"width": "100%"})
        self.runs_select.add_class("mfns-mono")
        self.tasks_select = widgets.Select(rows=6, layout={"width": "100%"})
        self.tasks_select.add_class("mfns-mono")
        self.stream_toggle = widgets.ToggleButtons(options=["stdout", "stderr"], value="stdout")
        self.log_view = widgets.HTML()
        self.artifacts_box = widgets.VBox()
        self.status = widgets.HTML()
        self.cards_box = CardsBox(self.session, self._error)

        logs = widgets.VBox([self.stream_toggle, self.log_view])
        tabs = widgets.Tab([logs, self.artifacts_box, self.cards_box])
        for index, title in enumerate(("Logs", "Artifacts", "Cards")):
            tabs.set_title(index, title)
        tabs.observe(lambda c: self.cards_box.set_active(c["new"] == 2), "selected_index")
        self.tabs = tabs
        super().__init__(
            [
                widgets.HTML(_STYLE),
                widgets.HBox([self.namespace_select, self.link_box, self.refresh_button]),
                widgets.HBox([self.flow_select, widgets.Label("tags"), self.tag_filter]),
                self.note,
                widgets.HTML("<b>Runs</b> (newest first)"),
                self.runs_header,
                self.runs_select,
                widgets.HTML("<b>Tasks</b>"),
                self.tasks_select,
                tabs,
                self.status,
            ]
        )
        self.add_class("mfns-browser")

        try:
            start = resolve(namespace, self.session)
        except MfnsError as error:
            start = None
            self._error(str(error))
        self._fill_namespaces(start)
        self._fill_flows(flow)
        self.namespace_select.observe(self._on_namespace, "value")
        self.flow_select.observe(lambda _: self._guard(self.show_runs), "value")
        self.tag_filter.observe(lambda _: self._guard(self.show_runs), "value")
        self.runs_select.observe(lambda _: self._guard(self.show_tasks), "value")
        self.tasks_select.observe(lambda _: self._guard(self.show_task), "value")
        self.stream_toggle.observe(lambda _: self._guard(self.show_log), "value")
        self.link_box.observe(self._on_link, "value")
        self.refresh_button.on_click(lambda _: self.refresh())
        self._guard(self.show_runs)
        if link:
            self.link_box.value = True

    # -- state ---------------------------------------------------------------------------------
    @property
    def namespace(self) -> Optional[str]:
        """The namespace shown (None: global)."""
        return _ns_of(self.namespace_select.value or GLOBAL)

    @property
    def flow(self) -> Optional[str]:
        return self.flow_select.value or None

    @property
    def run(self) -> Optional[str]:
        return self.runs_select.value or None

    @property
    def task(self) -> Optional[str]:
        return self.tasks_select.value or None

    @contextmanager
    def _silenced(self) -> Iterator[None]:
        """Programmatic updates of options must not trigger the observers' queries."""
        was, self._quiet = self._quiet, True
        try:
            yield
        finally:
            self._quiet = was

    def _guard(self, action: Any) -> None:
        if self._quiet:
            return
        try:
            action()
        except MfnsError as error:
            self._error(str(error))

    def _error(self, message: str) -> None:
        self.status.value = f'<span class="mfns-error">{html.escape(message)}</span>'

    def _say(self, message: str) -> None:
        self.status.value = html.escape(message)

    # -- namespaces and flows ------------------------------------------------------------------
    def _fill_namespaces(self, selected: Optional[str]) -> None:
        listing = self.session.catalog.namespaces()["namespaces"]
        options: List[Tuple[str, str]] = []
        for item in listing:
            if item["kind"] != "system" or item["namespace"] == selected:
                options.append((f"{item['namespace']} ({item['runs']})", item["namespace"]))
        if selected is not None and selected not in [v for _, v in options]:
            options.insert(0, (f"{selected} (no runs)", selected))
        options.append((GLOBAL_LABEL, GLOBAL))
        with self._silenced():
            self.namespace_select.options = options
            self.namespace_select.value = _ns_value(selected)

    def _fill_flows(self, preferred: Optional[str] = None) -> None:
        flows = [f["flow"] for f in self.session.catalog.flows(self.namespace)["flows"]]
        keep = preferred if preferred in flows else self.flow_select.value
        with self._silenced():
            self.flow_select.options = flows
            self.flow_select.value = keep if keep in flows else (flows[0] if flows else None)
        self._fill_tags()

    def _fill_tags(self) -> None:
        tags = self.session.catalog.tags(self.namespace, self.flow)["tags"] if self.flow else []
        allowed = [t["tag"] for t in tags if not t["system"]] + [
            t["tag"] for t in tags if t["system"]
        ]
        with self._silenced():
            self.tag_filter.allowed_tags = allowed
            self.tag_filter.value = [t for t in self.tag_filter.value if t in allowed]

    def set_namespace(self, namespace: Optional[str]) -> None:
        """Show `namespace` (None: global), as if chosen in the dropdown."""
        if _ns_value(namespace) not in [v for _, v in self.namespace_select.options]:
            self._fill_namespaces(namespace)
            self._on_namespace(None)
        else:
            self.namespace_select.value = _ns_value(namespace)

    def _on_namespace(self, _: Any) -> None:
        if self._quiet:
            return
        if self.link_box.value and not self._following:
            try:
                self.session.set_namespace(self.namespace, "widget", origin=self)
            except MfnsError as error:
                self._error(str(error))
        self._guard(self._fill_flows)
        self._guard(self.show_runs)

    def refresh(self) -> None:
        """Re-read namespaces, flows, tags and runs (new runs appear)."""
        self._guard(lambda: self._fill_namespaces(self.namespace))
        self._guard(self._fill_flows)
        self._guard(self.show_runs)

    # -- linking with the kernel ---------------------------------------------------------------
    def _on_link(self, change: Dict[str, Any]) -> None:
        if change["new"]:
            self._unsubscribe = self.session.subscribe(self._on_kernel_change)
            try:
                self.set_namespace(self.session.namespace)  # the kernel's namespace wins
            except MfnsError as error:
                self._error(str(error))
        elif self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _on_kernel_change(self, change: NamespaceChange) -> None:
        if change.origin is self or change.namespace == self.namespace:
            return
        self._following = True
        try:
            self.set_namespace(change.namespace)
        finally:
            self._following = False

    # -- runs, tasks, logs, artifacts ----------------------------------------------------------
    def show_runs(self) -> None:
        """List the newest runs of the flow in the namespace carrying every chosen tag."""
        ns, flow = self.namespace, self.flow
        notes = []
        if ns is None:
            notes.append('Global namespace: runs by everyone; "latest" means nothing here.')
        if not flow:
            self.runs = []
            notes.append(f"No flow has runs in namespace {ns!r}." if ns else "No flows yet.")
        else:
            page = self.session.catalog.runs(flow, ns, list(self.tag_filter.value), RUN_LIMIT)
            self.runs = page["runs"]
            if page["total"] > len(self.runs):
                notes.append(f"Showing the newest {len(self.runs)} of {page['total']} runs.")
            elif not self.runs:
                notes.append("No run carries every chosen tag.")
        self.note.value = "<br>".join(html.escape(n) for n in notes)
        params = parameter_names(self.runs)
        self.runs_header.value = f'<div class="mfns-head">{runs_header(params)}</div>'
        with self._silenced():
            self.runs_select.options = [(run_label(r, params), r["pathspec"]) for r in self.runs]
            self.runs_select.value = None
        self.show_tasks()

    def show_tasks(self) -> None:
        """List the selected run's tasks, step by step."""
        options: List[Tuple[str, str]] = []
        if self.run:
            catalog, ns = self.session.catalog, self.namespace
            for step in catalog.get_object(self.run, ns)["children"]:
                for task in catalog.get_object(step["pathspec"], ns)["children"]:
                    label = f"{step['name']}/{task['id']}"
                    options.append((pad(label, 32) + NBSP + task["status"], task["pathspec"]))
        with self._silenced():
            self.tasks_select.options = options
            self.tasks_select.value = None
        self.show_task()

    def show_task(self) -> None:
        """Show the selected task's log and artifacts."""
        self.show_log()
        self.artifact_rows = []
        if self.task:
            listing = self.session.catalog.artifacts(self.task, self.namespace)["artifacts"]
            self.artifact_rows = [ArtifactRow(self, self.task, a) for a in listing]
        self.artifacts_box.children = self.artifact_rows or [
            widgets.HTML("<i>Choose a task to see its artifacts.</i>" if not self.task else "")
        ]
        self.cards_box.show(self.task, self.namespace)

    def show_log(self) -> None:
        """The last lines of the selected task's stdout or stderr."""
        if not self.task:
            self.log_view.value = "<i>Choose a task to see its output.</i>"
            return
        stream = self.stream_toggle.value
        logs = self.session.catalog.logs(self.task, stream, self.namespace, LOG_TAIL)
        text = "\n".join(line["text"] for line in logs["lines"])
        head = ""
        if logs["truncated"]:
            head = f"[last {LOG_TAIL} lines; %mfns logs {self.task} for all]\n"
        body = html.escape(head + text) if text else f"[nothing on {stream}]"
        self.log_view.value = f'<pre class="mfns-log">{body}</pre>'

    def load(self, pathspec: str, name: str) -> Any:
        """Load an artifact (pandas when tabular) into the kernel variable `name`."""
        try:
            check_variable_name(name)
            conversion = load_conversion(
                pathspec, self.namespace, self.session, show=self._progress
            )
            summary = bind(self.user_ns, name, conversion)
        except MfnsError as error:
            self._error(str(error))
            return None
        code = load_line(pathspec, self.namespace, name)
        self.status.value = f"Loaded: {html.escape(summary)}<br><code>{html.escape(code)}</code>"
        return conversion.value

    def _progress(self, text: str, running: bool) -> None:
        self.status.value = html.escape(text)

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        super().close()


def _user_namespace() -> MutableMapping[str, Any]:
    """The kernel user's variables (a private dict outside IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - ipywidgets depends on IPython
        return {}
    shell = get_ipython()
    return shell.user_ns if shell is not None else {}


def browse(
    namespace: NamespaceArg = CURRENT, flow: Optional[str] = None, link: bool = False
) -> Browser:
    """Open the results browser (display the returned widget, e.g. as a cell's last line).

    namespace: the namespace to start in: by default the kernel's current Metaflow namespace,
      None for global, or a name such as "user:will".
    flow: the flow to show first (default: the first flow with runs in the namespace).
    link: keep the browser's namespace and the kernel's Metaflow namespace the same, both ways
      (the "linked to kernel" checkbox).
    """
    return Browser(namespace=namespace, flow=flow, link=link)

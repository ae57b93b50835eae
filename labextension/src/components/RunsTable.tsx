import * as React from 'react';

import { formatAge, formatFullTime, formatSpan, plural } from '../format';
import type { RunListModel } from '../models/runs';
import { namespaceLabel, orderSystemTags } from '../namespaces';
import type { IRun } from '../types';
import { ActionsContext } from './actions';
import { Loading, Problem } from './Problem';
import { NoRuns, UserTags } from './RunTags';
import { StatusIcon } from './Status';
import { TagChip } from './TagChip';
import { TagFilter } from './TagFilter';

/** Wider than this, a run fits on one line; narrower, its tags go on a second line. */
const WIDE = 560;
const ROW_WIDE = 30;
const ROW_NARROW = 48;
/** Rows rendered beyond the visible ones, and how close to the end the next page loads. */
const OVERSCAN = 10;

/** One run's row: status, id, user, created, duration, tags (system tags apart). */
function RunRow(props: {
  run: IRun;
  index: number;
  top: number;
  height: number;
  active: boolean;
  fresh: boolean;
  id: string;
  onOpen: () => void;
  onTag: (tag: string) => void;
}): JSX.Element {
  const { run } = props;
  const cls =
    'jp-mfns-runrow' +
    (props.active ? ' jp-mod-active' : '') +
    (props.fresh ? ' jp-mfns-fresh' : '');
  return (
    <div
      className={cls}
      role="row"
      id={props.id}
      aria-rowindex={props.index + 2}
      aria-selected={props.active}
      style={{ top: props.top, height: props.height }}
      onClick={props.onOpen}
      data-pathspec={run.pathspec}
    >
      <span className="jp-mfns-col-status" role="gridcell">
        <StatusIcon status={run.status} />
      </span>
      <span
        className="jp-mfns-col-id jp-mfns-mono"
        role="gridcell"
        title={run.pathspec}
      >
        {run.id}
      </span>
      <span className="jp-mfns-col-user" role="gridcell" title={run.user ?? ''}>
        {run.user ?? '—'}
      </span>
      <span
        className="jp-mfns-col-created"
        role="gridcell"
        title={formatFullTime(run.created_at)}
      >
        {formatAge(run.created_at)}
      </span>
      <span className="jp-mfns-col-duration" role="gridcell">
        {formatSpan(run.created_at, run.finished_at, run.status === 'running')}
      </span>
      <span
        className="jp-mfns-col-tags"
        role="gridcell"
        title={[...run.tags, ...run.system_tags].join(', ')}
      >
        <UserTags run={run} onTag={props.onTag} />
        {run.system_tags.length > 0 && (
          <span className="jp-mfns-chip-sep" aria-hidden="true" />
        )}
        {orderSystemTags(run).map(t => (
          <TagChip key={t} tag={t} system />
        ))}
      </span>
    </div>
  );
}

/** A key that changes with the list's namespace, flow and filter: a new list starts at the top. */
export function runsKey(runs: RunListModel): string {
  return JSON.stringify([runs.namespace, runs.flow, runs.tags]);
}

/**
 * The runs of a flow, newest first: a virtualized grid that fetches pages as it
 * scrolls, so 100k runs stay smooth. Arrow keys move, Enter opens.
 */
export function RunsTable(props: {
  runs: RunListModel;
  /** Switch to a namespace that owns the flow, after a namespace mismatch. */
  onSwitch: (owner: string) => void;
  /** Back to the flows of the namespace, after a namespace mismatch. */
  onBack?: () => void;
}): JSX.Element {
  const { runs } = props;
  const actions = React.useContext(ActionsContext);
  // A run opens in its main-area tab, read in the list's namespace.
  const onOpen = (run: IRun) =>
    void actions.open({
      kind: 'run',
      pathspec: run.pathspec,
      namespace: runs.namespace
    });
  const scroller = React.useRef<HTMLDivElement>(null);
  const [view, setView] = React.useState({ top: 0, height: 400, width: 400 });
  const [active, setActiveState] = React.useState(-1);
  // Keys can arrive before React re-renders (focus then ArrowDown then Enter): handlers read
  // the active row from this ref, never from a stale render's closure.
  const activeRef = React.useRef(-1);
  const setActive = (index: number) => {
    activeRef.current = index;
    setActiveState(index);
  };

  React.useLayoutEffect(() => {
    const node = scroller.current;
    if (!node) {
      return;
    }
    const measure = () =>
      setView(v => ({
        ...v,
        height: node.clientHeight,
        width: node.clientWidth
      }));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(node);
    return () => observer.disconnect();
  }, []);

  const wide = view.width >= WIDE;
  const rowHeight = wide ? ROW_WIDE : ROW_NARROW;
  const rows = runs.rows;
  const count = rows.length + (runs.hasMore ? 1 : 0);
  const first = Math.max(0, Math.floor(view.top / rowHeight) - OVERSCAN);
  const last = Math.min(
    count,
    Math.ceil((view.top + view.height) / rowHeight) + OVERSCAN
  );

  React.useEffect(() => {
    if (
      runs.hasMore &&
      !runs.loading &&
      !runs.problem &&
      last >= rows.length - OVERSCAN
    ) {
      void runs.loadMore();
    }
  }, [last, rows.length, runs, runs.hasMore, runs.loading]);

  const reveal = (index: number) => {
    const node = scroller.current;
    if (!node) {
      return;
    }
    const top = index * rowHeight;
    if (top < node.scrollTop) {
      node.scrollTop = top;
    } else if (top + rowHeight > node.scrollTop + node.clientHeight) {
      node.scrollTop = top + rowHeight - node.clientHeight;
    }
  };

  const move = (index: number) => {
    const next = Math.max(0, Math.min(rows.length - 1, index));
    setActive(next);
    reveal(next);
  };

  const onKeyDown = (event: React.KeyboardEvent) => {
    const page = Math.max(1, Math.floor(view.height / rowHeight) - 1);
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(activeRef.current + 1),
      ArrowUp: () => move(activeRef.current - 1),
      PageDown: () => move(activeRef.current + page),
      PageUp: () => move(activeRef.current - page),
      Home: () => move(0),
      End: () => move(rows.length - 1),
      Enter: () => {
        const run = rows[activeRef.current];
        if (run) {
          onOpen(run);
        }
      }
    };
    const action = keys[event.key];
    if (action && rows.length) {
      event.preventDefault();
      action();
    }
  };

  const gridId = `jp-mfns-runs-${runs.flow}`;
  const items: JSX.Element[] = [];
  for (let i = first; i < last; i++) {
    const run = rows[i];
    if (!run) {
      items.push(
        <div
          key="more"
          className="jp-mfns-runrow jp-mfns-runrow-more"
          style={{ top: i * rowHeight, height: rowHeight }}
        >
          <Loading what={`Loading more runs…`} />
        </div>
      );
      continue;
    }
    items.push(
      <RunRow
        key={run.pathspec}
        id={`${gridId}-${i}`}
        run={run}
        index={i}
        top={i * rowHeight}
        height={rowHeight}
        active={i === active}
        fresh={runs.fresh.has(run.pathspec)}
        onOpen={() => {
          setActive(i);
          onOpen(run);
        }}
        onTag={tag => void runs.addTag(tag)}
      />
    );
  }

  return (
    <div className={`jp-mfns-runs ${wide ? 'jp-mod-wide' : 'jp-mod-narrow'}`}>
      <TagFilter runs={runs} />
      <RunsSummary runs={runs} />
      <Problem problem={runs.problem} onSwitch={props.onSwitch}>
        {runs.problem?.reason === 'namespace_mismatch' && props.onBack && (
          <button className="jp-mfns-link" onClick={props.onBack}>
            Flows in {namespaceLabel(runs.namespace)}
          </button>
        )}
      </Problem>
      <div className="jp-mfns-runrow jp-mfns-runs-header" role="presentation">
        <span className="jp-mfns-col-status" />
        <span className="jp-mfns-col-id">Run</span>
        <span className="jp-mfns-col-user">User</span>
        <span className="jp-mfns-col-created">Created</span>
        <span className="jp-mfns-col-duration">Duration</span>
        {wide && <span className="jp-mfns-col-tags">Tags</span>}
      </div>
      <div
        ref={scroller}
        className="jp-mfns-runs-scroller"
        role="grid"
        aria-label={`Runs of ${runs.flow}`}
        aria-rowcount={runs.total ?? -1}
        aria-activedescendant={active >= 0 ? `${gridId}-${active}` : undefined}
        tabIndex={0}
        onKeyDown={onKeyDown}
        onFocus={() => {
          if (activeRef.current < 0 && rows.length) {
            setActive(0);
          }
        }}
        onScroll={event => {
          const top = event.currentTarget.scrollTop;
          setView(v => ({ ...v, top }));
        }}
      >
        <div
          className="jp-mfns-runs-canvas"
          style={{ height: count * rowHeight }}
        >
          {items}
        </div>
        <NoRuns runs={runs} />
        {runs.loading && rows.length === 0 && <Loading what="Loading runs…" />}
      </div>
    </div>
  );
}

/** "3 of 100,000 runs", the new-runs indicator and the refresh button. */
function RunsSummary(props: { runs: RunListModel }): JSX.Element {
  const { runs } = props;
  const total = runs.total;
  const shown = runs.rows.length;
  const newText = runs.newRuns
    ? `${runs.newRuns}${runs.newRunsAtLeast ? '+' : ''} new run${runs.newRuns === 1 ? '' : 's'}`
    : '';
  return (
    <div className="jp-mfns-summary" aria-live="polite">
      <span className="jp-mfns-summary-count">
        {total === null
          ? ' '
          : shown < total
            ? `${shown.toLocaleString()} of ${plural(total, 'run')} loaded`
            : plural(total, 'run')}
        {runs.tags.length > 0 && total !== null ? ' with all tags' : ''}
      </span>
      {newText && (
        <button
          className="jp-mfns-newruns"
          onClick={() => void runs.reload(true)}
          title="Show the new runs at the top"
        >
          {newText} — show
        </button>
      )}
    </div>
  );
}

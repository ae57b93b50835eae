/**
 * The explorer's grid: a header (sortable, resizable columns) and the runs, virtualized
 * with @tanstack/react-virtual so 100k runs scroll smoothly. Its height is every run the
 * server counts; rows not loaded yet show as placeholders while pages arrive (by the
 * server's cursor). Mouse and keyboard select (see selection.ts); Enter opens.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import * as React from 'react';

import { ActionsContext } from '../components/actions';
import { RunCell } from './cells';
import {
  ariaSort,
  canSort,
  columnWidth,
  gridTemplate,
  IColumn,
  nextSort,
  resizeColumn,
  rowWidth
} from './columns';
import type { ExplorerModel } from './model';
import type { Selection } from './selection';

const ROW = 30;
const HEADER = 28;
const GAP = 8;
const PADDING = 8;
const OVERSCAN = 12;

type Move = (
  s: Selection,
  order: readonly string[],
  index: number
) => Selection;
const ONLY: Move = (s, o, i) => s.only(o, i);
const EXTEND: Move = (s, o, i) => s.extend(o, i);
const FOCUS: Move = (s, o, i) => s.moveFocus(o, i);

/** The header cell of a column: sort on click, resize by its right edge. */
function HeaderCell(props: {
  model: ExplorerModel;
  column: IColumn;
}): JSX.Element {
  const { model, column } = props;
  const sortable = canSort(column, model.serverSorts);
  const sort = ariaSort(column, model.sort);
  const arrow = sort === 'descending' ? '▼' : sort === 'ascending' ? '▲' : '';
  const why = sortable
    ? `${column.description} — click to sort`
    : column.sortKey
      ? `${column.description} (newest first; this server does not sort otherwise)`
      : `${column.description} (the server cannot sort by it)`;
  const startResize = (event: React.PointerEvent) => {
    event.preventDefault();
    event.stopPropagation();
    const x0 = event.clientX;
    const w0 = columnWidth(column, model.prefs);
    const target = event.currentTarget as HTMLElement;
    target.setPointerCapture(event.pointerId);
    const move = (e: PointerEvent) =>
      model.setPrefs(
        resizeColumn(model.prefs, column, w0 + e.clientX - x0),
        false
      );
    const up = () => {
      target.removeEventListener('pointermove', move);
      target.removeEventListener('pointerup', up);
      model.setPrefs(model.prefs); // saved once, at the end of the drag
    };
    target.addEventListener('pointermove', move);
    target.addEventListener('pointerup', up);
  };
  return (
    <span
      className={`jp-mfns-xp-head${sortable ? ' jp-mod-sortable' : ''}`}
      role="columnheader"
      aria-sort={sort}
      data-column={column.id}
      title={why}
    >
      {sortable ? (
        <button
          className="jp-mfns-xp-sort"
          onClick={() => model.setSort(nextSort(model.sort, column))}
        >
          <span className="jp-mfns-xp-head-label">{column.label}</span>
          <span className="jp-mfns-xp-arrow">{arrow}</span>
        </button>
      ) : (
        <span className="jp-mfns-xp-head-label">
          {column.label} <span className="jp-mfns-xp-arrow">{arrow}</span>
        </span>
      )}
      <span
        className="jp-mfns-xp-resize"
        role="separator"
        aria-orientation="vertical"
        aria-label={`Resize ${column.label}`}
        onPointerDown={startResize}
        onDoubleClick={() =>
          model.setPrefs(resizeColumn(model.prefs, column, column.width))
        }
      />
    </span>
  );
}

export function Grid(props: { model: ExplorerModel }): JSX.Element {
  const { model } = props;
  const { runs } = model;
  const actions = React.useContext(ActionsContext);
  const scroller = React.useRef<HTMLDivElement>(null);
  const rows = runs.rows;
  const order = React.useMemo(() => rows.map(r => r.pathspec), [rows]);
  const count = Math.max(
    rows.length + (runs.hasMore ? 1 : 0),
    runs.hasMore ? (runs.total ?? 0) : 0
  );
  // Not memoized by a React compiler (none here): it renders again with this component.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW,
    overscan: OVERSCAN,
    scrollMargin: HEADER,
    scrollPaddingStart: HEADER,
    getItemKey: i => rows[i]?.pathspec ?? `placeholder-${i}`
  });
  const items = virtualizer.getVirtualItems();
  const lastShown = items.length ? items[items.length - 1].index : 0;

  // Pages follow the scroll: load until the last row shown is there.
  React.useEffect(() => {
    if (runs.hasMore && !runs.problem && lastShown >= rows.length - OVERSCAN) {
      void runs.loadUntil(lastShown + OVERSCAN);
    }
  }, [lastShown, rows.length, runs, runs.hasMore]);

  // New runs on top while the user reads further down: keep the rows in view still.
  const firstKey = React.useRef<string | null>(null);
  React.useLayoutEffect(() => {
    const node = scroller.current;
    const previous = firstKey.current;
    firstKey.current = order[0] ?? null;
    if (!node || previous === null || order[0] === previous) {
      return;
    }
    const shift = order.indexOf(previous);
    if (shift > 0 && node.scrollTop > 0) {
      node.scrollTop += shift * ROW;
    }
  }, [order]);

  // A key press may name a row that is still loading (End): focus it once it arrives.
  const pending = React.useRef<{ index: number; move: Move } | null>(null);
  React.useEffect(() => {
    const want = pending.current;
    if (want && want.index < rows.length) {
      pending.current = null;
      model.select((s, o) => want.move(s, o, want.index));
    }
  }, [rows.length, model]);

  const open = (index: number) => {
    const run = rows[index];
    if (run) {
      void actions.open({
        kind: 'run',
        pathspec: run.pathspec,
        namespace: runs.namespace
      });
    }
  };

  const goTo = (index: number, move: Move) => {
    const last = Math.max(0, count - 1);
    const target = Math.max(0, Math.min(last, index));
    virtualizer.scrollToIndex(target, { align: 'auto' });
    if (target < rows.length) {
      model.select((s, o) => move(s, o, target));
    } else {
      pending.current = { index: target, move };
      void runs.loadUntil(target);
    }
  };

  const onKeyDown = (event: React.KeyboardEvent) => {
    const focus = model.selection.focusIndex(order);
    const mod = event.ctrlKey || event.metaKey;
    const move = event.shiftKey ? EXTEND : mod ? FOCUS : ONLY;
    const page = Math.max(
      1,
      Math.floor((scroller.current?.clientHeight ?? 300) / ROW) - 2
    );
    const steps: Record<string, () => void> = {
      ArrowDown: () => goTo(focus + 1, move),
      ArrowUp: () => goTo(Math.max(0, focus - 1), move),
      PageDown: () => goTo(focus + page, move),
      PageUp: () => goTo(focus - page, move),
      Home: () => goTo(0, move),
      End: () => goTo(count - 1, move),
      ' ': () => model.select((s, o) => s.toggle(o, Math.max(0, focus))),
      Enter: () => open(focus),
      Escape: () => model.select(s => s.clear())
    };
    if (mod && event.key.toLowerCase() === 'a') {
      event.preventDefault();
      event.stopPropagation();
      model.select((s, o) => s.all(o));
      return;
    }
    const step = steps[event.key];
    if (step && (rows.length || event.key === 'Escape')) {
      event.preventDefault();
      event.stopPropagation();
      step();
    }
  };

  const onRowClick = (event: React.MouseEvent, index: number) => {
    const mod = event.ctrlKey || event.metaKey;
    model.select((s, o) =>
      event.shiftKey
        ? s.extend(o, index)
        : mod
          ? s.toggle(o, index)
          : s.only(o, index)
    );
    scroller.current?.focus({ preventScroll: true });
  };

  const columns = model.shownColumns;
  const template = gridTemplate(columns, model.prefs);
  const width = rowWidth(columns, model.prefs, GAP, PADDING);
  const selection = model.selection;
  const focused = selection.focusIndex(order);
  const gridId = `jp-mfns-xp-${runs.flow}`;

  return (
    <div
      ref={scroller}
      className="jp-mfns-xp-scroller"
      role="grid"
      aria-label={`Runs of ${runs.flow}`}
      aria-multiselectable="true"
      aria-rowcount={(runs.total ?? rows.length) + 1}
      aria-activedescendant={focused >= 0 ? `${gridId}-${focused}` : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onFocus={event => {
        if (
          event.target === event.currentTarget &&
          focused < 0 &&
          rows.length
        ) {
          model.select((s, o) => s.moveFocus(o, 0));
        }
      }}
    >
      <div className="jp-mfns-xp-sheet" style={{ minWidth: width }}>
        <div
          className="jp-mfns-xp-row jp-mfns-xp-header"
          role="row"
          aria-rowindex={1}
          style={{ gridTemplateColumns: template, height: HEADER }}
        >
          {columns.map(c => (
            <HeaderCell key={c.id} model={model} column={c} />
          ))}
        </div>
        <div
          className="jp-mfns-xp-canvas"
          style={{ height: virtualizer.getTotalSize() - HEADER }}
        >
          {items.map(item => {
            const run = rows[item.index];
            const style = {
              gridTemplateColumns: template,
              height: ROW,
              transform: `translateY(${item.start - HEADER}px)`
            };
            if (!run) {
              return (
                <div
                  key={item.key}
                  className="jp-mfns-xp-row jp-mfns-xp-placeholder"
                  role="row"
                  aria-rowindex={item.index + 2}
                  style={style}
                >
                  <span className="jp-mfns-xp-cell jp-mfns-muted">
                    {runs.problem ? '' : 'Loading…'}
                  </span>
                </div>
              );
            }
            const selected = selection.has(run.pathspec);
            const cls =
              'jp-mfns-xp-row' +
              (selected ? ' jp-mod-selected' : '') +
              (item.index === focused ? ' jp-mod-focused' : '') +
              (runs.fresh.has(run.pathspec) ? ' jp-mfns-fresh' : '');
            return (
              <div
                key={item.key}
                id={`${gridId}-${item.index}`}
                className={cls}
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={selected}
                data-pathspec={run.pathspec}
                style={style}
                onMouseDown={event => {
                  if (event.shiftKey) {
                    event.preventDefault(); // a range, not a text selection
                  }
                }}
                onClick={event => onRowClick(event, item.index)}
                onDoubleClick={() => open(item.index)}
              >
                {columns.map(c => (
                  <RunCell
                    key={c.id}
                    column={c}
                    run={run}
                    onOpen={() => open(item.index)}
                    onTag={tag => void runs.addTag(tag)}
                  />
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

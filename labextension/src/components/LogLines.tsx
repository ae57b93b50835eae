import { useVirtualizer } from '@tanstack/react-virtual';
import * as React from 'react';

import type { LogModel } from '../models/log';

/** Estimated row height in pixels (rows are measured once drawn). */
const ROW = 18;
/** Rows drawn beyond each edge of the visible ones. */
const OVERSCAN = 30;

/** "14:03:07.251" in the browser's time zone. */
export function clock(ts: number | null): string {
  if (ts === null) {
    return '';
  }
  const d = new Date(ts);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(
    d.getMilliseconds(),
    3
  )}`;
}

/** The line's text with every match of `needle` marked (case-insensitive unless told). */
export function highlight(
  text: string,
  needle: string,
  caseSensitive: boolean
): React.ReactNode {
  if (!needle) {
    return text;
  }
  const hay = caseSensitive ? text : text.toLowerCase();
  const find = caseSensitive ? needle : needle.toLowerCase();
  const parts: React.ReactNode[] = [];
  let from = 0;
  let at = hay.indexOf(find);
  while (at >= 0) {
    parts.push(text.slice(from, at));
    parts.push(<mark key={at}>{text.slice(at, at + find.length)}</mark>);
    from = at + find.length;
    at = hay.indexOf(find, from);
  }
  parts.push(text.slice(from));
  return parts;
}

/**
 * The loaded lines of a log, virtualized (only the visible rows are in the page, so a
 * 100k-line log scrolls smoothly): line numbers, optional timestamps, no wrapping unless
 * asked. Sits at the end while new lines come, and scrolls to the model's target line.
 */
export function LogLines(props: {
  log: LogModel;
  wrap: boolean;
  timestamps: boolean;
  /** Updated with the number of the line at the top of the view. */
  topLine: React.MutableRefObject<number>;
}): JSX.Element {
  const { log, wrap, timestamps, topLine } = props;
  const lines = log.lines;
  const first = log.first;
  const box = React.useRef<HTMLDivElement>(null);
  const stick = React.useRef(true); // at the end: stay there as lines come
  const seen = React.useRef({ first, target: 0 });
  // The virtualizer keeps mutable state (what the React compiler cannot memoize): fine here,
  // this project does not compile with it.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: lines.length,
    getScrollElement: () => box.current,
    estimateSize: () => ROW,
    overscan: OVERSCAN,
    getItemKey: index => lines[index]?.n ?? index
  });
  const items = virtualizer.getVirtualItems();
  if (items.length) {
    topLine.current = first + items[0].index;
  }

  React.useLayoutEffect(() => {
    const target = log.target;
    const before = seen.current;
    seen.current = { first, target: target?.seq ?? 0 };
    if (!lines.length) {
      return;
    }
    if (target && target.seq !== before.target) {
      // A jump, a match or the traceback: show that line mid-view.
      stick.current = false;
      virtualizer.scrollToIndex(target.n - first, { align: 'center' });
    } else if (first < before.first && !stick.current) {
      // Earlier lines came in above (at the estimated height until drawn): keep the
      // line that was at the top there.
      virtualizer.scrollToOffset(
        (virtualizer.scrollOffset ?? 0) + (before.first - first) * ROW
      );
    } else if (stick.current) {
      virtualizer.scrollToIndex(lines.length - 1, { align: 'end' });
    }
  }, [lines, first, log.target, virtualizer]);

  // Rows change height when wrapping is switched: measure them again.
  React.useLayoutEffect(
    () => virtualizer.measure(),
    [wrap, timestamps, virtualizer]
  );

  const search = log.search;
  const needle = search?.text ?? '';
  const current =
    search && search.current >= 0 ? search.lines[search.current] : null;
  const target = log.target?.why !== 'match' ? log.target?.n : null;
  const digits = String(log.total ?? log.last).length;
  return (
    <div
      className={`jp-mfns-log-lines${wrap ? ' jp-mod-wrap' : ''}`}
      ref={box}
      tabIndex={0}
      role="log"
      aria-label={`${log.stream} lines`}
      style={
        { '--jp-mfns-log-digits': `${digits + 1}ch` } as React.CSSProperties
      }
      onScroll={event => {
        const node = event.currentTarget;
        stick.current =
          node.scrollHeight - node.scrollTop - node.clientHeight < ROW;
      }}
    >
      <div
        className="jp-mfns-log-canvas"
        style={{ height: virtualizer.getTotalSize() }}
      >
        {items.map(item => {
          const line = lines[item.index];
          const cls =
            'jp-mfns-log-row' +
            (line.n === current ? ' jp-mod-current' : '') +
            (line.n === target ? ' jp-mfns-log-target' : '');
          return (
            <div
              key={item.key}
              data-index={item.index}
              data-n={line.n}
              ref={virtualizer.measureElement}
              className={cls}
              style={{ transform: `translateY(${item.start}px)` }}
            >
              <span className="jp-mfns-log-n" aria-hidden="true">
                {line.n}
              </span>
              {timestamps && (
                <span
                  className="jp-mfns-log-ts"
                  title={line.ts === null ? '' : new Date(line.ts).toString()}
                >
                  {clock(line.ts)}
                </span>
              )}
              <span className="jp-mfns-log-text">
                {highlight(line.text, needle, !!search?.caseSensitive)}
              </span>
            </div>
          );
        })}
      </div>
    </div>
  );
}

import * as React from 'react';

import { formatSpan, plural } from '../../format';
import type { ResultsModel } from '../../models/results';
import { ActionsContext } from '../actions';
import { Loading, Problem } from '../Problem';
import { AXIS_HEIGHT, draw, palette, ROW_HEIGHT } from './timelineDraw';

/** Visible height of the chart at most; more rows scroll. */
const MAX_HEIGHT = 420;

/**
 * A Gantt chart of every task of the run (one bar per attempt, failed ones red, running
 * ones growing), drawn on a canvas row by row as it scrolls. A click opens the task.
 */
export function Timeline(props: { results: ResultsModel }): JSX.Element {
  const { results } = props;
  const actions = React.useContext(ActionsContext);
  const tasks = results.tasks;
  const scroller = React.useRef<HTMLDivElement>(null);
  const canvas = React.useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = React.useState<number | null>(null);
  const [tick, setTick] = React.useState(0);
  const height = Math.min(
    MAX_HEIGHT,
    AXIS_HEIGHT + tasks.length * ROW_HEIGHT + 2
  );

  const paint = React.useCallback(() => {
    const box = scroller.current;
    const node = canvas.current;
    if (!box || !node) {
      return;
    }
    const ratio = window.devicePixelRatio || 1;
    const width = box.clientWidth;
    if (
      node.width !== Math.round(width * ratio) ||
      node.height !== Math.round(height * ratio)
    ) {
      node.width = Math.round(width * ratio);
      node.height = Math.round(height * ratio);
      node.style.width = `${width}px`;
      node.style.height = `${height}px`;
    }
    const ctx = node.getContext('2d');
    if (!ctx) {
      return;
    }
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    const top = box.scrollTop;
    draw(ctx, {
      tasks,
      first: Math.floor(top / ROW_HEIGHT),
      offset: top % ROW_HEIGHT,
      width,
      height,
      now: Date.now(),
      colors: palette(box),
      hover
    });
  }, [tasks, height, hover]);

  React.useLayoutEffect(paint, [paint, tick]);
  React.useEffect(() => {
    const box = scroller.current;
    if (!box) {
      return;
    }
    const resize = new ResizeObserver(() => paint());
    resize.observe(box);
    // a theme change restyles the page without rendering this view again
    const theme = new MutationObserver(() => paint());
    theme.observe(document.body, {
      attributes: true,
      attributeFilter: ['data-jp-theme-name']
    });
    return () => {
      resize.disconnect();
      theme.disconnect();
    };
  }, [paint]);
  React.useEffect(() => {
    if (results.finished) {
      return;
    }
    const timer = window.setInterval(() => setTick(t => t + 1), 1000); // running bars grow
    return () => window.clearInterval(timer);
  }, [results.finished]);

  if (tasks.length === 0) {
    return results.problem ? (
      <Problem problem={results.problem} />
    ) : results.loading ? (
      <Loading what="Loading tasks…" />
    ) : (
      <div className="jp-mfns-empty">No task has started yet.</div>
    );
  }
  const rowAt = (clientY: number): number | null => {
    const box = scroller.current;
    if (!box) {
      return null;
    }
    const y = clientY - box.getBoundingClientRect().top - AXIS_HEIGHT;
    const row = Math.floor((y + box.scrollTop) / ROW_HEIGHT);
    return y >= 0 && row < tasks.length ? row : null;
  };
  const hovered = hover !== null ? tasks[hover] : null;
  const failed = tasks.filter(t => t.status === 'failed').length;
  const running = tasks.filter(t => t.status === 'running').length;
  return (
    <div className="jp-mfns-timeline">
      <div className="jp-mfns-timeline-summary jp-mfns-muted">
        {plural(tasks.length, 'task')}
        {failed ? `, ${failed} failed` : ''}
        {running ? `, ${running} running` : ''}
        {hovered && (
          <span className="jp-mfns-timeline-hover">
            {' — '}
            <span className="jp-mfns-mono">{hovered.pathspec}</span>{' '}
            {hovered.status},{' '}
            {formatSpan(
              hovered.started_at,
              hovered.finished_at,
              hovered.status === 'running'
            )}
            {hovered.attempts.length > 1
              ? `, ${plural(hovered.attempts.length, 'attempt')}`
              : ''}
          </span>
        )}
      </div>
      <div
        ref={scroller}
        className="jp-mfns-timeline-scroll"
        style={{ height }}
        onScroll={paint}
        onMouseMove={event => setHover(rowAt(event.clientY))}
        onMouseLeave={() => setHover(null)}
        onClick={event => {
          const row = rowAt(event.clientY);
          if (row !== null) {
            void actions.open({
              kind: 'task',
              pathspec: tasks[row].pathspec,
              namespace: results.namespace
            });
          }
        }}
      >
        <canvas
          ref={canvas}
          className="jp-mfns-timeline-canvas"
          style={{ marginBottom: -height }}
          role="img"
          aria-label={`Timeline of ${plural(tasks.length, 'task')}`}
        />
        <div style={{ height: AXIS_HEIGHT + tasks.length * ROW_HEIGHT }} />
      </div>
    </div>
  );
}

/**
 * Drawing the timeline (a Gantt chart of a run's tasks) on a canvas, only the rows in view,
 * so a foreach of thousands of tasks scrolls as smoothly as one of ten.
 */
import { formatDuration } from '../../format';
import type { ITimelineTask } from '../../types';

export const ROW_HEIGHT = 18;
export const AXIS_HEIGHT = 22;
export const LABEL_WIDTH = 190;

/** Theme colours, read from JupyterLab's CSS variables where the chart is. */
export interface IPalette {
  text: string;
  muted: string;
  grid: string;
  ok: string;
  failed: string;
  running: string;
  unknown: string;
  selected: string;
  font: string;
}

export function palette(node: Element): IPalette {
  const css = getComputedStyle(node);
  const v = (name: string, fallback: string) =>
    css.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--jp-ui-font-color1', '#222'),
    muted: v('--jp-ui-font-color2', '#666'),
    grid: v('--jp-border-color2', '#ddd'),
    ok: v('--jp-success-color1', '#388e3c'),
    failed: v('--jp-error-color1', '#d32f2f'),
    running: v('--jp-brand-color1', '#1976d2'),
    unknown: v('--jp-ui-font-color3', '#aaa'),
    selected: v('--jp-layout-color3', '#eee'),
    font: `${v('--jp-ui-font-size0', '11px')} ${v('--jp-ui-font-family', 'sans-serif')}`
  };
}

/** The time span the chart covers: first start to last end (now while tasks run). */
export function span(
  tasks: readonly ITimelineTask[],
  now: number
): [number, number] {
  let start = Infinity;
  let end = -Infinity;
  for (const t of tasks) {
    start = Math.min(start, t.started_at);
    end = Math.max(
      end,
      t.finished_at ?? (t.status === 'running' ? now : t.started_at)
    );
    for (const a of t.attempts) {
      end = Math.max(
        end,
        a.finished_at ?? (a.ok === null && t.status === 'running' ? now : end)
      );
    }
  }
  return start === Infinity
    ? [now, now + 1]
    : [start, Math.max(end, start + 1)];
}

/** The bars of one task: one per attempt, from its start to its end (now while it runs). */
export function bars(
  task: ITimelineTask,
  now: number
): {
  from: number;
  to: number;
  outcome: 'ok' | 'failed' | 'running' | 'unknown';
}[] {
  const attempts = task.attempts.length
    ? task.attempts
    : [
        {
          attempt: 0,
          started_at: task.started_at,
          finished_at: task.finished_at,
          ok: null
        }
      ];
  return attempts.map((a, i) => {
    const from = i === 0 ? task.started_at : (a.started_at ?? task.started_at);
    const running = a.finished_at === null && task.status === 'running';
    const to = a.finished_at ?? (running ? now : (task.finished_at ?? from));
    const outcome =
      a.ok === true
        ? 'ok'
        : a.ok === false
          ? 'failed'
          : running
            ? 'running'
            : 'unknown';
    return { from, to: Math.max(to, from), outcome };
  });
}

/** Round tick steps for an axis of `ms` milliseconds. */
function tickStep(ms: number, px: number): number {
  const steps = [
    100, 250, 500, 1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5,
    18e5, 36e5, 72e5
  ];
  const wanted = ms / Math.max(1, px / 90);
  return steps.find(s => s >= wanted) ?? steps[steps.length - 1];
}

/** Draw rows `first` to `first + count` of `tasks` onto a canvas of `width` x `height` CSS px. */
export function draw(
  ctx: CanvasRenderingContext2D,
  options: {
    tasks: readonly ITimelineTask[];
    first: number;
    offset: number; // px the first row is scrolled above the top
    width: number;
    height: number;
    now: number;
    colors: IPalette;
    hover: number | null;
  }
): void {
  const { tasks, first, offset, width, height, now, colors, hover } = options;
  ctx.clearRect(0, 0, width, height);
  ctx.font = colors.font;
  ctx.textBaseline = 'middle';
  const [start, end] = span(tasks, now);
  const plotX = LABEL_WIDTH;
  const plotW = Math.max(10, width - LABEL_WIDTH - 8);
  const x = (t: number) => plotX + ((t - start) / (end - start)) * plotW;
  const step = tickStep(end - start, plotW);
  // the grid first, rows over it
  ctx.strokeStyle = colors.grid;
  ctx.beginPath();
  for (let t = 0; t <= end - start; t += step) {
    const px = Math.round(x(start + t)) + 0.5;
    ctx.moveTo(px, AXIS_HEIGHT - 4);
    ctx.lineTo(px, height);
  }
  ctx.globalAlpha = 0.6;
  ctx.stroke();
  ctx.globalAlpha = 1;
  // the rows in view
  const rows = Math.ceil((height - AXIS_HEIGHT) / ROW_HEIGHT) + 1;
  for (let i = 0; i < rows && first + i < tasks.length; i++) {
    const task = tasks[first + i];
    const y = AXIS_HEIGHT + i * ROW_HEIGHT - offset;
    if (first + i === hover) {
      ctx.fillStyle = colors.selected;
      ctx.fillRect(0, y, width, ROW_HEIGHT);
    }
    ctx.fillStyle = colors.text;
    const label = `${task.step}/${task.id}`;
    ctx.fillText(
      label.length > 28 ? `${label.slice(0, 27)}…` : label,
      4,
      y + ROW_HEIGHT / 2
    );
    for (const bar of bars(task, now)) {
      ctx.fillStyle = colors[bar.outcome];
      const left = x(bar.from);
      ctx.fillRect(left, y + 3, Math.max(2, x(bar.to) - left), ROW_HEIGHT - 6);
    }
  }
  // the axis on top, drawn last so rows scroll under it
  ctx.clearRect(0, 0, width, AXIS_HEIGHT - 1);
  ctx.fillStyle = colors.muted;
  for (let t = 0; t <= end - start; t += step) {
    const px = Math.round(x(start + t)) + 0.5;
    ctx.fillText(t === 0 ? '0' : formatDuration(t), px + 3, AXIS_HEIGHT / 2);
  }
  ctx.strokeStyle = colors.grid;
  ctx.beginPath();
  ctx.moveTo(0, AXIS_HEIGHT - 0.5);
  ctx.lineTo(width, AXIS_HEIGHT - 0.5);
  ctx.stroke();
  ctx.fillText('task', 4, AXIS_HEIGHT / 2);
}

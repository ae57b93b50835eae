import * as React from 'react';

import { formatSpan, plural } from '../../format';
import type { ResultsModel } from '../../models/results';
import type { IDagStep } from '../../types';
import { Loading, Problem } from '../Problem';
import { layoutDag, NODE_HEIGHT, NODE_WIDTH } from './dagLayout';
import { StepTasks } from './StepTasks';

const KIND: Record<string, string> = {
  'split-foreach': 'foreach',
  'split-static': 'split',
  'split-parallel': 'parallel',
  'split-switch': 'switch',
  join: 'join'
};

/** A step that never got a task reads "not run" once the run stopped, "pending" before. */
function statusLabel(step: IDagStep, runFinished: boolean): string {
  return step.status === 'pending' && runFinished ? 'not run' : step.status;
}

function stepLine(step: IDagStep): string {
  const tasks = plural(step.tasks, 'task');
  if (step.started_at === null) {
    return tasks;
  }
  const running = step.status === 'running';
  if (step.finished_at === null && !running) {
    return tasks;
  }
  return `${tasks} · ${formatSpan(step.started_at, step.finished_at, running)}`;
}

/** The run's graph laid out by dagre; a click on a step lists its tasks below. */
export function DagView(props: { results: ResultsModel }): JSX.Element {
  const { results } = props;
  const dag = results.dag;
  const layout = React.useMemo(
    () => (dag ? layoutDag(dag.steps) : null),
    [dag]
  );
  if (!dag || !layout) {
    return results.problem ? (
      <Problem problem={results.problem} />
    ) : (
      <Loading what="Loading the graph…" />
    );
  }
  const where = new Map(layout.steps.map(p => [p.step.name, p]));
  const selected = results.selectedStep;
  return (
    <div className="jp-mfns-dag">
      <div className="jp-mfns-dag-scroll">
        <svg
          className="jp-mfns-dag-svg"
          width={layout.width}
          height={layout.height}
          viewBox={`0 0 ${layout.width} ${layout.height}`}
          role="img"
          aria-label={`Graph of ${dag.pathspec}: ${dag.steps.length} steps`}
        >
          <defs>
            <marker
              id="jp-mfns-arrow"
              viewBox="0 0 10 10"
              refX="9"
              refY="5"
              markerWidth="7"
              markerHeight="7"
              orient="auto-start-reverse"
            >
              <path d="M 0 0 L 10 5 L 0 10 z" className="jp-mfns-dag-arrow" />
            </marker>
          </defs>
          {layout.edges.map(e => (
            <path
              key={`${e.from}->${e.to}`}
              className="jp-mfns-dag-edge"
              d={e.points
                .map((p, i) => `${i ? 'L' : 'M'} ${p.x} ${p.y}`)
                .join(' ')}
              markerEnd="url(#jp-mfns-arrow)"
            />
          ))}
          {[...where.values()].map(({ step, x, y, fanned }) => (
            <g
              key={step.name}
              className={`jp-mfns-dag-node jp-mfns-dag-${step.status}${
                selected === step.name ? ' jp-mod-selected' : ''
              }`}
              transform={`translate(${x}, ${y})`}
              data-step={step.name}
              role="button"
              tabIndex={0}
              aria-pressed={selected === step.name}
              aria-label={`${step.name}: ${statusLabel(step, results.finished)}, ${plural(step.tasks, 'task')}`}
              onClick={() => results.select(step.name)}
              onKeyDown={event => {
                if (event.key === 'Enter' || event.key === ' ') {
                  event.preventDefault();
                  results.select(step.name);
                }
              }}
            >
              <title>
                {step.doc ? `${step.name}: ${step.doc}` : step.name}
              </title>
              {fanned && (
                <rect
                  x={6}
                  y={6}
                  width={NODE_WIDTH}
                  height={NODE_HEIGHT}
                  rx={6}
                  className="jp-mfns-dag-stack"
                />
              )}
              <rect
                width={NODE_WIDTH}
                height={NODE_HEIGHT}
                rx={6}
                className="jp-mfns-dag-card"
              />
              <rect
                width={5}
                height={NODE_HEIGHT}
                rx={2}
                className="jp-mfns-dag-band"
              />
              <text x={14} y={22} className="jp-mfns-dag-name">
                {step.name.length > 18
                  ? `${step.name.slice(0, 17)}…`
                  : step.name}
              </text>
              {KIND[step.type] && (
                <text
                  x={NODE_WIDTH - 8}
                  y={22}
                  textAnchor="end"
                  className="jp-mfns-dag-kind"
                >
                  {KIND[step.type]}
                </text>
              )}
              <text x={14} y={44} className="jp-mfns-dag-info">
                {`${statusLabel(step, results.finished)} · ${stepLine(step)}`}
              </text>
            </g>
          ))}
        </svg>
      </div>
      {selected && where.has(selected) && (
        <StepTasks results={results} step={where.get(selected)!.step} />
      )}
    </div>
  );
}

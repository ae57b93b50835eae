/**
 * A comparison of 2 to 8 runs, side by side: a column per run, rows of the run itself
 * (status, failure, tags, duration...), its parameters, its steps and its artifacts by step.
 * "Only differences" (on by default) keeps the rows the server says differ; a cell that
 * differs from the first run's is marked. A changed artifact offers "Load both into
 * notebook" (the server's cell), a step whose runs share a card "Cards side by side".
 */
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { formatTime, plural } from '../format';
import type { CompareModel } from '../models/compare';
import { namespaceLabel } from '../namespaces';
import { runLabel } from '../tabs/compareArgs';
import type { ICompare, ICompareArtifact } from '../types';
import { ActionsContext } from './actions';
import {
  ArtifactCell,
  differing,
  ParameterCell,
  parameterKey,
  StepCell,
  SummaryCell
} from './CompareCells';
import { Loading, Problem } from './Problem';
import { StatusIcon } from './Status';

/** One row: its label (with actions), a cell per run, which cells differ. */
function Row(props: {
  label: React.ReactNode;
  cells: React.ReactNode[];
  differs: boolean;
  marks: boolean[];
  name: string;
}): JSX.Element {
  return (
    <tr
      className={`jp-mfns-cmp-row${props.differs ? ' jp-mod-differs' : ''}`}
      data-row={props.name}
    >
      <th scope="row" className="jp-mfns-cmp-label">
        {props.label}
      </th>
      {props.cells.map((cell, i) => (
        <td
          key={i}
          className={
            props.marks[i]
              ? 'jp-mfns-cmp-cell jp-mod-changed'
              : 'jp-mfns-cmp-cell'
          }
        >
          {cell}
        </td>
      ))}
    </tr>
  );
}

function Section(props: {
  title: string;
  span: number;
  empty?: string;
  children: React.ReactNode[];
}): JSX.Element {
  return (
    <tbody
      className="jp-mfns-cmp-section"
      data-section={props.title.toLowerCase()}
    >
      <tr className="jp-mfns-cmp-section-head">
        <th colSpan={props.span} scope="rowgroup">
          {props.title}
        </th>
      </tr>
      {props.children.length ? (
        props.children
      ) : (
        <tr className="jp-mfns-cmp-empty">
          <td colSpan={props.span} className="jp-mfns-muted">
            {props.empty}
          </td>
        </tr>
      )}
    </tbody>
  );
}

function Heads(props: { answer: ICompare }): JSX.Element {
  const actions = React.useContext(ActionsContext);
  const runs = props.answer.runs.map(r => r.pathspec);
  return (
    <thead>
      <tr>
        <th className="jp-mfns-cmp-corner" scope="col">
          {plural(runs.length, 'run')}
        </th>
        {props.answer.runs.map(run => (
          <th
            key={run.pathspec}
            scope="col"
            className="jp-mfns-cmp-run"
            data-pathspec={run.pathspec}
          >
            <StatusIcon status={run.status} />
            <button
              className="jp-mfns-link jp-mfns-mono"
              title={`Open run ${run.pathspec}`}
              onClick={() =>
                void actions.open({ kind: 'run', pathspec: run.pathspec })
              }
            >
              {runLabel(run.pathspec, runs)}
            </button>
            <span className="jp-mfns-muted jp-mfns-cmp-when">
              {run.user ?? '—'} · {formatTime(run.created_at)}
            </span>
          </th>
        ))}
      </tr>
    </thead>
  );
}

function ArtifactLabel(props: { row: ICompareArtifact }): JSX.Element {
  const { row } = props;
  const actions = React.useContext(ActionsContext);
  return (
    <>
      <span className="jp-mfns-mono">{row.name}</span>
      {row.code && (
        <Button
          small
          className="jp-mod-styled jp-mfns-cmp-load"
          title={`Load ${row.step}.${row.name} of every run into the notebook and show what differs`}
          onClick={() => void actions.runCell(row.code as string)}
        >
          Load both into notebook
        </Button>
      )}
    </>
  );
}

/** The table's rows, "only differences" applied. */
function Table(props: { model: CompareModel; answer: ICompare }): JSX.Element {
  const { model, answer } = props;
  const actions = React.useContext(ActionsContext);
  const only = model.onlyDifferences;
  const n = answer.runs.length;
  const span = n + 1;
  const keep = <T extends { differs: boolean }>(rows: T[]) =>
    only ? rows.filter(r => r.differs) : rows;
  const indexes = answer.runs.map((_, i) => i);

  const summary = keep(answer.summary).map(row => (
    <Row
      key={row.name}
      name={`run:${row.name}`}
      label={row.name.replace('_ms', '')}
      differs={row.differs}
      marks={differing(row.values)}
      cells={indexes.map(i => (
        <SummaryCell row={row} index={i} run={answer.runs[i]} />
      ))}
    />
  ));
  const parameters = keep(answer.parameters).map(row => (
    <Row
      key={row.name}
      name={row.name}
      label={<span className="jp-mfns-mono">{row.name}</span>}
      differs={row.differs}
      marks={differing(indexes.map(i => parameterKey(row, i)))}
      cells={indexes.map(i => (
        <ParameterCell row={row} index={i} />
      ))}
    />
  ));
  const steps = keep(answer.steps).map(step => {
    const card = model.cards.get(step.name);
    return (
      <Row
        key={step.name}
        name={`step:${step.name}`}
        label={
          <>
            <span className="jp-mfns-mono">{step.name}</span>
            {card && (
              <Button
                small
                className="jp-mod-styled jp-mfns-cmp-cards"
                title={`The ${card.id ?? card.type} card of each run's ${step.name} step, side by side`}
                onClick={() =>
                  void actions.open({
                    kind: 'card',
                    tasks: card.tasks,
                    type: card.type,
                    ...(card.id ? { id: card.id } : {}),
                    namespace: answer.namespace
                  })
                }
              >
                Cards side by side
              </Button>
            )}
          </>
        }
        differs={step.differs}
        marks={differing(indexes.map(i => step.status[i]))}
        cells={indexes.map(i => (
          <StepCell step={step} index={i} />
        ))}
      />
    );
  });
  const artifacts: JSX.Element[] = [];
  for (const step of answer.steps) {
    const rows = keep(answer.artifacts.filter(a => a.step === step.name));
    if (!rows.length) {
      continue;
    }
    artifacts.push(
      <tr key={`head:${step.name}`} className="jp-mfns-cmp-group">
        <th colSpan={span} scope="rowgroup" className="jp-mfns-mono">
          {step.name}
        </th>
      </tr>
    );
    for (const row of rows) {
      artifacts.push(
        <Row
          key={`${row.step}.${row.name}`}
          name={`${row.step}.${row.name}`}
          label={<ArtifactLabel row={row} />}
          differs={row.differs}
          marks={differing(row.values.map(c => c?.sha ?? null))}
          cells={row.values.map(cell => (
            <ArtifactCell cell={cell} />
          ))}
        />
      );
    }
  }
  const same = only ? 'No difference.' : 'None.';
  return (
    <div className="jp-mfns-cmp-scroller">
      <table
        className="jp-mfns-cmp-table"
        style={{ '--jp-mfns-cmp-runs': n } as React.CSSProperties}
      >
        <Heads answer={answer} />
        <Section title="Run" span={span} empty={same}>
          {summary}
        </Section>
        <Section
          title="Parameters"
          span={span}
          empty={answer.parameters.length ? same : 'No parameters.'}
        >
          {parameters}
        </Section>
        <Section title="Steps" span={span} empty={same}>
          {steps}
        </Section>
        <Section title="Artifacts" span={span} empty={same}>
          {artifacts}
        </Section>
      </table>
    </div>
  );
}

function counts(answer: ICompare): { differ: number; total: number } {
  const rows = [
    ...answer.summary,
    ...answer.parameters,
    ...answer.steps,
    ...answer.artifacts
  ];
  return { differ: rows.filter(r => r.differs).length, total: rows.length };
}

export function CompareView(props: { model: CompareModel }): JSX.Element {
  const { model } = props;
  const actions = React.useContext(ActionsContext);
  const answer = model.answer;
  if (!answer) {
    if (!model.problem) {
      return <Loading what={`Comparing ${model.runs.join(', ')}…`} />;
    }
    const request = { kind: 'compare', runs: [...model.runs] };
    const mismatch = model.problem.reason === 'namespace_mismatch';
    return (
      <div className="jp-mfns-detail jp-mfns-compare">
        <Problem
          problem={model.problem}
          onSwitch={owner => void actions.switchTo(owner, request)}
        >
          {mismatch && model.namespace !== null && (
            <Button
              small
              className="jp-mod-styled"
              onClick={() => void actions.switchTo(null, request)}
            >
              Compare in the global namespace
            </Button>
          )}
        </Problem>
      </div>
    );
  }
  const { differ, total } = counts(answer);
  return (
    <div className="jp-mfns-detail jp-mfns-compare">
      <div className="jp-mfns-cmp-bar">
        <label className="jp-mfns-cmp-toggle">
          <input
            type="checkbox"
            checked={model.onlyDifferences}
            onChange={event =>
              model.setOnlyDifferences(event.currentTarget.checked)
            }
          />
          Only differences
        </label>
        <span className="jp-mfns-muted" aria-live="polite">
          {differ
            ? `${differ} of ${total} rows differ`
            : `No difference in ${total} rows`}{' '}
          · in {namespaceLabel(answer.namespace)}
        </span>
      </div>
      <Problem problem={model.problem} />
      <Table model={model} answer={answer} />
    </div>
  );
}

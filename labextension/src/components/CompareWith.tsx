/**
 * "Compare with…" on a run's tab: pick other runs of its flow (newest first, in the tab's
 * namespace) and open the comparison of this run with them.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { Button, ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { api } from '../api';
import { formatTime } from '../format';
import { toProblem } from '../models/errors';
import { COMPARE_MAX } from '../tabs/compareArgs';
import type { IRun, Namespace } from '../types';
import type { IActions } from './actions';
import { ActionsContext } from './actions';
import { StatusIcon } from './Status';

/** Runs offered to pick from. */
const OFFERED = 50;

function Picker(props: {
  runs: IRun[];
  chosen: Set<string>;
  onChange: () => void;
}): JSX.Element {
  const [, redraw] = React.useReducer((n: number) => n + 1, 0);
  const full = props.chosen.size >= COMPARE_MAX - 1;
  return (
    <div className="jp-mfns-cmpwith">
      <p className="jp-mfns-muted">
        Pick up to {COMPARE_MAX - 1} runs to put beside this one.
      </p>
      <ul className="jp-mfns-cmpwith-list">
        {props.runs.map(run => {
          const checked = props.chosen.has(run.pathspec);
          return (
            <li key={run.pathspec}>
              <label data-pathspec={run.pathspec}>
                <input
                  type="checkbox"
                  checked={checked}
                  disabled={!checked && full}
                  onChange={() => {
                    if (checked) {
                      props.chosen.delete(run.pathspec);
                    } else {
                      props.chosen.add(run.pathspec);
                    }
                    redraw();
                    props.onChange();
                  }}
                />
                <StatusIcon status={run.status} />
                <span className="jp-mfns-mono">{run.id}</span>
                <span className="jp-mfns-muted">
                  {run.user ?? '—'} · {formatTime(run.created_at)}
                </span>
                <span className="jp-mfns-cmpwith-tags">
                  {run.tags.join(', ')}
                </span>
              </label>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

class PickerBody extends ReactWidget implements Dialog.IBodyWidget<string[]> {
  constructor(private readonly _runs: IRun[]) {
    super();
  }
  getValue(): string[] {
    return [...this._chosen];
  }
  protected render(): JSX.Element {
    return (
      <Picker
        runs={this._runs}
        chosen={this._chosen}
        onChange={() => undefined}
      />
    );
  }
  private _chosen = new Set<string>();
}

/** Ask which runs, then open the comparison (or say why there is nothing to pick). */
export async function compareWith(
  actions: IActions,
  run: IRun,
  namespace: Namespace
): Promise<void> {
  let runs: IRun[];
  try {
    const page = await api.runs(run.flow, namespace, [], OFFERED, null);
    runs = page.runs.filter(r => r.pathspec !== run.pathspec);
  } catch (error) {
    await showDialog({
      title: 'Compare with…',
      body: toProblem(error).message,
      buttons: [Dialog.okButton()]
    });
    return;
  }
  if (!runs.length) {
    await showDialog({
      title: 'Compare with…',
      body: `${run.pathspec} is the only ${run.flow} run here.`,
      buttons: [Dialog.okButton()]
    });
    return;
  }
  const answer = await showDialog({
    title: `Compare ${run.pathspec} with…`,
    body: new PickerBody(runs),
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Compare' })]
  });
  const picked = answer.value ?? [];
  if (answer.button.accept && picked.length) {
    await actions.open({
      kind: 'compare',
      runs: [run.pathspec, ...picked],
      namespace
    });
  }
}

/** The button on a run's tab. */
export function CompareWithButton(props: {
  run: IRun | null;
  namespace: Namespace;
}): JSX.Element | null {
  const actions = React.useContext(ActionsContext);
  const { run } = props;
  if (!run || !actions.canOpen('compare')) {
    return null;
  }
  return (
    <span className="jp-mfns-cmpwith-action">
      <Button
        small
        className="jp-mod-styled"
        title={`Compare ${run.pathspec} with other ${run.flow} runs`}
        onClick={() => void compareWith(actions, run, props.namespace)}
      >
        Compare with…
      </Button>
    </span>
  );
}

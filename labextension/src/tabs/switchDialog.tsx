import { Dialog, showDialog } from '@jupyterlab/apputils';
import * as React from 'react';

import { namespaceLabel } from '../namespaces';
import type { Namespace } from '../types';

const OWNER_ACTION = 'mfns-owner:';

/**
 * Ask before switching namespace: `pathspec` is not in `current` but in `owners` (the
 * 409 answer's `namespaces`). Resolves to the namespace chosen, or `undefined` to stay.
 * With no owner named (the object is only in the global namespace), offers global.
 */
export async function askToSwitch(
  pathspec: string,
  current: Namespace,
  owners: readonly string[],
  /** Where to offer switching (default its owners; the global namespace when none). */
  offered?: readonly Namespace[]
): Promise<Namespace | undefined> {
  const choices: Namespace[] = offered
    ? [...offered]
    : owners.length
      ? [...owners]
      : [null];
  const here = namespaceLabel(current);
  const result = await showDialog({
    title: 'Open in another namespace?',
    body: (
      <div className="jp-mfns-switch-dialog">
        <p>
          <code>{pathspec}</code> is not in <strong>{here}</strong>.
        </p>
        <p>
          {owners.length
            ? `It belongs to ${owners.join(', ')}.`
            : 'It belongs to no user or production namespace.'}{' '}
          Switching changes the namespace the Metaflow panel browses.
        </p>
      </div>
    ),
    buttons: [
      Dialog.cancelButton({ label: `Stay in ${here}` }),
      ...choices.map(choice =>
        Dialog.okButton({
          label: `Switch to ${namespaceLabel(choice)}`,
          actions: [OWNER_ACTION + (choice ?? '')]
        })
      )
    ],
    hasClose: true
  });
  if (!result.button.accept) {
    return undefined;
  }
  const action = result.button.actions.find(a => a.startsWith(OWNER_ACTION));
  if (action === undefined) {
    return undefined;
  }
  const value = action.slice(OWNER_ACTION.length);
  return value === '' ? null : value;
}

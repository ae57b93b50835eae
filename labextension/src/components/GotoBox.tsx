import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { BrowserModel } from '../models/browser';
import { namespaceLabel } from '../namespaces';

/** The "Go to pathspec" box; outside the namespace it names the owner and offers a switch. */
export function GotoBox(props: { model: BrowserModel }): JSX.Element {
  const { model } = props;
  const [text, setText] = React.useState('');
  const goto = model.goto;
  const problem = goto?.problem ?? null;
  const owners = problem?.owners ?? [];
  const mismatch = problem?.reason === 'namespace_mismatch';

  return (
    <div className="jp-mfns-goto">
      <form
        className="jp-mfns-goto-form"
        onSubmit={event => {
          event.preventDefault();
          void model.goTo(text).then(ok => ok && setText(''));
        }}
      >
        <input
          className="jp-mfns-input jp-mfns-goto-input"
          aria-label="Go to pathspec"
          placeholder="Go to Flow/Run[/Step[/Task]]"
          value={text}
          spellCheck={false}
          onChange={event => {
            setText(event.target.value);
            if (goto && !goto.pending) {
              model.dismissGoto();
            }
          }}
          onKeyDown={event => {
            if (event.key === 'Escape' && goto) {
              event.stopPropagation();
              model.dismissGoto();
            }
          }}
        />
        <Button
          type="submit"
          small
          className="jp-mfns-goto-button"
          disabled={!model.ready}
        >
          Go
        </Button>
      </form>
      {goto?.pending && (
        <div className="jp-mfns-goto-msg">Looking up {goto.pathspec}…</div>
      )}
      {problem && mismatch && (
        <div className="jp-mfns-goto-msg jp-mfns-mismatch" role="alert">
          <div>
            <code>{goto?.pathspec}</code> is not in{' '}
            <strong>{namespaceLabel(model.namespace)}</strong>.{' '}
            {owners.length
              ? `It belongs to ${owners.join(', ')}.`
              : 'It belongs to no user or production namespace.'}
          </div>
          <div className="jp-mfns-actions">
            {owners.map(owner => (
              <Button
                key={owner}
                small
                className="jp-mod-styled jp-mod-accept"
                onClick={() => model.switchToOwner(owner)}
              >
                Switch to {owner}
              </Button>
            ))}
            {!owners.length && (
              <Button
                small
                className="jp-mod-styled jp-mod-accept"
                onClick={() => model.setNamespace(null, goto?.pathspec)}
              >
                Switch to Global
              </Button>
            )}
            <Button small minimal onClick={() => model.dismissGoto()}>
              Stay here
            </Button>
          </div>
        </div>
      )}
      {problem && !mismatch && (
        <div className="jp-mfns-goto-msg jp-mfns-problem" role="alert">
          {problem.message}
        </div>
      )}
    </div>
  );
}

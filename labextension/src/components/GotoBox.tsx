import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { IProblem } from '../models/errors';
import { ActionsContext } from './actions';

/**
 * The "Go to pathspec" box. A flow opens in the panel, anything deeper in a tab; an
 * object of another namespace asks (a dialog) before switching; other problems (no
 * such run, a malformed pathspec) are said below the box.
 */
export function GotoBox(props: { disabled?: boolean }): JSX.Element {
  const actions = React.useContext(ActionsContext);
  const [text, setText] = React.useState('');
  const [pending, setPending] = React.useState<string | null>(null);
  const [problem, setProblem] = React.useState<IProblem | null>(null);
  // What the box holds now, for lookups that end after more typing.
  const typed = React.useRef('');
  // Lookups run one after another, so the last one asked for ends in front.
  const queue = React.useRef<Promise<void>>(Promise.resolve());
  const edit = (value: string) => {
    typed.current = value;
    setText(value);
  };

  const lookUp = async (wanted: string) => {
    setPending(wanted);
    setProblem(null);
    const failure = await actions.goTo(wanted);
    setPending(null);
    const current = typed.current.trim();
    if (current === wanted) {
      setProblem(failure);
      if (!failure) {
        edit(''); // found and opened: the box is free for the next one
      }
    }
  };
  const go = () => {
    const wanted = text.trim();
    queue.current = queue.current
      .then(() => lookUp(wanted))
      .catch(reason => console.error('jupyter-mfns: go to', wanted, reason));
  };

  return (
    <div className="jp-mfns-goto">
      <form
        className="jp-mfns-goto-form"
        onSubmit={event => {
          event.preventDefault();
          go();
        }}
      >
        <input
          className="jp-mfns-input jp-mfns-goto-input"
          aria-label="Go to pathspec"
          placeholder="Go to Flow/Run[/Step[/Task]]"
          value={text}
          spellCheck={false}
          onChange={event => {
            edit(event.target.value);
            setProblem(null);
          }}
          onKeyDown={event => {
            if (event.key === 'Escape' && problem) {
              event.stopPropagation();
              setProblem(null);
            }
          }}
        />
        <Button
          type="submit"
          small
          className="jp-mfns-goto-button"
          disabled={props.disabled}
        >
          Go
        </Button>
      </form>
      {pending !== null && (
        <div className="jp-mfns-goto-msg" role="status">
          Looking up {pending}…
        </div>
      )}
      {problem && (
        <div className="jp-mfns-goto-msg jp-mfns-problem" role="alert">
          {problem.message}
        </div>
      )}
    </div>
  );
}

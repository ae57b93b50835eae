/** The explorer's parameter filter: `alpha>=0.5 and model=="xgb"`, applied on the server. */
import * as React from 'react';

import type { RunListModel } from '../models/runs';

/**
 * Expressions typed in one box, joined by `and` (or `;`): each is one `where` of `GET runs`,
 * which parses and checks it (a bad one comes back as the list's problem, in the server's words).
 */
export function splitWhere(text: string): string[] {
  return text
    .split(/\s+and\s+|;/i)
    .map(part => part.trim())
    .filter(part => part.length > 0);
}

export function WhereFilter(props: { runs: RunListModel }): JSX.Element {
  // Keyed by what is applied: the box starts from it again whenever it changes.
  const applied = props.runs.where.join(' and ');
  return <WhereBox key={applied} runs={props.runs} applied={applied} />;
}

function WhereBox(props: { runs: RunListModel; applied: string }): JSX.Element {
  const { runs, applied } = props;
  const [text, setText] = React.useState(applied);
  const apply = (): void => void runs.setWhere(splitWhere(text));
  return (
    <form
      className="jp-mfns-where"
      role="search"
      aria-label="Filter runs by parameters"
      onSubmit={event => {
        event.preventDefault();
        apply();
      }}
    >
      <input
        className="jp-mfns-input jp-mfns-where-input"
        aria-label="Parameter filter"
        placeholder='Parameters: alpha>=0.5 and model=="xgb"'
        title={
          'NAME OP VALUE (OP: == != < <= > >=; VALUE a JSON literal), ' +
          'joined by "and"; Enter applies it on the server'
        }
        spellCheck={false}
        value={text}
        onChange={event => setText(event.target.value)}
        onKeyDown={event => {
          if (event.key === 'Escape' && text !== applied) {
            event.preventDefault();
            setText(applied);
          }
        }}
      />
      {runs.where.length > 0 && (
        <button
          type="button"
          className="jp-mfns-link jp-mfns-clear"
          onClick={() => void runs.setWhere([])}
        >
          Clear
        </button>
      )}
    </form>
  );
}

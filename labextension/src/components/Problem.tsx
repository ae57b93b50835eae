import * as React from 'react';

import type { IProblem } from '../models/errors';

/** A problem told where the user looks (role=alert so screen readers say it too). */
export function Problem(props: {
  problem: IProblem | null;
  children?: React.ReactNode;
  onDismiss?: () => void;
}): JSX.Element | null {
  if (!props.problem) {
    return null;
  }
  return (
    <div className="jp-mfns-problem" role="alert">
      <span className="jp-mfns-problem-text">{props.problem.message}</span>
      {props.children}
      {props.onDismiss && (
        <button
          className="jp-mfns-link jp-mfns-problem-dismiss"
          onClick={props.onDismiss}
          aria-label="Dismiss"
          title="Dismiss"
        >
          ×
        </button>
      )}
    </div>
  );
}

/** "Loading…" with the panel's spinner, for anything that takes a moment. */
export function Loading(props: { what?: string }): JSX.Element {
  return (
    <div className="jp-mfns-loading" role="status">
      <span className="jp-mfns-spinner" aria-hidden="true" />
      {props.what ?? 'Loading…'}
    </div>
  );
}

import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { IProblem } from '../models/errors';

/**
 * A problem told where the user looks (role=alert so screen readers say it too).
 * With `onSwitch`, a namespace mismatch offers one click per owning namespace.
 */
export function Problem(props: {
  problem: IProblem | null;
  children?: React.ReactNode;
  onDismiss?: () => void;
  onSwitch?: (owner: string) => void;
}): JSX.Element | null {
  const { problem, onSwitch } = props;
  if (!problem) {
    return null;
  }
  const owners =
    problem.reason === 'namespace_mismatch' && onSwitch
      ? (problem.owners ?? [])
      : [];
  const actions = owners.length > 0 || props.children;
  return (
    <div className="jp-mfns-problem" role="alert">
      <div className="jp-mfns-problem-head">
        <span className="jp-mfns-problem-text">{problem.message}</span>
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
      {actions && (
        // On their own row, wrapping: at any width, every label stays in its button.
        <div className="jp-mfns-problem-actions">
          {owners.map(owner => (
            <Button
              key={owner}
              small
              className="jp-mod-styled jp-mod-accept jp-mfns-problem-button"
              title={`Switch to ${owner}`}
              onClick={() => onSwitch?.(owner)}
            >
              Switch to {owner}
            </Button>
          ))}
          {props.children}
        </div>
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

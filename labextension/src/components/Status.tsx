import * as React from 'react';

import type { Status } from '../types';
import { CopyButton } from './CopyButton';

const SYMBOL: Record<Status, string> = {
  running: '●',
  succeeded: '✓',
  failed: '✗',
  unknown: '?'
};

/** A run's or task's status as a coloured symbol with its word for screen readers. */
export function StatusIcon(props: {
  status: Status;
  withText?: boolean;
}): JSX.Element {
  const { status } = props;
  return (
    <span className={`jp-mfns-status jp-mfns-status-${status}`} title={status}>
      <span aria-hidden="true">{SYMBOL[status]}</span>
      {props.withText ? (
        <span className="jp-mfns-status-text">{status}</span>
      ) : (
        <span className="jp-mfns-sr-only">{status}</span>
      )}
    </span>
  );
}

/** The head of a run or task view: status, pathspec (selectable) and a copy button. */
export function DetailHead(props: {
  status: Status;
  pathspec: string;
  /** Actions on the object, at the end of the line (e.g. "Compare with…"). */
  children?: React.ReactNode;
}): JSX.Element {
  return (
    <div className="jp-mfns-detail-head">
      <StatusIcon status={props.status} withText />
      <span
        className="jp-mfns-detail-title jp-mfns-mono"
        title={props.pathspec}
      >
        {props.pathspec}
      </span>
      <CopyButton text={props.pathspec} />
      {props.children}
    </div>
  );
}

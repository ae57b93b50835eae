import { UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';

import { MIN_POLL_SECONDS } from '../models/config';
import type { LiveState, LiveUpdates } from '../models/live';

const WORDS: Record<LiveState, { text: string; title: string } | null> = {
  off: null,
  connecting: {
    text: 'Connecting…',
    title: 'Connecting to the server’s live updates'
  },
  live: {
    text: 'Live',
    title:
      'New runs, finished runs and tag changes (from the CLI, kernels or here) show as they happen'
  },
  down: {
    text: 'Live updates off',
    title: `The server’s live updates cannot be reached: retrying, and checking for changes every ${MIN_POLL_SECONDS} s meanwhile`
  }
};

/**
 * Whether views update by themselves: a quiet "Live" while the events socket is open,
 * a warning with "Retry" when it is down. `quiet` shows nothing unless it is down.
 */
export function LiveStatus(props: {
  live: LiveUpdates | null;
  quiet?: boolean;
}): JSX.Element | null {
  const { live } = props;
  if (!live) {
    return null;
  }
  return (
    <UseSignal signal={live.stateChanged} initialArgs={live.state}>
      {(_, state) => {
        const current = state ?? live.state;
        const words = WORDS[current];
        if (!words || (props.quiet && current !== 'down')) {
          return null;
        }
        return (
          <span
            className={`jp-mfns-live jp-mfns-live-${current}`}
            title={words.title}
            role="status"
          >
            <span className="jp-mfns-live-dot" aria-hidden="true" />
            <span className="jp-mfns-live-text">{words.text}</span>
            {current === 'down' && (
              <button className="jp-mfns-link" onClick={() => live.reconnect()}>
                Retry
              </button>
            )}
          </span>
        );
      }}
    </UseSignal>
  );
}

import { UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { Activity } from '../models/activity';

/** A thin bar at the top while any request of `activity` is in flight. */
export function Progress(props: { activity: Activity }): JSX.Element {
  const { activity } = props;
  return (
    <UseSignal signal={activity.changed}>
      {() => (
        <div
          className={`jp-mfns-progress${activity.busy ? ' jp-mod-busy' : ''}`}
          role="progressbar"
          aria-label="Loading"
          aria-hidden={!activity.busy}
        />
      )}
    </UseSignal>
  );
}

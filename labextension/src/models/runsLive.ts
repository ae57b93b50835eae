/** A runs list kept current by the events websocket (and checked only when it says so). */
import type { IDisposable } from '@lumino/disposable';

import { coalesced, IChanges, LiveUpdates, touchesFlow } from './live';
import type { RunListModel } from './runs';

/**
 * Listen to `live` for `model`'s flow: a change of its runs checks the list again (one
 * check at a time, after any page on its way); a list showing a problem (e.g. the flow's
 * first run in this namespace had not happened yet) is loaded again instead.
 */
export function followChanges(
  model: RunListModel,
  live: LiveUpdates
): IDisposable {
  let changedRuns = new Set<string>();
  let disposed = false;
  const listening = live.listen();
  const check = coalesced(async () => {
    const changed = changedRuns;
    changedRuns = new Set();
    await whenIdle(model); // a page on its way would make the check moot
    if (disposed || model.isDisposed) {
      return;
    }
    if (model.problem) {
      await model.reload(true);
    } else {
      await model.checkForNew(changed);
    }
  });
  const onChanges = (_: unknown, changes: IChanges): void => {
    if (touchesFlow(changes, model.flow)) {
      changes.runs.forEach(run => changedRuns.add(run));
      check();
    }
  };
  live.changed.connect(onChanges);
  return {
    get isDisposed() {
      return disposed;
    },
    dispose() {
      if (!disposed) {
        disposed = true;
        live.changed.disconnect(onChanges);
        listening.dispose();
      }
    }
  };
}

/** Resolves once `model` loads no page. */
function whenIdle(model: RunListModel): Promise<void> {
  if (!model.loading || model.isDisposed) {
    return Promise.resolve();
  }
  return new Promise(resolve => {
    const settled = () => {
      if (!model.loading || model.isDisposed) {
        model.changed.disconnect(settled);
        resolve();
      }
    };
    model.changed.connect(settled);
  });
}

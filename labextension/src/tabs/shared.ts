import { DisposableDelegate, IDisposable } from '@lumino/disposable';

/** The key of a shared model: its kind, namespace and pathspec. */
export function modelKey(
  kind: string,
  namespace: string | null,
  pathspec: string
): string {
  return JSON.stringify([kind, namespace, pathspec]);
}

/** A model held by one tab; disposing the handle lets go of it. */
export interface IShared<M> extends IDisposable {
  readonly model: M;
}

/**
 * Models shared by the tabs that show one object (a task's tab and its log tab read one
 * TaskModel): created on first use, disposed when the last tab lets go.
 */
export class SharedModels {
  /** The model under `key`, created by `create` when none is held. */
  acquire<M extends IDisposable>(key: string, create: () => M): IShared<M> {
    let entry = this._entries.get(key);
    if (!entry) {
      entry = { model: create(), holders: 0 };
      this._entries.set(key, entry);
    }
    entry.holders += 1;
    const held = entry;
    const handle = new DisposableDelegate(() => {
      held.holders -= 1;
      if (held.holders === 0) {
        this._entries.delete(key);
        held.model.dispose();
      }
    });
    return Object.assign(handle, { model: held.model as M });
  }

  /** How many models are held (for tests). */
  get size(): number {
    return this._entries.size;
  }

  private _entries = new Map<string, { model: IDisposable; holders: number }>();
}

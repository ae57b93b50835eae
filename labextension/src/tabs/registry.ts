/**
 * Kinds of main-area tab: what `mfns:open {kind, ...}` can open. Each kind lives in its
 * own module (tabs/<kind>Tab.tsx) and is listed once in tabs/kinds.ts.
 */
import type {
  ReadonlyJSONObject,
  ReadonlyPartialJSONObject
} from '@lumino/coreutils';
import type { IDisposable } from '@lumino/disposable';
import type { IStateDB } from '@jupyterlab/statedb';
import type { Widget } from '@lumino/widgets';

import type { IActions } from '../components/actions';
import type { Activity } from '../models/activity';
import type { Config } from '../models/config';
import { IPathspec, parsePathspec } from '../pathspec';
import type { IRun, Namespace } from '../types';
import type { SharedModels } from './shared';

/** Kinds other helpers will add; `mfns:open` says they are not available until then. */
export const RESERVED_KINDS = [] as const;

/**
 * The arguments of an open tab, as saved with the workspace: JSON, with the namespace
 * the object is read in (`null` for global) always set.
 */
export type TabArgs = ReadonlyJSONObject & {
  readonly kind: string;
  readonly namespace: Namespace;
};

/** A request to open a tab: a kind's own arguments, namespace optional. */
export type OpenRequest = ReadonlyPartialJSONObject & {
  readonly kind: string;
  /** Omitted: the sidebar's namespace, after checking the object is in it. */
  readonly namespace?: Namespace;
};

/** What a tab's content needs from the extension. */
export interface ITabContext {
  readonly config: Config;
  /** Models shared by the tabs showing one object. */
  readonly models: SharedModels;
  /** Open, switch namespace, copy, load into a notebook. */
  readonly actions: IActions;
  /** Where a view keeps what the user chose (columns); none without a state database. */
  readonly state: IStateDB | null;
  /** A run changed here (its tags): lists elsewhere show it. */
  runUpdated(run: IRun): void;
}

/** The content of one tab: a widget, and what the tab's toolbar asks of it. */
export interface ITabContent extends IDisposable {
  readonly widget: Widget;
  /** Requests in flight, for the tab's progress bar. */
  readonly activity: Activity;
  /** Read the object again. */
  refresh(): void;
  /** A later `mfns:open` of the same object, e.g. with a step to expand. */
  reopen(args: TabArgs): void;
}

/** One kind of tab. */
export interface ITabKind<A extends TabArgs = TabArgs> {
  /** The `kind` argument of `mfns:open`. */
  readonly kind: string;
  /** What it shows, for the palette: "Metaflow Run" (as in "Open Metaflow Run…"). */
  readonly label: string;
  /** Asked for when opened from the palette without a pathspec. */
  readonly prompt?: { label: string; placeholder: string };
  /**
   * Check a request's own arguments (`namespace` and `kind` are handled for every kind);
   * answers the arguments, or a sentence saying what is wrong.
   */
  parse(
    request: ReadonlyPartialJSONObject
  ): Omit<A, 'kind' | 'namespace'> | string;
  /** One tab per object: tabs with equal keys are one tab. Default: the pathspec. */
  key?(args: A): string;
  /** What must be in the namespace before the tab opens. Default: the pathspec. */
  pathspecs?(args: A): string[];
  /** The pathspec shown and copied for this tab. Default: the `pathspec` argument. */
  pathspec?(args: A): string;
  /** Short tab label; the caption names the whole pathspec and the namespace. */
  title(args: A): { label: string; caption: string };
  create(args: A, context: ITabContext): ITabContent;
}

/** The kinds known to `mfns:open`. */
export class TabRegistry {
  /** Register a kind; its name must be new. */
  add<A extends TabArgs>(kind: ITabKind<A>): void {
    if (this._kinds.has(kind.kind)) {
      throw new Error(`Tab kind "${kind.kind}" is already registered.`);
    }
    // Each kind checks its own arguments in `parse`, so it can be stored unparameterized.
    this._kinds.set(kind.kind, kind as unknown as ITabKind);
  }

  get(kind: string): ITabKind | undefined {
    return this._kinds.get(kind);
  }

  get kinds(): ITabKind[] {
    return [...this._kinds.values()];
  }

  /**
   * The full arguments of a request, or what is wrong with it, in words.
   *
   * @param namespace - the namespace to use when the request names none.
   */
  resolve(
    request: OpenRequest,
    namespace: Namespace
  ): { kind: ITabKind; args: TabArgs } | string {
    const kind = this._kinds.get(request.kind);
    if (!kind) {
      return (RESERVED_KINDS as readonly string[]).includes(request.kind)
        ? `Opening a ${request.kind} is not available in this version of jupyter-mfns.`
        : `There is no Metaflow view called "${request.kind}".`;
    }
    const own = kind.parse(request);
    if (typeof own === 'string') {
      return own;
    }
    const ns = request.namespace === undefined ? namespace : request.namespace;
    return { kind, args: { ...own, kind: kind.kind, namespace: ns } };
  }

  /** The key of a tab: one per kind and object. */
  static tabKey(kind: ITabKind, args: TabArgs): string {
    return `${kind.kind}:${kind.key?.(args) ?? TabRegistry.pathspec(kind, args)}`;
  }

  /** The pathspec a tab shows (and copies). */
  static pathspec(kind: ITabKind, args: TabArgs): string {
    return (
      kind.pathspec?.(args) ??
      (typeof args.pathspec === 'string' ? args.pathspec : '')
    );
  }

  /** What must be in the namespace before a tab opens. */
  static pathspecs(kind: ITabKind, args: TabArgs): string[] {
    return kind.pathspecs?.(args) ?? [TabRegistry.pathspec(kind, args)];
  }

  private _kinds = new Map<string, ITabKind>();
}

/** A string argument, or `undefined` when it is missing or not a string. */
export function stringArg(
  request: ReadonlyPartialJSONObject,
  name: string
): string | undefined {
  const value = request[name];
  return typeof value === 'string' ? value : undefined;
}

/** A list of strings given as a list or as one string (as a link repeats or not). */
export function stringListArg(
  request: ReadonlyPartialJSONObject,
  name: string
): string[] {
  const value = request[name];
  if (typeof value === 'string') {
    return [value];
  }
  return Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : [];
}

/**
 * The `pathspec` argument when it has one of the `depths` (1 flow ... 4 task), else a
 * sentence saying what is wrong (`what` names the expected shape).
 */
export function pathspecArg(
  request: ReadonlyPartialJSONObject,
  depths: readonly IPathspec['depth'][],
  what: string
): IPathspec | string {
  const text = stringArg(request, 'pathspec');
  if (text === undefined) {
    return `Give the pathspec of a ${what}.`;
  }
  const ps = parsePathspec(text);
  if (typeof ps === 'string') {
    return ps;
  }
  return depths.includes(ps.depth)
    ? ps
    : `"${ps.pathspec}" is not the pathspec of a ${what}.`;
}

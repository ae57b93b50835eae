import * as React from 'react';

import type { IProblem } from '../models/errors';
import type { OpenRequest } from '../tabs/registry';
import type { Namespace } from '../types';

/** What views ask of JupyterLab itself: tabs, the namespace, clipboard, notebooks. */
export interface IActions {
  /** Open (or activate) a main-area tab: `mfns:open`. */
  open(request: OpenRequest): Promise<void>;
  /** Is a kind of tab registered (e.g. `compare`, added by another module)? */
  canOpen(kind: string): boolean;
  /**
   * "Go to pathspec": a flow opens in the panel, a run, step or task in a tab; outside
   * the namespace, asks before switching. Resolves to what went wrong, if anything.
   */
  goTo(text: string): Promise<IProblem | null>;
  /** Switch the panel's namespace (the user chose it), then open `then` in it. */
  switchTo(namespace: Namespace, then?: OpenRequest): Promise<void>;
  /** Put text on the clipboard and say so. */
  copy(text: string, what?: string): void;
  /** Insert and run a cell (the server's load cell) in the active notebook. */
  runCell(code: string): Promise<void>;
}

/** The actions, given once at the top of the panel and of each tab. */
export const ActionsContext = React.createContext<IActions>({
  open: () => Promise.resolve(),
  canOpen: () => false,
  goTo: () => Promise.resolve(null),
  switchTo: () => Promise.resolve(),
  copy: () => undefined,
  runCell: () => Promise.resolve()
});

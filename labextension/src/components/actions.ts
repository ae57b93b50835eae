import * as React from 'react';

import type { Namespace } from '../types';

/** What views ask of JupyterLab itself (clipboard, notebooks). */
export interface IPanelActions {
  /** Put text on the clipboard and say so. */
  copy(text: string, what?: string): void;
  /** Insert and run a cell that loads the artifact as pandas. */
  loadArtifact(pathspec: string, namespace: Namespace): Promise<void>;
}

/** The actions, given once at the top of the panel. */
export const ActionsContext = React.createContext<IPanelActions>({
  copy: () => undefined,
  loadArtifact: () => Promise.resolve()
});

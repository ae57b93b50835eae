/** "Load into notebook": explicit, reproducible code that loads an artifact as pandas. */
import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  INotebookTracker,
  NotebookActions,
  NotebookPanel
} from '@jupyterlab/notebook';

import type { Namespace } from './types';

const PYTHON_KEYWORDS = new Set(
  (
    'False None True and as assert async await break class continue def del elif else ' +
    'except finally for from global if import in is lambda nonlocal not or pass raise ' +
    'return try while with yield'
  ).split(' ')
);

/** The artifact name when it can be a Python variable, else `artifact`. */
export function variableName(artifact: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(artifact) &&
    !PYTHON_KEYWORDS.has(artifact)
    ? artifact
    : 'artifact';
}

/** A Python string literal (JSON's escapes are valid Python escapes). */
function pyString(text: string): string {
  return JSON.stringify(text);
}

/**
 * The cell that loads `Flow/Run/Step/Task/artifact` from `namespace`, e.g.
 *
 *     from jupyter_mfns import load_artifact
 *     df = load_artifact("PredictionFlow/12/train/3/df", namespace="user:anne")
 *     df
 */
export function artifactCode(pathspec: string, namespace: Namespace): string {
  const name = variableName(pathspec.split('/').pop() ?? '');
  const ns = namespace === null ? 'None' : pyString(namespace);
  return [
    'from jupyter_mfns import load_artifact',
    `${name} = load_artifact(${pyString(pathspec)}, namespace=${ns})`,
    name
  ].join('\n');
}

async function pythonKernelName(
  app: JupyterFrontEnd
): Promise<string | undefined> {
  const manager = app.serviceManager.kernelspecs;
  await manager.ready;
  const specs = manager.specs;
  if (!specs) {
    return undefined;
  }
  const isPython = (name: string) =>
    (specs.kernelspecs[name]?.language ?? '').toLowerCase() === 'python';
  if (isPython(specs.default)) {
    return specs.default;
  }
  return Object.keys(specs.kernelspecs).find(isPython);
}

/**
 * Insert the loading code below the active cell of the active notebook (or in a new
 * Python notebook) and run it.
 */
export async function loadIntoNotebook(
  app: JupyterFrontEnd,
  tracker: INotebookTracker | null,
  pathspec: string,
  namespace: Namespace
): Promise<NotebookPanel> {
  let panel = tracker?.currentWidget ?? null;
  let fresh = false;
  if (!panel) {
    const kernelName = await pythonKernelName(app);
    panel = (await app.commands.execute('notebook:create-new', {
      kernelName
    })) as NotebookPanel;
    fresh = true;
  }
  await panel.context.ready;
  app.shell.activateById(panel.id);
  const notebook = panel.content;
  const active = notebook.activeCell;
  const reuse =
    fresh &&
    notebook.widgets.length === 1 &&
    active?.model.sharedModel.getSource() === '';
  if (!reuse) {
    NotebookActions.insertBelow(notebook);
  }
  NotebookActions.changeCellType(notebook, 'code');
  notebook.activeCell?.model.sharedModel.setSource(
    artifactCode(pathspec, namespace)
  );
  await panel.sessionContext.ready;
  await NotebookActions.run(notebook, panel.sessionContext);
  return panel;
}

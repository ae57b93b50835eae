/** "Load into notebook": put a cell in the active (or a new) notebook and run it. */
import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  INotebookTracker,
  NotebookActions,
  NotebookPanel
} from '@jupyterlab/notebook';

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
 * Insert `code` below the active cell of the active notebook (or in a new Python
 * notebook) and run it.
 */
export async function runInNotebook(
  app: JupyterFrontEnd,
  tracker: INotebookTracker | null,
  code: string
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
  notebook.activeCell?.model.sharedModel.setSource(code);
  await panel.sessionContext.ready;
  await NotebookActions.run(notebook, panel.sessionContext);
  return panel;
}

/**
 * jupyter-mfns: a JupyterLab sidebar that browses Metaflow results by namespace and
 * tags, through the jupyter_mfns REST API.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Clipboard, ICommandPalette, Notification } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStateDB } from '@jupyterlab/statedb';
import type { ReadonlyJSONObject } from '@lumino/coreutils';

import { addCommands } from './commands';
import { IPanelActions } from './components/actions';
import {
  BrowserModel,
  DEFAULT_SETTINGS,
  IBrowserState,
  ISettings
} from './models/browser';
import { KernelLink } from './models/kernelLink';
import { loadIntoNotebook } from './notebook';
import { MfnsPanel } from './panel';

const PLUGIN_ID = 'jupyter-mfns:plugin';
const STATE_KEY = 'jupyter-mfns:state';

function readSettings(settings: ISettingRegistry.ISettings): ISettings {
  const number = (key: keyof ISettings) => {
    const value = settings.get(key).composite;
    return typeof value === 'number' ? value : DEFAULT_SETTINGS[key];
  };
  return {
    pageSize: number('pageSize'),
    refreshInterval: number('refreshInterval')
  };
}

/** Keep the namespace and place across page reloads. */
function persist(model: BrowserModel, state: IStateDB): void {
  let timer = 0;
  model.changed.connect(() => {
    if (!model.ready) {
      return;
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(() => {
      void state.save(STATE_KEY, model.state as unknown as ReadonlyJSONObject);
    }, 300);
  });
}

async function savedState(
  state: IStateDB | null
): Promise<IBrowserState | null> {
  if (!state) {
    return null;
  }
  try {
    const value = (await state.fetch(STATE_KEY)) as unknown as
      IBrowserState | undefined;
    return value && value.location ? value : null;
  } catch {
    return null;
  }
}

/** The jupyter-mfns sidebar plugin. */
const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Browse Metaflow results by namespace and tags.',
  autoStart: true,
  optional: [
    ICommandPalette,
    ISettingRegistry,
    INotebookTracker,
    ILayoutRestorer,
    IStateDB
  ],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    settingRegistry: ISettingRegistry | null,
    tracker: INotebookTracker | null,
    restorer: ILayoutRestorer | null,
    state: IStateDB | null
  ) => {
    const model = new BrowserModel();
    const actions: IPanelActions = {
      copy: (text, what = 'pathspec') => {
        Clipboard.copyToSystem(text);
        Notification.success(`Copied ${what} ${text}`, { autoClose: 2000 });
      },
      loadArtifact: async (pathspec, namespace) => {
        await loadIntoNotebook(app, tracker, pathspec, namespace);
      }
    };
    const link = tracker ? new KernelLink(model, tracker) : null;
    const panel = new MfnsPanel(model, actions, link);
    app.shell.add(panel, 'left', { rank: 650 });
    restorer?.add(panel, 'jupyter-mfns');
    addCommands(app, panel, palette);

    if (settingRegistry) {
      settingRegistry
        .load(PLUGIN_ID)
        .then(settings => {
          model.setSettings(readSettings(settings));
          settings.changed.connect(() =>
            model.setSettings(readSettings(settings))
          );
          if (link && settings.get('linkKernel').composite === true) {
            void app.restored.then(() => link.setWanted(true));
          }
        })
        .catch(reason =>
          console.error('jupyter-mfns: cannot load settings', reason)
        );
    }

    // Read the store only once someone opens the panel.
    let started = false;
    const start = async () => {
      if (started) {
        return;
      }
      started = true;
      const saved = await savedState(state);
      await model.start(saved);
      if (state) {
        persist(model, state);
      }
    };
    panel.shown.connect(() => void start());
    void app.restored.then(() => {
      if (panel.isVisible) {
        void start();
      }
    });
  }
};

export default plugin;

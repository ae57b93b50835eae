/**
 * jupyter-mfns: browse Metaflow results by namespace and tags. The sidebar is the
 * navigator; runs, tasks, logs and a flow's runs open as main-area tabs (`mfns:open`),
 * restored with the layout and reachable by deep links (`lab?mfns=<pathspec>`).
 */
import {
  ILayoutRestorer,
  IRouter,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Clipboard, ICommandPalette, Notification } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStateDB } from '@jupyterlab/statedb';
import type { ReadonlyJSONObject } from '@lumino/coreutils';

import { addCommands } from './commands';
import { BrowserModel, IBrowserState } from './models/browser';
import { Config, DEFAULT_SETTINGS, ISettings } from './models/config';
import { KernelLink } from './models/kernelLink';
import { LiveUpdates } from './models/live';
import { runInNotebook } from './notebook';
import { MfnsPanel } from './panel';
import { addDeepLinks, addOpenCommand, restoreTabs } from './tabs/commands';
import { registerKinds } from './tabs/kinds';
import { TabManager } from './tabs/manager';
import { TabRegistry } from './tabs/registry';

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

/** The jupyter-mfns plugin: the sidebar and the main-area tabs. */
const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Browse Metaflow results by namespace and tags.',
  autoStart: true,
  optional: [
    ICommandPalette,
    ISettingRegistry,
    INotebookTracker,
    ILayoutRestorer,
    IStateDB,
    IRouter
  ],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    settingRegistry: ISettingRegistry | null,
    notebooks: INotebookTracker | null,
    restorer: ILayoutRestorer | null,
    state: IStateDB | null,
    router: IRouter | null
  ) => {
    // One events socket for the sidebar and every tab (open while one of them listens).
    const config = new Config(DEFAULT_SETTINGS, new LiveUpdates());
    const model = new BrowserModel(config);

    // Read the store only once someone opens the panel, or a tab needs the namespace.
    let starting: Promise<void> | null = null;
    const startBrowser = () => {
      if (!starting) {
        starting = (async () => {
          const saved = await savedState(state);
          await model.start(saved);
          if (state) {
            persist(model, state);
          }
        })();
      }
      return starting;
    };

    const manager = new TabManager({
      app,
      registry: new TabRegistry(),
      browser: model,
      startBrowser,
      showBrowser: () => app.shell.activateById(panel.id),
      copy: (text, what = 'pathspec') => {
        Clipboard.copyToSystem(text);
        Notification.success(`Copied ${what} ${text}`, { autoClose: 2000 });
      },
      runCell: async code => {
        await runInNotebook(app, notebooks, code);
      },
      state
    });
    registerKinds(manager.registry);

    const link = notebooks ? new KernelLink(model, notebooks) : null;
    const panel = new MfnsPanel(model, manager.actions, link);
    app.shell.add(panel, 'left', { rank: 650 });
    addCommands(app, panel, manager, palette);
    addOpenCommand(app, manager, palette);
    if (restorer) {
      restorer.add(panel, 'jupyter-mfns');
      restoreTabs(restorer, manager);
    }
    if (router) {
      addDeepLinks(app, router, manager);
    }

    if (settingRegistry) {
      settingRegistry
        .load(PLUGIN_ID)
        .then(settings => {
          config.setSettings(readSettings(settings));
          settings.changed.connect(() =>
            config.setSettings(readSettings(settings))
          );
          if (link && settings.get('linkKernel').composite === true) {
            void app.restored.then(() => link.setWanted(true));
          }
        })
        .catch(reason =>
          console.error('jupyter-mfns: cannot load settings', reason)
        );
    }

    panel.shown.connect(() => void startBrowser());
    void app.restored.then(() => {
      if (panel.isVisible) {
        void startBrowser();
      }
    });
  }
};

export default plugin;

import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  ICommandPalette,
  InputDialog,
  Notification
} from '@jupyterlab/apputils';
import { refreshIcon, copyIcon, searchIcon } from '@jupyterlab/ui-components';

import { GLOBAL_VALUE, namespaceLabel } from './namespaces';
import type { MfnsPanel } from './panel';
import type { TabManager } from './tabs/manager';

/** The sidebar's command ids, all in the "Metaflow" palette category (tabs: mfns:open). */
export namespace CommandIDs {
  export const showBrowser = 'mfns:show-browser';
  export const goto = 'mfns:go-to-pathspec';
  export const refresh = 'mfns:refresh';
  export const copy = 'mfns:copy-pathspec';
  export const switchNamespace = 'mfns:switch-namespace';
}

const CATEGORY = 'Metaflow';

/** Register the panel's commands (and put them in the palette when there is one). */
export function addCommands(
  app: JupyterFrontEnd,
  panel: MfnsPanel,
  manager: TabManager,
  palette: ICommandPalette | null
): void {
  const { commands, shell } = app;
  const model = panel.model;
  const show = () => shell.activateById(panel.id);

  commands.addCommand(CommandIDs.showBrowser, {
    label: 'Show Metaflow Results Browser',
    caption: 'Browse Metaflow runs by namespace and tags',
    execute: () => show()
  });

  commands.addCommand(CommandIDs.goto, {
    label: args =>
      args.pathspec ? `Go to ${args.pathspec}` : 'Go to Metaflow Pathspec…',
    caption:
      'Open a flow in the Metaflow panel, or Flow/Run[/Step[/Task]] in a tab',
    icon: searchIcon,
    execute: async args => {
      show();
      const pathspec = typeof args.pathspec === 'string' ? args.pathspec : null;
      if (pathspec) {
        const problem = await manager.goTo(pathspec);
        if (problem) {
          Notification.error(problem.message, { autoClose: 6000 });
        }
      } else {
        // Let the panel render first, then type in its box.
        requestAnimationFrame(() => panel.focusGoto());
      }
    }
  });

  commands.addCommand(CommandIDs.refresh, {
    label: 'Refresh Metaflow Results',
    icon: refreshIcon,
    execute: () => model.refresh()
  });

  commands.addCommand(CommandIDs.copy, {
    label: 'Copy Metaflow Pathspec',
    caption: 'Copy the pathspec of the flow shown in the panel',
    icon: copyIcon,
    isEnabled: () => model.currentPathspec !== null,
    execute: () => {
      const pathspec = model.currentPathspec;
      if (pathspec) {
        manager.actions.copy(pathspec, 'pathspec');
      }
    }
  });

  commands.addCommand(CommandIDs.switchNamespace, {
    label: args =>
      'namespace' in args
        ? `Switch to Metaflow Namespace ${namespaceLabel((args.namespace as string | null) || null)}`
        : 'Switch Metaflow Namespace…',
    execute: async args => {
      show();
      if ('namespace' in args) {
        const value = args.namespace as string | null;
        model.setNamespace(value || null);
        return;
      }
      const items = [
        ...(model.namespaces?.namespaces.map(n => n.namespace) ?? []),
        'Global (all namespaces)'
      ];
      const current =
        model.namespace === null ? items[items.length - 1] : model.namespace;
      const answer = await InputDialog.getItem({
        title: 'Metaflow namespace',
        items,
        current: Math.max(0, items.indexOf(current)),
        editable: true
      });
      if (answer.button.accept && answer.value !== null) {
        const value =
          answer.value === items[items.length - 1]
            ? GLOBAL_VALUE
            : answer.value;
        model.setNamespace(value === GLOBAL_VALUE ? null : value.trim());
        Notification.info(
          `Metaflow namespace: ${namespaceLabel(model.namespace)}`,
          {
            autoClose: 2500
          }
        );
      }
    }
  });

  if (palette) {
    for (const command of [
      CommandIDs.showBrowser,
      CommandIDs.goto,
      CommandIDs.refresh,
      CommandIDs.copy,
      CommandIDs.switchNamespace
    ]) {
      palette.addItem({ command, category: CATEGORY });
    }
  }
}

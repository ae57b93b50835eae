/**
 * `mfns:open` (with its palette entries), the restoration of open tabs with the
 * workspace layout, and deep links (`lab?mfns=...`).
 */
import type {
  ILayoutRestorer,
  IRouter,
  JupyterFrontEnd
} from '@jupyterlab/application';
import { ICommandPalette, InputDialog } from '@jupyterlab/apputils';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { metaflowIcon } from '../icon';
import { hasLink, linkRequests, withoutLink } from './deeplink';
import type { TabManager } from './manager';
import type { OpenRequest } from './registry';

export namespace TabCommandIDs {
  export const open = 'mfns:open';
  export const openLink = 'mfns:open-link';
}

const CATEGORY = 'Metaflow';

/** The request in a command's arguments (`kind` is the one required argument). */
function asRequest(args: ReadonlyPartialJSONObject): OpenRequest | null {
  return typeof args.kind === 'string' ? (args as OpenRequest) : null;
}

/** Register `mfns:open` and put one "Open Metaflow …" entry per kind in the palette. */
export function addOpenCommand(
  app: JupyterFrontEnd,
  manager: TabManager,
  palette: ICommandPalette | null
): void {
  const kindOf = (args: ReadonlyPartialJSONObject) =>
    typeof args.kind === 'string' ? manager.registry.get(args.kind) : undefined;
  app.commands.addCommand(TabCommandIDs.open, {
    label: args => {
      const kind = kindOf(args);
      const what = kind?.label ?? 'Metaflow Object';
      return typeof args.pathspec === 'string'
        ? `Open ${what} ${args.pathspec}`
        : `Open ${what}…`;
    },
    caption:
      'Open a Metaflow flow’s runs, a run, a task, a log, a card or a comparison in a main-area tab',
    icon: metaflowIcon,
    describedBy: {
      args: {
        type: 'object',
        required: ['kind'],
        properties: {
          kind: {
            type: 'string',
            description: 'runs, run, task, log, card or compare'
          },
          pathspec: {
            type: 'string',
            description:
              'Flow (runs), Flow/Run[/Step] (run), Flow/Run/Step/Task'
          },
          namespace: {
            type: ['string', 'null'],
            description:
              'Read it in this namespace (null: global); omitted: the panel’s, asking before switching'
          },
          step: { type: 'string', description: 'run: a step to expand' },
          stream: { type: 'string', description: 'log: stdout or stderr' },
          tags: {
            type: 'array',
            items: { type: 'string' },
            description: 'runs: the tag filter'
          },
          tasks: {
            type: 'array',
            items: { type: 'string' },
            description: 'card: two or more tasks, their card side by side'
          },
          runs: {
            type: 'array',
            items: { type: 'string' },
            description: 'compare: 2 to 8 runs (Flow/Run), side by side'
          },
          hash: { type: 'string', description: 'card: which card (GET cards)' },
          type: { type: 'string', description: 'card: its type, e.g. blank' },
          id: { type: 'string', description: 'card: its @card(id=...)' }
        }
      }
    },
    execute: async args => {
      let request = asRequest(args);
      if (!request) {
        throw new Error('mfns:open needs a "kind" argument.');
      }
      const kind = kindOf(request);
      if (kind?.prompt && typeof request.pathspec !== 'string') {
        const answer = await InputDialog.getText({
          title: `Open ${kind.label}`,
          label: kind.prompt.label,
          placeholder: kind.prompt.placeholder
        });
        if (!answer.button.accept || !answer.value?.trim()) {
          return null;
        }
        request = { ...request, pathspec: answer.value.trim() };
      }
      return manager.open(request);
    }
  });
  if (palette) {
    for (const kind of manager.registry.kinds) {
      if (kind.prompt) {
        palette.addItem({
          command: TabCommandIDs.open,
          args: { kind: kind.kind },
          category: CATEGORY
        });
      }
    }
  }
}

/** Reopen the tabs that were open, where they were, when the page loads again. */
export function restoreTabs(
  restorer: ILayoutRestorer,
  manager: TabManager
): void {
  void restorer.restore(manager.tracker, {
    command: TabCommandIDs.open,
    args: tab => tab.args,
    name: tab => tab.key
  });
}

/**
 * Deep links: a page loaded as `lab?mfns=<pathspec>` (or `lab?mfns-compare=...`)
 * opens that object once the layout is restored, and the address bar loses the query.
 */
export function addDeepLinks(
  app: JupyterFrontEnd,
  router: IRouter,
  manager: TabManager
): void {
  const handling = new Set<string>();
  app.commands.addCommand(TabCommandIDs.openLink, {
    label: 'Open a Metaflow deep link',
    execute: args => {
      const search = typeof args.search === 'string' ? args.search : '';
      if (!hasLink(search) || handling.has(search)) {
        return;
      }
      handling.add(search);
      // Clean what the address bar shows now (another route may have changed it).
      const now = router.current;
      router.navigate(now.path + withoutLink(now.search ?? '') + now.hash, {
        skipRouting: true
      });
      // Not awaited: routing goes on (restoring the layout may wait for other routes).
      void app.restored
        .then(async () => {
          for (const request of linkRequests(search)) {
            await manager.open(request);
          }
        })
        .finally(() => handling.delete(search));
    }
  });
  router.register({
    command: TabCommandIDs.openLink,
    pattern: /[?&]mfns(-[a-z]+)?=/,
    rank: 110 // after JupyterLab's own routes (workspace state, reset, tree)
  });
}

import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { IStateDB } from '@jupyterlab/statedb';
import { Notification, WidgetTracker } from '@jupyterlab/apputils';
import { PageConfig, URLExt } from '@jupyterlab/coreutils';

import { api } from '../api';
import type { IActions } from '../components/actions';
import type { BrowserModel } from '../models/browser';
import { IProblem, toProblem } from '../models/errors';
import { parsePathspec } from '../pathspec';
import type { Namespace } from '../types';
import { defaultKind, linkQuery } from './deeplink';
import {
  ITabContext,
  ITabKind,
  OpenRequest,
  TabArgs,
  TabRegistry
} from './registry';
import { SharedModels } from './shared';
import { askToSwitch } from './switchDialog';
import { MfnsTab } from './widget';

/** What the manager needs from the rest of the extension. */
export interface ITabManagerOptions {
  app: JupyterFrontEnd;
  registry: TabRegistry;
  /** The sidebar's model: its namespace is "the current namespace". */
  browser: BrowserModel;
  /** Start the sidebar's model if it has not started (its namespace is then known). */
  startBrowser: () => Promise<void>;
  /** Show the sidebar. */
  showBrowser: () => void;
  copy: (text: string, what?: string) => void;
  runCell: (code: string) => Promise<void>;
  /** Where views keep what the user chose (the explorer's columns). */
  state: IStateDB | null;
}

/** How an open ended: a tab, a problem to tell, or the user chose to stay. */
type Opened = { tab: MfnsTab } | { problem: IProblem } | { stayed: true };

/**
 * Opens Metaflow objects in main-area tabs, one tab per object, tracked (and so
 * restored with the layout) by one `WidgetTracker`. An object asked for without a
 * namespace is looked up in the sidebar's; outside it, a dialog names the namespaces
 * that own it and asks before switching.
 */
export class TabManager {
  constructor(private readonly _options: ITabManagerOptions) {
    const { browser } = _options;
    this.actions = {
      open: request => this.open(request).then(() => undefined),
      canOpen: kind => this.registry.get(kind) !== undefined,
      goTo: text => this.goTo(text),
      switchTo: (namespace, then) => this.switchTo(namespace, then),
      copy: _options.copy,
      runCell: _options.runCell
    };
    this._context = {
      config: browser.config,
      models: this.models,
      actions: this.actions,
      state: _options.state,
      runUpdated: run => browser.runUpdated(run)
    };
  }

  /** Every open tab (its namespace is the one the restorer uses). */
  readonly tracker = new WidgetTracker<MfnsTab>({
    namespace: 'jupyter-mfns-tabs'
  });
  readonly models = new SharedModels();
  /** What views may ask (the sidebar's and every tab's). */
  readonly actions: IActions;

  get registry(): TabRegistry {
    return this._options.registry;
  }

  /** `mfns:open`: open the tab a request names, or activate it when it is open. */
  async open(request: OpenRequest): Promise<MfnsTab | null> {
    const opened = await this._open(request);
    if ('problem' in opened) {
      Notification.error(opened.problem.message, { autoClose: 6000 });
      return null;
    }
    return 'tab' in opened ? opened.tab : null;
  }

  /**
   * "Go to pathspec": a flow opens in the sidebar, a run, step or task in a tab.
   * Resolves to the problem to show beside the box, if any.
   */
  async goTo(text: string): Promise<IProblem | null> {
    const ps = parsePathspec(text);
    if (typeof ps === 'string') {
      return { reason: 'invalid_pathspec', message: ps };
    }
    const namespace = await this._currentNamespace();
    if (typeof namespace === 'object' && namespace !== null) {
      return namespace;
    }
    const checked = await this._check([ps.pathspec], namespace);
    if (!('namespace' in checked)) {
      return 'problem' in checked ? checked.problem : null;
    }
    if (ps.depth === 1) {
      this._options.browser.openFlow(ps.flow);
      this._options.showBrowser();
      return null;
    }
    const opened = await this._open({
      kind: defaultKind(ps.pathspec),
      pathspec: ps.pathspec,
      namespace: checked.namespace
    });
    return 'problem' in opened ? opened.problem : null;
  }

  /** The user chose `namespace`: the sidebar switches, then `then` opens in it. */
  async switchTo(namespace: Namespace, then?: OpenRequest): Promise<void> {
    await this._options.startBrowser();
    this._options.browser.setNamespace(namespace);
    if (then) {
      await this.open({ ...then, namespace });
    }
  }

  /** The deep link that reopens a tab with these arguments. */
  linkFor(args: TabArgs): string {
    const app = PageConfig.getOption('appUrl') || '/lab';
    return URLExt.join(PageConfig.getBaseUrl(), app) + linkQuery(args);
  }

  private async _open(request: OpenRequest): Promise<Opened> {
    const explicit = request.namespace !== undefined;
    const current = explicit
      ? (request.namespace as Namespace)
      : await this._currentNamespace();
    if (typeof current === 'object' && current !== null) {
      return { problem: current };
    }
    const resolved = this.registry.resolve(request, current);
    if (typeof resolved === 'string') {
      return { problem: { reason: 'invalid_argument', message: resolved } };
    }
    const { kind } = resolved;
    let { args } = resolved;
    const key = TabRegistry.tabKey(kind, args);
    const open = this.tracker.find(tab => tab.key === key);
    if (open && (!explicit || open.args.namespace === args.namespace)) {
      open.reopen({ ...args, namespace: open.args.namespace });
      void this.tracker.save(open); // its arguments may have changed (a step to expand)
      this._options.app.shell.activateById(open.id);
      return { tab: open };
    }
    if (!explicit) {
      const checked = await this._check(
        TabRegistry.pathspecs(kind, args),
        current
      );
      if (!('namespace' in checked)) {
        return checked;
      }
      args = { ...args, namespace: checked.namespace };
    }
    return { tab: this._create(kind, args, open) };
  }

  /** A new tab; it takes the place of `replaced` (the same object in another namespace). */
  private _create(kind: ITabKind, args: TabArgs, replaced?: MfnsTab): MfnsTab {
    const tab = new MfnsTab({
      kind,
      args,
      content: kind.create(args, this._context),
      actions: { copy: this._options.copy, linkFor: a => this.linkFor(a) },
      live: this._options.browser.config.live
    });
    const { shell } = this._options.app;
    shell.add(
      tab,
      'main',
      replaced
        ? { ref: replaced.id, mode: 'tab-after', type: 'Metaflow' }
        : { type: 'Metaflow' }
    );
    replaced?.close();
    void this.tracker.add(tab);
    shell.activateById(tab.id);
    return tab;
  }

  /**
   * Are these objects in `namespace`? When one is not, ask to switch to its owner; for
   * several (a comparison), to an owner of all of them, else the global namespace
   * (the sidebar follows the choice).
   */
  private async _check(
    pathspecs: readonly string[],
    namespace: Namespace
  ): Promise<
    { namespace: Namespace } | { problem: IProblem } | { stayed: true }
  > {
    // Check them all first: several objects (a comparison) need a namespace holding all.
    const outside: { pathspec: string; owners: string[] }[] = [];
    for (const pathspec of pathspecs) {
      try {
        await this._options.browser.activity.track(
          api.object(pathspec, namespace)
        );
      } catch (error) {
        const problem = toProblem(error);
        if (problem.reason !== 'namespace_mismatch') {
          return { problem };
        }
        outside.push({ pathspec, owners: problem.owners ?? [] });
      }
    }
    if (!outside.length) {
      return { namespace };
    }
    const [first] = outside;
    const shared = first.owners.filter(owner =>
      outside.every(o => o.owners.includes(owner))
    );
    // some are here and some elsewhere, or no owner holds them all: only global does
    const offered =
      outside.length === pathspecs.length && shared.length ? shared : [null];
    const chosen = await askToSwitch(
      first.pathspec,
      namespace,
      first.owners,
      pathspecs.length > 1 ? offered : undefined
    );
    if (chosen === undefined) {
      return { stayed: true };
    }
    this._options.browser.setNamespace(chosen);
    return { namespace: chosen };
  }

  /** The sidebar's namespace, once known; a problem when the store cannot be read. */
  private async _currentNamespace(): Promise<Namespace | IProblem> {
    const { browser } = this._options;
    await this._options.startBrowser();
    return browser.ready
      ? browser.namespace
      : (browser.problem ?? {
          reason: 'store_unavailable',
          message: 'The Metaflow store cannot be read.'
        });
  }

  private _context: ITabContext;
}

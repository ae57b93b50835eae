import { ReactWidget } from '@jupyterlab/ui-components';
import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';
import type { Widget } from '@lumino/widgets';
import * as React from 'react';

import { ActionsContext, IActions } from '../components/actions';
import { Progress } from '../components/Progress';
import type { Activity } from '../models/activity';
import type { ITabContent, TabArgs } from './registry';

/** How a kind builds its tab's content. */
export interface ITabViewOptions {
  /** Classes for the kind's styles, e.g. `jp-mfns-runtab` (space-separated). */
  className: string;
  actions: IActions;
  /** Requests in flight, shown as the progress bar. */
  activity: Activity;
  /** Render again when any of these fires. */
  signals: ISignal<object, unknown>[];
  render: () => JSX.Element;
  refresh: () => void;
  /** A later open of the same object (e.g. with a step to expand). */
  reopen?: (args: TabArgs) => void;
  /** Let go of these (shared models, connections) when the tab closes. */
  resources?: IDisposable[];
}

/**
 * The content of a tab: a React view of one or more models, rendered again whenever one
 * of their signals fires, with the tab's progress bar on top.
 */
export class TabView extends ReactWidget implements ITabContent {
  constructor(private readonly _options: ITabViewOptions) {
    super();
    this.addClass('jp-mfns-root');
    this.addClass('jp-mfns-tabview');
    for (const name of _options.className.split(/\s+/).filter(Boolean)) {
      this.addClass(name);
    }
    for (const signal of _options.signals) {
      signal.connect(this._changed, this);
    }
  }

  get widget(): Widget {
    return this;
  }
  get activity(): Activity {
    return this._options.activity;
  }

  refresh(): void {
    this._options.refresh();
  }

  reopen(args: TabArgs): void {
    this._options.reopen?.(args);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    for (const signal of this._options.signals) {
      signal.disconnect(this._changed, this);
    }
    for (const resource of this._options.resources ?? []) {
      resource.dispose();
    }
    super.dispose();
  }

  protected render(): JSX.Element {
    return (
      <ActionsContext.Provider value={this._options.actions}>
        <Progress activity={this._options.activity} />
        {this._options.render()}
      </ActionsContext.Provider>
    );
  }

  private _changed(): void {
    this.update();
  }
}

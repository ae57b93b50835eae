import { MainAreaWidget } from '@jupyterlab/apputils';
import {
  copyIcon,
  linkIcon,
  ReactWidget,
  refreshIcon,
  Toolbar,
  ToolbarButton
} from '@jupyterlab/ui-components';
import type { Widget } from '@lumino/widgets';
import * as React from 'react';

import { LiveStatus } from '../components/LiveStatus';
import { metaflowIcon } from '../icon';
import type { LiveUpdates } from '../models/live';
import { ITabContent, ITabKind, TabArgs, TabRegistry } from './registry';

let nextId = 0;

/** What a tab's toolbar does beyond its content. */
export interface ITabToolbarActions {
  copy(text: string, what: string): void;
  /** The link that reopens this tab (deep link). */
  linkFor(args: TabArgs): string;
}

/**
 * One Metaflow object in the main area: a `MainAreaWidget` titled with its pathspec,
 * with "Copy link", "Copy pathspec" and "Refresh" in its toolbar.
 */
export class MfnsTab extends MainAreaWidget<Widget> {
  constructor(options: {
    kind: ITabKind;
    args: TabArgs;
    content: ITabContent;
    actions: ITabToolbarActions;
    /** Shown in the toolbar: whether the view updates by itself. */
    live?: LiveUpdates | null;
  }) {
    super({ content: options.content.widget });
    const { kind, content, actions } = options;
    this.kind = kind;
    this._args = options.args;
    this._tabContent = content;
    this.id = `jp-mfns-tab-${++nextId}`;
    this.addClass('jp-mfns-tabwidget');
    this.title.icon = metaflowIcon;
    this.title.closable = true;
    this._retitle();

    this.toolbar.addItem(
      'copy-link',
      new ToolbarButton({
        icon: linkIcon,
        label: 'Copy link',
        tooltip: 'Copy a link that opens this view (in the reader’s namespace)',
        onClick: () => actions.copy(actions.linkFor(this._args), 'link')
      })
    );
    this.toolbar.addItem(
      'copy-pathspec',
      new ToolbarButton({
        icon: copyIcon,
        tooltip: 'Copy the pathspec',
        onClick: () => actions.copy(this.pathspec, 'pathspec')
      })
    );
    this.toolbar.addItem(
      'refresh',
      new ToolbarButton({
        icon: refreshIcon,
        tooltip: 'Read it again from the Metaflow store',
        onClick: () => this._tabContent.refresh()
      })
    );
    this.toolbar.addItem('spacer', Toolbar.createSpacerItem());
    this.toolbar.addItem(
      'live',
      ReactWidget.create(
        React.createElement(LiveStatus, { live: options.live ?? null })
      )
    );
  }

  readonly kind: ITabKind;

  /** The arguments that reopen this tab (saved with the workspace). */
  get args(): TabArgs {
    return this._args;
  }
  /** One tab per key: see {@link TabRegistry.tabKey}. */
  get key(): string {
    return TabRegistry.tabKey(this.kind, this._args);
  }
  get pathspec(): string {
    return TabRegistry.pathspec(this.kind, this._args);
  }

  /** A later open of the same object: pass its arguments on (e.g. a step to expand). */
  reopen(args: TabArgs): void {
    this._args = args;
    this._tabContent.reopen(args);
    this._retitle();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._tabContent.dispose();
    super.dispose();
  }

  private _retitle(): void {
    const { label, caption } = this.kind.title(this._args);
    this.title.label = label;
    this.title.caption = caption;
    this.title.dataset = { 'mfns-kind': this.kind.kind, 'mfns-key': this.key };
    this.node.dataset.mfnsKind = this.kind.kind;
    this.node.dataset.mfnsKey = this.key;
  }

  private _args: TabArgs;
  private _tabContent: ITabContent;
}

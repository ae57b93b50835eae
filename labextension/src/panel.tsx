import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import { ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';

import { ActionsContext, IActions } from './components/actions';
import { Browser } from './components/Browser';
import { metaflowIcon } from './icon';
import type { BrowserModel } from './models/browser';
import type { KernelLink } from './models/kernelLink';

/** The sidebar widget: a React view of a {@link BrowserModel}. */
export class MfnsPanel extends ReactWidget {
  constructor(
    readonly model: BrowserModel,
    private readonly _actions: IActions,
    readonly link: KernelLink | null = null
  ) {
    super();
    this.id = 'jupyter-mfns-panel';
    this.addClass('jp-mfns-root');
    this.addClass('jp-mfns-panel');
    this.title.icon = metaflowIcon;
    this.title.caption = 'Metaflow results';
  }

  /** Put the keyboard in the "Go to pathspec" box. */
  focusGoto(): void {
    const input = this.node.querySelector<HTMLInputElement>(
      '.jp-mfns-goto-input'
    );
    input?.focus();
    input?.select();
  }

  /** Start reading the store the first time the panel is shown. */
  protected onAfterShow(): void {
    this._shown.emit();
  }

  /** Emitted each time the panel is shown. */
  get shown(): ISignal<this, void> {
    return this._shown;
  }

  protected render(): JSX.Element {
    return (
      <ActionsContext.Provider value={this._actions}>
        <UseSignal signal={this.model.changed}>
          {() => <Browser model={this.model} link={this.link} />}
        </UseSignal>
      </ActionsContext.Provider>
    );
  }

  dispose(): void {
    this.link?.dispose();
    this.model.dispose();
    super.dispose();
  }

  private _shown = new Signal<this, void>(this);
}

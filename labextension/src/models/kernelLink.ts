/**
 * The link between the panel and the active notebook's kernel: both share one Metaflow
 * namespace (protocol in docs/kernel-sync.md).
 */
import type { ISessionContext } from '@jupyterlab/apputils';
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import type { JSONObject } from '@lumino/coreutils';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import type { Namespace } from '../types';
import type { BrowserModel, INamespaceChange } from './browser';

/** The comm target the kernel half registers. */
export const COMM_TARGET = 'jupyter_mfns';
/** The protocol version this panel speaks. */
export const PROTOCOL = 1;

/** What the link control shows (its `data-mfns-link` attribute). */
export type LinkState = 'off' | 'pending' | 'linked' | 'unavailable';

type KernelMessageData =
  | {
      type: 'namespace';
      protocol: number;
      namespace: Namespace;
      default: Namespace;
      source: 'kernel' | 'sidebar' | 'widget';
      reply_to: string | null;
    }
  | {
      type: 'error';
      protocol: number;
      reason: string;
      message: string;
      reply_to: string | null;
    };

/**
 * Keeps the panel's namespace and the active notebook kernel's Metaflow namespace equal
 * while linked: the kernel wins on link, a kernel change moves the panel (never echoed
 * back), a choice in the panel is sent to the kernel.
 */
export class KernelLink implements IDisposable {
  constructor(
    private readonly _model: BrowserModel,
    private readonly _tracker: INotebookTracker | null
  ) {
    _model.namespaceChanged.connect(this._onPanelNamespace, this);
    _tracker?.currentChanged.connect(this._onNotebookChanged, this);
  }

  /**
   * Emitted when a choice in the panel moved the kernel's Metaflow namespace (later cells of
   * that notebook read it): the plugin says so, as the change is not seen in the notebook.
   */
  get kernelMoved(): ISignal<this, { notebook: string; namespace: Namespace }> {
    return this._kernelMoved;
  }

  /** Emitted when the state, the notebook or the message changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }
  get state(): LinkState {
    return this._state;
  }
  /** Why the link is unavailable, or the kernel's last refusal, in words. */
  get message(): string | null {
    return this._message;
  }
  /** Name of the notebook whose kernel is (to be) linked. */
  get notebook(): string | null {
    return this._panel?.title.label ?? null;
  }
  /** The user wants the panel linked. */
  get wanted(): boolean {
    return this._wanted;
  }
  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Link (or unlink) the panel and the active notebook's kernel. */
  setWanted(wanted: boolean): void {
    this._wanted = wanted;
    if (wanted) {
      void this._connect();
    } else {
      this._disconnect();
      this._message = null;
      this._setState('off');
    }
  }

  /** Flip the link; when it is unavailable, try again instead. */
  toggle(): void {
    this.setWanted(this._state === 'unavailable' ? true : !this._wanted);
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._disconnect();
    Signal.clearData(this);
  }

  private _onNotebookChanged(): void {
    if (this._wanted) {
      void this._connect();
    } else {
      this._changed.emit();
    }
  }

  private _onSessionChanged(context: ISessionContext): void {
    // A restart closes every comm: link again once the kernel is back (it needs the
    // silent %load_ext again). Other status changes (busy, idle) are the kernel's work.
    const status = context.session?.kernel?.status;
    if (
      status === 'restarting' ||
      status === 'autorestarting' ||
      status === 'dead'
    ) {
      this._attempt++;
      this._closeComm();
      this._restarted = true;
      if (this._wanted) {
        this._setState('pending');
      }
    } else if (status === 'idle' && this._restarted) {
      this._restarted = false;
      if (this._wanted) {
        void this._connect();
      }
    }
  }

  private _watch(panel: NotebookPanel | null): void {
    if (this._panel === panel) {
      return;
    }
    if (this._panel) {
      this._panel.sessionContext.kernelChanged.disconnect(
        this._onKernelChanged,
        this
      );
      this._panel.sessionContext.statusChanged.disconnect(
        this._onSessionChanged,
        this
      );
    }
    this._panel = panel;
    if (panel) {
      panel.sessionContext.kernelChanged.connect(this._onKernelChanged, this);
      panel.sessionContext.statusChanged.connect(this._onSessionChanged, this);
    }
  }

  private _onKernelChanged(): void {
    this._closeComm();
    if (this._wanted) {
      void this._connect();
    }
  }

  private async _connect(): Promise<void> {
    const attempt = ++this._attempt;
    this._closeComm();
    const panel = this._tracker?.currentWidget ?? null;
    this._watch(panel);
    this._message = null;
    if (!panel) {
      this._unavailable('Open a notebook to link its kernel.');
      return;
    }
    this._setState('pending');
    await panel.sessionContext.ready;
    const kernel = panel.sessionContext.session?.kernel ?? null;
    if (attempt !== this._attempt) {
      return;
    }
    if (!kernel) {
      this._unavailable(`${panel.title.label} has no kernel.`);
      return;
    }
    const info = await kernel.info;
    if (attempt !== this._attempt) {
      return;
    }
    if (info.language_info.name !== 'python') {
      this._unavailable(`${panel.title.label} does not run Python.`);
      return;
    }
    // Idempotent and silent: nothing appears in the notebook.
    await kernel
      .requestExecute({
        code: '%load_ext jupyter_mfns',
        silent: true,
        store_history: false
      })
      .done.catch(() => undefined);
    if (attempt !== this._attempt) {
      return;
    }
    this._openComm(kernel, attempt);
  }

  private _openComm(kernel: Kernel.IKernelConnection, attempt: number): void {
    const comm = kernel.createComm(COMM_TARGET);
    this._comm = comm;
    this._heard = false;
    comm.onMsg = msg => this._onMessage(msg, attempt);
    comm.onClose = () => {
      if (this._comm !== comm) {
        return; // we closed it ourselves
      }
      this._comm = null;
      if (!this._heard) {
        this._unavailable(
          'This kernel cannot link: jupyter_mfns is not installed in it.'
        );
      } else if (this._wanted) {
        this._setState('pending');
      }
    };
    this._pending = this._nextId('hello');
    comm.open({ type: 'hello', protocol: PROTOCOL, id: this._pending });
  }

  private _onMessage(msg: KernelMessage.ICommMsgMsg, attempt: number): void {
    if (attempt !== this._attempt) {
      return;
    }
    const data = msg.content.data as unknown as KernelMessageData;
    this._heard = true;
    if (data.protocol > PROTOCOL) {
      this._wanted = false;
      this._disconnect();
      this._unavailable(
        `The kernel speaks sync protocol ${data.protocol}; this panel knows ${PROTOCOL}. Update jupyter_mfns.`
      );
      return;
    }
    // Latest request wins: older broadcasts would make the dropdown jump back.
    if (this._pending !== null && data.reply_to !== this._pending) {
      return;
    }
    if (data.type === 'error') {
      this._message = data.message;
      if (this._state !== 'linked') {
        // A refused hello (e.g. unknown_user): linked, but the kernel has no namespace.
        this._pending = null;
        this._setState('linked');
      }
      this._changed.emit();
      return; // after a refused request the kernel's unchanged state follows
    }
    const moved = data.reply_to !== null && data.reply_to === this._moving;
    this._moving = null;
    this._pending = null;
    if (data.type === 'namespace' && moved) {
      this._kernelMoved.emit({
        notebook: this.notebook ?? 'the notebook',
        namespace: data.namespace
      });
    }
    if (data.type === 'namespace') {
      if (this._state !== 'linked') {
        this._setState('linked');
      }
      this._model.applyKernelNamespace(data.namespace);
    }
  }

  private _onPanelNamespace(_: BrowserModel, change: INamespaceChange): void {
    if (change.source !== 'user' || !this._comm || this._state !== 'linked') {
      return;
    }
    this._message = null;
    this._pending = this._nextId('r');
    this._moving = this._pending;
    const request: JSONObject = {
      type: 'namespace',
      namespace: change.namespace,
      id: this._pending,
      source: 'sidebar'
    };
    this._comm.send(request);
    this._changed.emit();
  }

  private _unavailable(message: string): void {
    this._message = message;
    this._setState('unavailable');
  }

  private _closeComm(): void {
    const comm = this._comm;
    this._comm = null;
    this._pending = null;
    if (comm && !comm.isDisposed) {
      try {
        comm.close();
      } catch {
        // the kernel is gone already
      }
    }
  }

  private _disconnect(): void {
    this._attempt++;
    this._closeComm();
  }

  private _nextId(prefix: string): string {
    return `${prefix}${++this._counter}`;
  }

  private _setState(state: LinkState): void {
    this._state = state;
    this._changed.emit();
  }

  private _state: LinkState = 'off';
  private _wanted = false;
  private _message: string | null = null;
  private _panel: NotebookPanel | null = null;
  private _comm: Kernel.IComm | null = null;
  private _heard = false;
  private _restarted = false;
  private _pending: string | null = null;
  /** The request that asks the kernel to move its namespace, until answered. */
  private _moving: string | null = null;
  private _counter = 0;
  private _attempt = 0;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
  private _kernelMoved = new Signal<
    this,
    { notebook: string; namespace: Namespace }
  >(this);
}

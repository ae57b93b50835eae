/**
 * Live updates: the one client of the server's `events` websocket
 * (`WS {base_url}mfns/api/events?namespace=`, see openapi.yaml). It tells every model
 * what changed (`runs` of a flow, one `run`), in batches, so open panels and tabs
 * re-fetch what they show within moments instead of polling.
 *
 * The socket is open while someone listens (`listen()`), reconnects with a growing,
 * jittered delay when it drops (as JupyterLab's kernel connections do), moves to the
 * panel's namespace when it changes, and after a reconnect tells listeners to re-read
 * everything (`resync`): changes made while it was down were not heard.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { DisposableDelegate, IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import type { Namespace } from '../types';

/** `off`: nobody listens; `connecting`; `live`; `down`: dropped, retrying. */
export type LiveState = 'off' | 'connecting' | 'live' | 'down';

/** What changed since the last batch. */
export interface IChanges {
  /** Flows whose runs appeared or went. */
  readonly flows: ReadonlySet<string>;
  /** Runs (`F/R`) whose tags or status changed. */
  readonly runs: ReadonlySet<string>;
  /** Anything may have changed (the socket was down): re-read everything. */
  readonly resync: boolean;
}

/** Does a batch concern the runs of `flow` (a new or gone run, or one of its runs)? */
export function touchesFlow(changes: IChanges, flow: string): boolean {
  if (changes.resync || changes.flows.has(flow)) {
    return true;
  }
  const prefix = `${flow}/`;
  for (const pathspec of changes.runs) {
    if (pathspec.startsWith(prefix)) {
      return true;
    }
  }
  return false;
}

/** Does a batch concern the run `F/R` (its own change, or its flow's runs)? */
export function touchesRun(changes: IChanges, run: string): boolean {
  return (
    changes.resync ||
    changes.runs.has(run) ||
    changes.flows.has(run.split('/')[0])
  );
}

/** Messages collected until the next batch goes out. */
export class ChangeBatch {
  /** Take one websocket message; answers false when it is not an event. */
  add(message: unknown): boolean {
    if (!message || typeof message !== 'object') {
      return false;
    }
    const m = message as { type?: unknown; flow?: unknown; pathspec?: unknown };
    if (m.type === 'runs' && typeof m.flow === 'string') {
      this._flows.add(m.flow);
      return true;
    }
    if (m.type === 'run' && typeof m.pathspec === 'string') {
      this._runs.add(m.pathspec);
      return true;
    }
    return false;
  }

  resync(): void {
    this._resync = true;
  }

  get empty(): boolean {
    return !this._resync && !this._flows.size && !this._runs.size;
  }

  /** The batch so far, and start a new one. */
  take(): IChanges {
    const out = { flows: this._flows, runs: this._runs, resync: this._resync };
    this._flows = new Set();
    this._runs = new Set();
    this._resync = false;
    return out;
  }

  private _flows = new Set<string>();
  private _runs = new Set<string>();
  private _resync = false;
}

/** The events URL for a namespace, with the token as Jupyter's websockets pass it. */
export function eventsUrl(
  settings: Pick<ServerConnection.ISettings, 'wsUrl' | 'token' | 'appendToken'>,
  namespace: Namespace
): string {
  let url =
    URLExt.join(settings.wsUrl, 'mfns', 'api', 'events') +
    `?namespace=${encodeURIComponent(namespace ?? '')}`;
  if (settings.appendToken && settings.token) {
    url += `&token=${encodeURIComponent(settings.token)}`;
  }
  return url;
}

/** Delay before reconnect attempt `n` (0-based): 0.5 s doubling to 30 s, jittered. */
export function reconnectDelay(
  n: number,
  random: number = Math.random()
): number {
  const base = Math.min(30_000, 500 * 2 ** Math.min(n, 16));
  return Math.round(base * (0.5 + random / 2));
}

/** Messages arriving this close together go out as one batch. */
const BATCH_MS = 80;

export class LiveUpdates implements IDisposable {
  constructor(
    private readonly _settings: ServerConnection.ISettings = ServerConnection.makeSettings()
  ) {}

  get state(): LiveState {
    return this._state;
  }
  get stateChanged(): ISignal<this, LiveState> {
    return this._stateChanged;
  }
  /** What changed, in batches. */
  get changed(): ISignal<this, IChanges> {
    return this._changed;
  }
  get namespace(): Namespace {
    return this._namespace;
  }
  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Keep the socket open until the returned handle is disposed. */
  listen(): IDisposable {
    this._listeners += 1;
    if (this._listeners === 1) {
      this._connect();
    }
    return new DisposableDelegate(() => {
      this._listeners -= 1;
      if (this._listeners === 0) {
        this._close();
        this._setState('off');
      }
    });
  }

  /** Listen in this namespace from now on (the socket reconnects). */
  setNamespace(namespace: Namespace): void {
    if (namespace === this._namespace) {
      return;
    }
    this._namespace = namespace;
    if (this._listeners > 0) {
      this._close();
      this._connect();
    }
  }

  /** Try again now (the user asked). */
  reconnect(): void {
    if (this._listeners > 0 && this._state !== 'live') {
      this._close();
      this._attempts = 0;
      this._connect();
    }
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._close();
    Signal.clearData(this);
  }

  private _connect(): void {
    if (this._disposed) {
      return;
    }
    window.clearTimeout(this._retryTimer);
    if (this._state !== 'down') {
      this._setState('connecting');
    }
    let socket: WebSocket;
    try {
      socket = new this._settings.WebSocket(
        eventsUrl(this._settings, this._namespace)
      );
    } catch {
      this._dropped();
      return;
    }
    this._socket = socket;
    socket.onopen = () => {
      if (socket !== this._socket) {
        return;
      }
      // After a drop (or a namespace move), changes may have been missed: re-read.
      if (this._everOpen) {
        this._batch.resync();
        this._scheduleBatch();
      }
      this._everOpen = true;
      this._attempts = 0;
      this._setState('live');
    };
    socket.onmessage = event => {
      if (socket !== this._socket || typeof event.data !== 'string') {
        return;
      }
      try {
        if (this._batch.add(JSON.parse(event.data))) {
          this._scheduleBatch();
        }
      } catch {
        // Not JSON: nothing this client understands.
      }
    };
    socket.onclose = () => {
      if (socket === this._socket) {
        this._dropped();
      }
    };
  }

  private _dropped(): void {
    this._socket = null;
    if (this._disposed || this._listeners === 0) {
      return;
    }
    this._setState('down');
    const delay = reconnectDelay(this._attempts++);
    this._retryTimer = window.setTimeout(() => this._connect(), delay);
  }

  private _close(): void {
    window.clearTimeout(this._retryTimer);
    const socket = this._socket;
    this._socket = null;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = null;
      socket.close();
    }
  }

  private _scheduleBatch(): void {
    if (this._batchTimer) {
      return;
    }
    this._batchTimer = window.setTimeout(() => {
      this._batchTimer = 0;
      if (!this._batch.empty && !this._disposed) {
        this._changed.emit(this._batch.take());
      }
    }, BATCH_MS);
  }

  private _setState(state: LiveState): void {
    if (state !== this._state) {
      this._state = state;
      this._stateChanged.emit(state);
    }
  }

  private _namespace: Namespace = null;
  private _socket: WebSocket | null = null;
  private _state: LiveState = 'off';
  private _listeners = 0;
  private _attempts = 0;
  private _everOpen = false;
  private _retryTimer = 0;
  private _batchTimer = 0;
  private _batch = new ChangeBatch();
  private _disposed = false;
  private _stateChanged = new Signal<this, LiveState>(this);
  private _changed = new Signal<this, IChanges>(this);
}

/**
 * A task that runs one at a time: calls while it runs make it run once more afterwards
 * (a burst of changes costs at most two re-reads, never a queue).
 */
export function coalesced(task: () => Promise<void>): () => void {
  let running = false;
  let again = false;
  const run = async (): Promise<void> => {
    running = true;
    try {
      do {
        again = false;
        await task().catch(() => undefined);
      } while (again);
    } finally {
      running = false;
    }
  };
  return () => {
    if (running) {
      again = true;
    } else {
      void run();
    }
  };
}

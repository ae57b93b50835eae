import { IPoll, Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { api } from '../api';
import { clampLogLines, clampPageSize } from '../limits';
import type { ILimits } from '../types';
import type { LiveUpdates } from './live';

/** User settings (schema/plugin.json). */
export interface ISettings {
  /** Runs fetched per request while scrolling. */
  pageSize: number;
  /**
   * Seconds between safety-net checks (live updates tell of changes as they happen);
   * at least {@link MIN_POLL_SECONDS}; 0 = never.
   */
  refreshInterval: number;
}

export const DEFAULT_SETTINGS: ISettings = {
  pageSize: 100,
  refreshInterval: 60
};

/** Idle polls are a safety net under the live updates: never more than once a minute. */
export const MIN_POLL_SECONDS = 60;

/**
 * What every model reads before it asks the server: the user's settings and the
 * server's limits (`GET status`), one object shared by the sidebar and every tab.
 */
export class Config {
  constructor(
    settings: ISettings = DEFAULT_SETTINGS,
    /** The server's change feed, shared by every model; none in tests. */
    readonly live: LiveUpdates | null = null
  ) {
    this._settings = settings;
  }

  /** Emitted when the settings or the limits change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }
  get settings(): ISettings {
    return this._settings;
  }
  /** The server's limits; `null` until known (or when it does not tell). */
  get limits(): ILimits | null {
    return this._limits;
  }
  /** Runs per request, within the server's limit. */
  get pageSize(): number {
    return clampPageSize(this._settings.pageSize, this._limits);
  }

  /** Log lines to ask for, within the server's limit. */
  logLines(wanted: number): number {
    return clampLogLines(wanted, this._limits);
  }

  /**
   * A poll frequency that checks every `refreshInterval` seconds, at least a minute
   * apart (never at 0): live updates tell of changes, polls only catch what they missed.
   */
  get frequency(): IPoll.Frequency {
    const setting = this._settings.refreshInterval;
    const seconds = setting > 0 ? Math.max(MIN_POLL_SECONDS, setting) : 0;
    return {
      interval: seconds > 0 ? seconds * 1000 : Poll.NEVER,
      backoff: true,
      max: Math.max(seconds * 1000 * 10, 300 * 1000)
    };
  }

  /**
   * A poll every refresh interval (never at 0), following later changes of the setting;
   * it waits for `start()`, and rests while the page is hidden.
   */
  refreshPoll(name: string, factory: () => Promise<void>): Poll {
    const poll = new Poll({
      auto: false,
      factory,
      frequency: this.frequency,
      name,
      standby: 'when-hidden'
    });
    const follow = () => {
      poll.frequency = this.frequency;
    };
    this._changed.connect(follow);
    poll.disposed.connect(() => this._changed.disconnect(follow));
    return poll;
  }

  setSettings(settings: ISettings): void {
    this._settings = settings;
    this._changed.emit();
  }

  /**
   * Does the server sort runs listings (`GET runs?sort=`)? Read once from its OpenAPI
   * document, so the explorer offers sorting exactly when the server can do it.
   */
  serverSorts(): Promise<boolean> {
    if (!this._sorts) {
      this._sorts = api
        .openapi()
        .then(doc => runsAcceptSort(doc))
        .catch(() => false);
    }
    return this._sorts;
  }

  /** Ask the server for its limits once; later calls share the answer. */
  loadLimits(): Promise<ILimits | null> {
    if (!this._loading) {
      this._loading = api
        .status()
        .then(status => status.limits)
        .catch(() => null) // an old or unreachable server: the server will say no in words
        .then(limits => {
          this._limits = limits;
          this._changed.emit();
          return limits;
        });
    }
    return this._loading;
  }

  private _settings: ISettings;
  private _limits: ILimits | null = null;
  private _loading: Promise<ILimits | null> | null = null;
  private _sorts: Promise<boolean> | null = null;
  private _changed = new Signal<this, void>(this);
}

/** Does an OpenAPI document give `GET /runs` a `sort` query parameter? */
export function runsAcceptSort(doc: unknown): boolean {
  type Param = { name?: unknown; in?: unknown; $ref?: unknown };
  const d = doc as {
    paths?: Record<string, { get?: { parameters?: Param[] } }>;
    components?: { parameters?: Record<string, Param> };
  };
  const params = d?.paths?.['/runs']?.get?.parameters ?? [];
  return params.some(p => {
    const ref = typeof p.$ref === 'string' ? p.$ref : null;
    const param = ref
      ? d.components?.parameters?.[ref.split('/').pop() ?? '']
      : p;
    return param?.name === 'sort' && param?.in === 'query';
  });
}

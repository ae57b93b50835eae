/**
 * The one door to the jupyter_mfns REST API (`{baseUrl}mfns/api/`).
 *
 * Every request goes through `requestAPI`, built on `ServerConnection.makeRequest`
 * so the token, cookies and XSRF header come for free.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import type {
  IArtifacts,
  IDag,
  ICardData,
  ICards,
  ICompare,
  IErrorBody,
  IFlows,
  ILogs,
  INamespaces,
  IObject,
  IRun,
  IRunPage,
  IServerStatus,
  ITagMutation,
  ITags,
  ITasksPage,
  LogStream,
  Namespace
} from './types';

/** An answer other than 2xx, or no answer at all, told in words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: IErrorBody
  ) {
    super(body.message);
    this.name = 'ApiError';
  }

  /** Stable machine reason, e.g. `namespace_mismatch`, `not_found`, `network`. */
  get reason(): string {
    return this.body.reason;
  }
}

/** What `api.logs` asks for (see `GET logs`). */
export interface ILogSelection {
  tail?: number;
  from?: number;
  count?: number;
  grep?: string;
  /** false: the grep ignores case. */
  grepCase?: boolean;
}

/** Query values; arrays repeat the key (`tag=a&tag=b`), `undefined` is left out. */
export type Query = Record<string, string | string[] | number | undefined>;

function queryString(query: Query): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) {
      continue;
    }
    const values = Array.isArray(value) ? value : [String(value)];
    for (const v of values) {
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(v)}`);
    }
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** The `namespace` query value: empty string means the global namespace. */
function ns(namespace: Namespace): string {
  return namespace ?? '';
}

/** Send one request to the REST API; failures become ApiError. */
async function send(
  endpoint: string,
  init: { method?: string; query?: Query; body?: unknown }
): Promise<{ response: Response; text: string }> {
  const settings = ServerConnection.makeSettings();
  const url =
    URLExt.join(settings.baseUrl, 'mfns', 'api', endpoint) +
    queryString(init.query ?? {});
  // 'no-cache' (always revalidate) rather than the default 'no-store', for which
  // makeRequest appends a bare timestamp to the query: the API refuses unknown keys.
  const request: RequestInit = {
    method: init.method ?? 'GET',
    cache: 'no-cache'
  };
  if (init.body !== undefined) {
    request.body = JSON.stringify(init.body);
  }
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, request, settings);
  } catch (error) {
    throw new ApiError(0, {
      reason: 'network',
      message: `The Jupyter server cannot be reached (${String(error)}).`
    });
  }
  const text = await response.text();
  if (!response.ok) {
    let data: unknown = undefined;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = undefined;
    }
    throw new ApiError(response.status, errorBody(response, data));
  }
  return { response, text };
}

/**
 * Call the REST API and return its JSON answer.
 *
 * @throws ApiError with the server's `{reason, message}` on any failure.
 */
export async function requestAPI<T>(
  endpoint: string,
  init: { method?: string; query?: Query; body?: unknown } = {}
): Promise<T> {
  const { text } = await send(endpoint, init);
  try {
    return (text ? JSON.parse(text) : undefined) as T;
  } catch {
    return undefined as T;
  }
}

/**
 * Call a route that answers text (a card's HTML) and return it as is: fetched with the
 * page's credentials here, because the sandboxed frame that shows it cannot (and must not)
 * send them.
 */
export async function requestText(
  endpoint: string,
  init: { query?: Query } = {}
): Promise<string> {
  return (await send(endpoint, init)).text;
}

function errorBody(response: Response, data: unknown): IErrorBody {
  if (data && typeof data === 'object' && 'message' in data) {
    const body = data as Partial<IErrorBody>;
    return {
      ...body,
      reason: body.reason ?? `http_${response.status}`,
      message: String(body.message)
    } as IErrorBody;
  }
  if (response.status === 404) {
    return {
      reason: 'no_api',
      message:
        'The Metaflow API is not available: is the jupyter_mfns server extension enabled?'
    };
  }
  return {
    reason: `http_${response.status}`,
    message: `The server answered ${response.status} ${response.statusText}.`
  };
}

/** Typed calls of the REST contract (openapi.yaml). */
export const api = {
  status(): Promise<IServerStatus> {
    return requestAPI<IServerStatus>('status');
  },

  /** The server's OpenAPI document (what it accepts, e.g. whether runs sort). */
  openapi(): Promise<unknown> {
    return requestAPI<unknown>('openapi.json');
  },

  namespaces(): Promise<INamespaces> {
    return requestAPI<INamespaces>('namespaces');
  },

  flows(namespace: Namespace): Promise<IFlows> {
    return requestAPI<IFlows>('flows', { query: { namespace: ns(namespace) } });
  },

  runs(
    flow: string,
    namespace: Namespace,
    tags: string[],
    limit: number,
    cursor: string | null,
    /** `where` filters (`alpha>=0.5`) and `sort` as the server reads them (`-param:alpha`);
     * no sort: newest first. */
    order: { where?: string[]; sort?: string | null } = {}
  ): Promise<IRunPage> {
    return requestAPI<IRunPage>('runs', {
      query: {
        flow,
        namespace: ns(namespace),
        tag: tags,
        limit,
        cursor: cursor ?? undefined,
        where: order.where?.length ? order.where : undefined,
        sort: order.sort ?? undefined
      }
    });
  },

  dag(pathspec: string, namespace: Namespace): Promise<IDag> {
    return requestAPI<IDag>('dag', {
      query: { pathspec, namespace: ns(namespace) }
    });
  },

  tasks(
    pathspec: string,
    namespace: Namespace,
    limit: number,
    cursor: string | null
  ): Promise<ITasksPage> {
    return requestAPI<ITasksPage>('tasks', {
      query: {
        pathspec,
        namespace: ns(namespace),
        limit,
        cursor: cursor ?? undefined
      }
    });
  },

  latestRun(
    flow: string,
    namespace: Namespace,
    successful = false
  ): Promise<IRun> {
    return requestAPI<IRun>('runs/latest', {
      query: { flow, namespace: ns(namespace), successful: successful ? 1 : 0 }
    });
  },

  tags(namespace: Namespace, flow: string | null): Promise<ITags> {
    return requestAPI<ITags>('tags', {
      query: { namespace: ns(namespace), flow: flow ?? undefined }
    });
  },

  object(pathspec: string, namespace: Namespace): Promise<IObject> {
    return requestAPI<IObject>('object', {
      query: { pathspec, namespace: ns(namespace) }
    });
  },

  /** Lines of a log: its last `tail`, or a selection (`from` + `count`, `grep`). */
  logs(
    pathspec: string,
    stream: LogStream,
    namespace: Namespace,
    selection: ILogSelection
  ): Promise<ILogs> {
    return requestAPI<ILogs>('logs', {
      query: {
        pathspec,
        stream,
        namespace: ns(namespace),
        tail: selection.tail,
        from: selection.from,
        count: selection.count,
        grep: selection.grep,
        grep_case:
          selection.grepCase === undefined
            ? undefined
            : selection.grepCase
              ? '1'
              : '0'
      }
    });
  },

  /**
   * The address of a whole log as a file the browser saves (`GET logs/download`). The
   * browser follows it with Jupyter's cookie, so it carries the `_xsrf` value, as
   * JupyterLab's own file downloads do.
   */
  logDownloadUrl(
    pathspec: string,
    stream: LogStream,
    namespace: Namespace
  ): string {
    const settings = ServerConnection.makeSettings();
    const xsrf = document.cookie.match('\\b_xsrf=([^;]*)\\b')?.[1];
    return (
      URLExt.join(settings.baseUrl, 'mfns', 'api', 'logs', 'download') +
      queryString({
        pathspec,
        stream,
        namespace: ns(namespace),
        _xsrf: xsrf
      })
    );
  },

  artifacts(pathspec: string, namespace: Namespace): Promise<IArtifacts> {
    return requestAPI<IArtifacts>('artifacts', {
      query: { pathspec, namespace: ns(namespace) }
    });
  },

  cards(pathspec: string, namespace: Namespace): Promise<ICards> {
    return requestAPI<ICards>('cards', {
      query: { pathspec, namespace: ns(namespace) }
    });
  },

  /** A card's HTML: show it only in a sandboxed frame (components/CardFrame.tsx). */
  cardHtml(
    pathspec: string,
    hash: string,
    namespace: Namespace
  ): Promise<string> {
    return requestText('card', {
      query: { pathspec, hash, namespace: ns(namespace) }
    });
  },

  cardData(
    pathspec: string,
    hash: string,
    namespace: Namespace
  ): Promise<ICardData> {
    return requestAPI<ICardData>('card/data', {
      query: { pathspec, hash, namespace: ns(namespace) }
    });
  },

  /** 2 to 8 runs side by side (by sha: nothing is loaded). */
  compare(runs: readonly string[], namespace: Namespace): Promise<ICompare> {
    return requestAPI<ICompare>('compare', {
      query: { run: [...runs], namespace: ns(namespace) }
    });
  },

  mutateTags(
    pathspec: string,
    namespace: Namespace,
    add: string[],
    remove: string[]
  ): Promise<ITagMutation> {
    return requestAPI<ITagMutation>('tags', {
      method: 'POST',
      // In JSON bodies the global namespace is `null` (as in every answer).
      body: { pathspec, add, remove, namespace }
    });
  }
};

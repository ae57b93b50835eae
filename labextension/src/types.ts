/**
 * Readable names for the JSON shapes of the jupyter_mfns REST API.
 *
 * The shapes themselves are generated from the shipped OpenAPI document
 * (`npm run gen:types` writes `generated/api.ts` from `jupyter_mfns/server/openapi.yaml`);
 * nothing here restates a field. Times are epoch milliseconds (UTC); a namespace is a
 * string, or `null` for the global namespace.
 */
import type { components } from './generated/api';

type Schemas = components['schemas'];
type Item<T> = T extends readonly (infer U)[] ? U : never;

/**
 * Fields the server is gaining on another branch ("core"): optional here so the UI can
 * use them ahead of time with a fallback (see compat.ts). Once the regenerated types carry
 * a field, the intersection makes it required and its fallback can go.
 */
interface IUpcomingRun {
  /** The run's own `user:`/`production:` namespaces. */
  namespaces: string[];
}
interface IUpcomingArtifact {
  /** The Python name the load cell binds. */
  variable: string;
  /** The load cell, for the answer's namespace. */
  code: string;
}
interface IUpcomingLogLine {
  /** 1-based line number in the whole log. */
  n: number;
}
interface IUpcomingLogs {
  /** Lines in the whole log, where known. */
  total_lines: number | null;
}

/** A Metaflow namespace: a tag string, or `null` for the global namespace. */
export type Namespace = Schemas['Namespace'];

export type Status = Schemas['RunStatus'];
export type LogStream = Schemas['Logs']['stream'];

/** One run, as `Run(pathspec)` describes it. */
export type IRun = Schemas['Run'] & Partial<IUpcomingRun>;
export type IStep = Schemas['Step'];
export type ITask = Schemas['Task'];

export type INamespaces = Schemas['Namespaces'];
/** A namespace present in the store: a tag carried by at least one run. */
export type INamespaceEntry = Item<INamespaces['namespaces']>;
export type NamespaceKind = INamespaceEntry['kind'];

export type IFlows = Schemas['Flows'];
export type IFlow = Item<IFlows['flows']>;

export type IRunPage = Omit<Schemas['RunPage'], 'runs'> & { runs: IRun[] };
export type ITags = Schemas['Tags'];
export type ITagCount = Item<ITags['tags']>;

type ObjectBase = Pick<Schemas['Object'], 'pathspec' | 'namespace'>;

/**
 * `GET object`: the object, its enclosing run and its children. The document states
 * each field on its own; which ones are null follows from `type`, as here.
 */
export type IObject =
  | (ObjectBase & {
      type: 'flow';
      run: null;
      step: null;
      task: null;
      children: IRun[];
    })
  | (ObjectBase & {
      type: 'run';
      run: IRun;
      step: null;
      task: null;
      children: IStep[];
    })
  | (ObjectBase & {
      type: 'step';
      run: IRun;
      step: IStep;
      task: null;
      children: ITask[];
    })
  | (ObjectBase & {
      type: 'task';
      run: IRun;
      step: IStep;
      task: ITask;
      children: [];
    });
export type ObjectType = IObject['type'];

export type ILogLine = Item<Schemas['Logs']['lines']> &
  Partial<IUpcomingLogLine>;
export type ILogs = Omit<Schemas['Logs'], 'lines'> & {
  lines: ILogLine[];
} & Partial<IUpcomingLogs>;

export type IArtifact = Item<Schemas['Artifacts']['artifacts']> &
  Partial<IUpcomingArtifact>;
export type IArtifacts = Omit<Schemas['Artifacts'], 'artifacts'> & {
  artifacts: IArtifact[];
};

export type ITagMutationRequest = Schemas['TagMutationRequest'];
export type ITagMutation = Schemas['TagMutation'];

export type IServerStatus = Schemas['ServerStatus'];
/** What one request may ask for on this server. */
export type ILimits = IServerStatus['limits'];

/** Body of a 4xx answer (`namespace_mismatch` also names the owners). */
export type IErrorBody = Schemas['Error'] &
  Partial<Omit<Schemas['NamespaceMismatchError'], 'reason' | 'message'>>;

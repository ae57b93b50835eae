/**
 * JSON shapes of the jupyter_mfns REST API, mirroring `jupyter_mfns/core/model.py`.
 *
 * Times are epoch milliseconds (UTC). A namespace is a string, or `null` for the
 * global namespace.
 */

/** A Metaflow namespace: a tag string, or `null` for the global namespace. */
export type Namespace = string | null;

export type Status = 'running' | 'succeeded' | 'failed' | 'unknown';
export type NamespaceKind = 'user' | 'production' | 'tag' | 'system';
export type ObjectType = 'flow' | 'run' | 'step' | 'task';
export type LogStream = 'stdout' | 'stderr';

/** One run, as `Run(pathspec)` describes it. */
export interface IRun {
  pathspec: string;
  flow: string;
  id: string;
  user: string | null;
  /** Sorted user tags. */
  tags: string[];
  /** Sorted system tags. */
  system_tags: string[];
  created_at: number;
  finished_at: number | null;
  status: Status;
  /** "Flow/RunId" this run was resumed from, `null` for a plain run. */
  origin_run: string | null;
}

/** A namespace present in the store: a tag carried by at least one run. */
export interface INamespaceEntry {
  namespace: string;
  kind: NamespaceKind;
  runs: number;
  flows?: string[];
  /** Production namespaces: the user holds this production token locally. */
  mine?: boolean;
}

export interface INamespaces {
  /** `null` when Metaflow cannot tell the user (e.g. running as root). */
  default: string | null;
  namespaces: INamespaceEntry[];
}

export interface IFlow {
  flow: string;
  runs: number;
  latest_run: string | null;
}

export interface IFlows {
  namespace: Namespace;
  flows: IFlow[];
}

export interface IRunPage {
  namespace: Namespace;
  flow: string;
  tags: string[];
  runs: IRun[];
  /** Runs matching the filter, all pages. */
  total: number;
  next_cursor: string | null;
}

export interface ITagCount {
  tag: string;
  system: boolean;
  runs: number;
}

export interface ITags {
  namespace: Namespace;
  flow: string | null;
  tags: ITagCount[];
}

export interface IStep {
  pathspec: string;
  name: string;
  created_at: number;
  finished_at: number | null;
  tasks: number;
}

export interface ITask {
  pathspec: string;
  id: string;
  step: string;
  created_at: number;
  finished_at: number | null;
  status: Status;
  attempt: number;
  origin_task: string | null;
}

interface IObjectBase {
  pathspec: string;
  namespace: Namespace;
}

/** `GET object`: the object, its enclosing run and its children. */
export type IObject =
  | (IObjectBase & {
      type: 'flow';
      run: null;
      step: null;
      task: null;
      children: IRun[];
    })
  | (IObjectBase & {
      type: 'run';
      run: IRun;
      step: null;
      task: null;
      children: IStep[];
    })
  | (IObjectBase & {
      type: 'step';
      run: IRun;
      step: IStep;
      task: null;
      children: ITask[];
    })
  | (IObjectBase & {
      type: 'task';
      run: IRun;
      step: IStep;
      task: ITask;
      children: [];
    });

export interface ILogLine {
  ts: number | null;
  text: string;
}

export interface ILogs {
  pathspec: string;
  stream: LogStream;
  lines: ILogLine[];
  /** Earlier lines exist beyond the requested tail. */
  truncated: boolean;
  /** The task has finished: no more lines will come. */
  finished: boolean;
}

export interface IArtifact {
  name: string;
  /** Python type as Metaflow recorded it, e.g. "pandas.DataFrame". */
  type: string;
  /** Bytes, as serialized. */
  size: number;
  sha: string;
}

export interface IArtifacts {
  pathspec: string;
  artifacts: IArtifact[];
}

export interface ITagMutation {
  pathspec: string;
  tags: string[];
  system_tags: string[];
}

/** Body of a 4xx answer. */
export interface IErrorBody {
  reason: string;
  message: string;
  /** `namespace_mismatch`: the namespaces that own the object. */
  namespaces?: string[];
  pathspec?: string;
}

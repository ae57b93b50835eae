/** Pathspecs (`Flow/Run[/Step[/Task]]`) as Metaflow writes them. */

/** A parsed pathspec; `depth` is 1 (flow) to 4 (task). */
export interface IPathspec {
  /** The whole pathspec, trimmed. */
  pathspec: string;
  flow: string;
  run?: string;
  step?: string;
  task?: string;
  depth: 1 | 2 | 3 | 4;
}

/**
 * Split `Flow/Run[/Step[/Task]]` into its parts, tolerating spaces around it and a
 * trailing slash. Only the shape is checked here (it says which view opens); what a
 * valid name is, the server decides and says (`invalid_pathspec`).
 *
 * @returns the pathspec, or a sentence saying what is wrong with the text.
 */
export function parsePathspec(text: string): IPathspec | string {
  const pathspec = text.trim().replace(/\/+$/, '');
  const parts = pathspec.split('/');
  if (parts.length === 1 && parts[0] === '') {
    return 'Type a pathspec such as PredictionFlow/12 or PredictionFlow/12/train/3.';
  }
  if (parts.length > 4) {
    return 'A pathspec has at most four parts: Flow/Run/Step/Task.';
  }
  if (parts.some(p => p.trim() === '')) {
    return 'A pathspec part is empty: write Flow/Run[/Step[/Task]].';
  }
  const [flow, run, step, task] = parts;
  const depth = parts.length as IPathspec['depth'];
  return { pathspec, flow, run, step, task, depth };
}

/** The run pathspec (`Flow/Run`) enclosing any deeper pathspec. */
export function runOf(pathspec: string): string {
  return pathspec.split('/').slice(0, 2).join('/');
}

/** The last part of a pathspec (run id, step name or task id). */
export function leaf(pathspec: string): string {
  const parts = pathspec.split('/');
  return parts[parts.length - 1];
}

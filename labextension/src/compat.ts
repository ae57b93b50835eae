/**
 * FALLBACKS for fields the server is gaining on the "core" branch (see types.ts,
 * `IUpcoming*`). Each is used only when an answer lacks its field; delete it (and the
 * field's `Partial<>` in types.ts) once `npm run gen:types` brings the field. These are
 * the last copies of Python's rules in the frontend.
 */
import type { IArtifact, IRun, Namespace } from './types';

/** A run's own `user:`/`production:` namespaces (`RUN.namespaces`). */
export function runNamespaces(run: IRun): string[] {
  if (run.namespaces) {
    return run.namespaces;
  }
  // FALLBACK: the owner prefixes, until RUN.namespaces lands.
  return run.system_tags.filter(
    t => t.startsWith('user:') || t.startsWith('production:')
  );
}

/** The cell that loads an artifact (`variable` and `code` of `GET artifacts`). */
export function loadCell(
  artifact: IArtifact,
  taskPathspec: string,
  namespace: Namespace
): { variable: string; code: string } {
  if (artifact.variable !== undefined && artifact.code !== undefined) {
    return { variable: artifact.variable, code: artifact.code };
  }
  // FALLBACK: Python's identifier rule and the load cell, until the server answers them.
  const keywords = new Set(
    (
      'False None True and as assert async await break class continue def del elif ' +
      'else except finally for from global if import in is lambda nonlocal not or ' +
      'pass raise return try while with yield'
    ).split(' ')
  );
  const name = artifact.name;
  const variable =
    /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !keywords.has(name)
      ? name
      : 'artifact';
  const literal = (text: string) => JSON.stringify(text); // JSON escapes are Python's
  const ns = namespace === null ? 'None' : literal(namespace);
  const code = [
    'from jupyter_mfns import load_artifact',
    `${variable} = load_artifact(${literal(`${taskPathspec}/${name}`)}, namespace=${ns})`,
    variable
  ].join('\n');
  return { variable, code };
}

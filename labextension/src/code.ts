/** "Load into notebook": explicit, reproducible code that loads an artifact as pandas. */
import type { Namespace } from './types';

const PYTHON_KEYWORDS = new Set(
  (
    'False None True and as assert async await break class continue def del elif else ' +
    'except finally for from global if import in is lambda nonlocal not or pass raise ' +
    'return try while with yield'
  ).split(' ')
);

/** The artifact name when it can be a Python variable, else `artifact`. */
export function variableName(artifact: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(artifact) &&
    !PYTHON_KEYWORDS.has(artifact)
    ? artifact
    : 'artifact';
}

/** A Python string literal (JSON's escapes are valid Python escapes). */
function pyString(text: string): string {
  return JSON.stringify(text);
}

/**
 * The cell that loads `Flow/Run/Step/Task/artifact` from `namespace`, e.g.
 *
 *     from jupyter_mfns import load_artifact
 *     df = load_artifact("PredictionFlow/12/train/3/df", namespace="user:anne")
 *     df
 */
export function artifactCode(pathspec: string, namespace: Namespace): string {
  const name = variableName(pathspec.split('/').pop() ?? '');
  const ns = namespace === null ? 'None' : pyString(namespace);
  return [
    'from jupyter_mfns import load_artifact',
    `${name} = load_artifact(${pyString(pathspec)}, namespace=${ns})`,
    name
  ].join('\n');
}

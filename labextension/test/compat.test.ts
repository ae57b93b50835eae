/** Fallbacks for the server's upcoming fields: used only when an answer lacks them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { loadCell, runNamespaces } from '../src/compat';
import type { IArtifact, IRun } from '../src/types';

const ARTIFACT: IArtifact = {
  name: 'df',
  type: 'pandas.DataFrame',
  size: 10,
  sha: 'x'
};

test("the server's load cell is used as it answers it", () => {
  const cell = loadCell(
    { ...ARTIFACT, variable: 'df_1', code: 'df_1 = 1\ndf_1' },
    'F/1/s/2',
    'user:anne'
  );
  assert.deepEqual(cell, { variable: 'df_1', code: 'df_1 = 1\ndf_1' });
});

test('without it (an older server) the fallback writes the documented cell', () => {
  assert.equal(
    loadCell(ARTIFACT, 'PredictionFlow/12/train/3', 'user:anne').code,
    'from jupyter_mfns import load_artifact\n' +
      'df = load_artifact("PredictionFlow/12/train/3/df", namespace="user:anne")\n' +
      'df'
  );
  assert.match(loadCell(ARTIFACT, 'F/1/s/2', null).code, /namespace=None\)$/m);
  assert.equal(
    loadCell({ ...ARTIFACT, name: 'class' }, 'F/1/s/2', null).variable,
    'artifact'
  );
  const quoted = loadCell(ARTIFACT, 'F/1/s/2', 'note: "best" \\ so far').code;
  assert.match(quoted, /namespace="note: \\"best\\" \\\\ so far"\)/);
});

test("a run's namespaces: the server's answer, else its owner tags", () => {
  const run: IRun = {
    pathspec: 'F/1',
    flow: 'F',
    id: '1',
    user: 'will',
    tags: ['user:fake'],
    system_tags: ['production:p', 'runtime:dev', 'user:will'],
    created_at: 0,
    finished_at: 0,
    status: 'succeeded',
    origin_run: null
  };
  assert.deepEqual(runNamespaces({ ...run, namespaces: ['user:will'] }), [
    'user:will'
  ]);
  assert.deepEqual(runNamespaces(run), ['production:p', 'user:will']);
});

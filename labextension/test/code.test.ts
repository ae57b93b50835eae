/** The "Load into notebook" cell: exactly the documented shape, valid Python. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { artifactCode, variableName } from '../src/code';

test('the cell names the namespace and the pathspec and ends with the variable', () => {
  assert.equal(
    artifactCode('PredictionFlow/12/train/3/df', 'user:anne'),
    'from jupyter_mfns import load_artifact\n' +
      'df = load_artifact("PredictionFlow/12/train/3/df", namespace="user:anne")\n' +
      'df'
  );
});

test('the global namespace is written as None', () => {
  assert.match(artifactCode('F/1/s/2/x', null), /namespace=None\)$/m);
});

test('names that cannot be Python variables become `artifact`', () => {
  assert.equal(variableName('scores_2024'), 'scores_2024');
  assert.equal(variableName('class'), 'artifact');
  assert.equal(variableName('2fast'), 'artifact');
  assert.equal(variableName('with-dash'), 'artifact');
  assert.match(
    artifactCode('F/1/s/2/lambda', 'ns'),
    /^artifact = load_artifact/m
  );
});

test('quotes and backslashes in a namespace stay inside the string literal', () => {
  const line = artifactCode('F/1/s/2/x', 'note: "best" \\ so far').split(
    '\n'
  )[1];
  assert.equal(
    line,
    'x = load_artifact("F/1/s/2/x", namespace="note: \\"best\\" \\\\ so far")'
  );
});

/** "Go to pathspec" parsing. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parsePathspec, runOf } from '../src/pathspec';

test('Flow/Run[/Step[/Task]] parse to their depth, tolerating spaces and a trailing slash', () => {
  assert.deepEqual(parsePathspec(' PredictionFlow/12/ '), {
    pathspec: 'PredictionFlow/12',
    flow: 'PredictionFlow',
    run: '12',
    step: undefined,
    task: undefined,
    depth: 2
  });
  const task = parsePathspec('F/1/train/3');
  assert.ok(typeof task !== 'string' && task.depth === 4 && task.task === '3');
});

test('pathspecs of no shape are explained in words', () => {
  for (const text of ['', 'F/1/s/t/extra', 'F//s']) {
    assert.equal(typeof parsePathspec(text), 'string', text);
  }
});

test('what a valid name is, the server decides (no flow-name rule here)', () => {
  const ps = parsePathspec('1Flow/2');
  assert.ok(typeof ps !== 'string' && ps.flow === '1Flow' && ps.depth === 2);
});

test('the run of any deeper pathspec', () => {
  assert.equal(runOf('F/1/train/3'), 'F/1');
});

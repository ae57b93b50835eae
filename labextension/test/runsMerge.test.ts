/** How a loaded runs list takes in a fresh first page and runs read again. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { applyReread, mergeFirstPage } from '../src/models/runsMerge';
import type { IRun, IRunPage } from '../src/types';

function run(id: string, tags: string[] = []): IRun {
  return {
    pathspec: `F/${id}`,
    flow: 'F',
    id,
    user: 'anne',
    tags,
    system_tags: ['user:anne'],
    created_at: Number(id),
    finished_at: null,
    status: 'running',
    origin_run: null,
    namespaces: ['user:anne'],
    parameters: {},
    opaque_parameters: [],
    parameter_types: {},
    failure: null
  };
}

function page(runs: IRun[], more = false): IRunPage {
  return {
    namespace: 'user:anne',
    flow: 'F',
    tags: [],
    where: [],
    sort: '-created_at',
    runs,
    total: runs.length + (more ? 100 : 0),
    next_cursor: more ? 'c' : null
  } as IRunPage;
}

const ids = (runs: readonly IRun[]) => runs.map(r => r.id);

test('a list no longer than the page becomes the page (new, gone and changed runs)', () => {
  const merged = mergeFirstPage(
    [run('2'), run('1')],
    page([run('3'), run('2')]),
    true
  );
  assert.deepEqual(ids(merged.rows), ['3', '2']);
  assert.deepEqual(ids(merged.added), ['3']);
  assert.equal(merged.replaced, true);
});

test('newest first: new runs go on top of a longer list, loaded rows take their new versions', () => {
  const loaded = ['5', '4', '3', '2', '1'].map(id => run(id));
  const finished = { ...run('5'), status: 'succeeded' as const };
  const merged = mergeFirstPage(
    loaded,
    page([run('7'), run('6'), finished], true),
    true
  );
  assert.deepEqual(ids(merged.rows), ['7', '6', '5', '4', '3', '2', '1']);
  assert.deepEqual(ids(merged.added), ['7', '6']);
  assert.equal(merged.rows[2].status, 'succeeded');
  assert.equal(merged.replaced, false);
});

test('another order: new runs are counted, not placed', () => {
  const loaded = ['5', '4', '3'].map(id => run(id));
  const merged = mergeFirstPage(
    loaded,
    page([run('9'), run('4')], true),
    false
  );
  assert.deepEqual(ids(merged.rows), ['5', '4', '3']);
  assert.equal(merged.counted, 1);
  assert.deepEqual(merged.added, []);
});

test('a run read again stays with its new tags, or leaves when it lost a filter tag or is gone', () => {
  const rows = [run('3', ['best']), run('2', ['best']), run('1', ['best'])];
  const { rows: out, left } = applyReread(
    rows,
    ['F/3', 'F/2', 'F/1'],
    [run('3', ['best', 'new']), run('2', []), null],
    ['best']
  );
  assert.deepEqual(ids(out), ['3']);
  assert.deepEqual(out[0].tags, ['best', 'new']);
  assert.equal(left, 2);
});

/** The explorer's columns: parameter columns from the runs, widths, sorting on the server. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  allColumns,
  ariaSort,
  canSort,
  columnWidth,
  DEFAULT_PREFS,
  formatParameter,
  gridTemplate,
  isShown,
  nextSort,
  NEWEST_FIRST,
  parameterNames,
  parseSort,
  readPrefs,
  resizeColumn,
  sortQuery,
  toggleColumn
} from '../src/explorer/columns';
import { runsAcceptSort } from '../src/models/config';
import type { IRun } from '../src/types';

function run(id: string, extra: Record<string, unknown> = {}): IRun {
  return {
    pathspec: `F/${id}`,
    flow: 'F',
    id,
    user: 'anne',
    tags: [],
    system_tags: [],
    created_at: 0,
    finished_at: null,
    status: 'succeeded',
    origin_run: null,
    namespaces: [],
    parameters: {},
    opaque_parameters: [],
    parameter_types: {},
    failure: null,
    ...extra
  } as IRun;
}

test('parameter columns come from the runs: every name, first seen first, opaque too', () => {
  const runs = [
    run('1'),
    run('2', { parameters: { alpha: 0.5, model: 'xgb' } }),
    run('3', {
      parameters: { alpha: 1, depth: 3 },
      opaque_parameters: ['blob']
    })
  ];
  assert.deepEqual(parameterNames(runs), ['alpha', 'model', 'depth', 'blob']);
  const ids = allColumns(parameterNames(runs)).map(c => c.id);
  assert.deepEqual(ids.slice(0, 6), [
    'status',
    'id',
    'user',
    'created',
    'finished',
    'duration'
  ]);
  assert.deepEqual(ids.slice(6, 10), [
    'param:alpha',
    'param:model',
    'param:depth',
    'param:blob'
  ]);
  assert.deepEqual(ids.slice(10), ['tags', 'system_tags']);
  assert.equal(formatParameter(runs[2], 'alpha'), '1');
  assert.equal(formatParameter(runs[1], 'model'), 'xgb');
  assert.equal(formatParameter(runs[2], 'blob'), '(opaque)');
  assert.equal(formatParameter(runs[0], 'alpha'), '');
  assert.equal(
    formatParameter(run('4', { parameters: { l: [1, 'a'] } }), 'l'),
    '[1,"a"]'
  );
});

test('runs without parameters (today’s server) offer the built-in columns only', () => {
  assert.deepEqual(
    parameterNames([run('1'), run('2', { parameters: null })]),
    []
  );
});

test('showing, hiding and widths are the user’s; bounds hold; saved prefs are checked', () => {
  const [status, id] = allColumns([]);
  let prefs = toggleColumn(DEFAULT_PREFS, status);
  assert.equal(isShown(status, prefs), false);
  assert.equal(isShown(status, toggleColumn(prefs, status)), true);
  prefs = resizeColumn(prefs, id, 5);
  assert.equal(columnWidth(id, prefs), id.minWidth);
  prefs = resizeColumn(prefs, id, 180.4);
  assert.equal(columnWidth(id, prefs), 180);
  const back = readPrefs(JSON.parse(JSON.stringify(prefs)));
  assert.deepEqual(back, prefs);
  assert.deepEqual(
    readPrefs({ shown: { a: 'yes' }, widths: { b: 'wide' } }),
    DEFAULT_PREFS
  );
  assert.deepEqual(readPrefs(null), DEFAULT_PREFS);
});

test('the row template gives fixed widths and lets the tags take the rest', () => {
  const columns = allColumns([]).filter(c => ['id', 'tags'].includes(c.id));
  assert.equal(
    gridTemplate(columns, DEFAULT_PREFS),
    '130px minmax(220px, 1fr)'
  );
});

test('sorting is the server’s: the default order is sent as nothing, others as sort=', () => {
  const created = allColumns([]).find(c => c.id === 'created')!;
  const alpha = allColumns(['alpha']).find(c => c.id === 'param:alpha')!;
  const user = allColumns([]).find(c => c.id === 'user')!;
  assert.equal(sortQuery(NEWEST_FIRST), null);
  const asc = nextSort(NEWEST_FIRST, created);
  assert.deepEqual(asc, { key: 'created_at', descending: false });
  assert.equal(sortQuery(asc), 'created_at');
  const byAlpha = nextSort(asc, alpha);
  assert.equal(sortQuery(byAlpha), '-param:alpha');
  assert.deepEqual(parseSort('-param:alpha'), byAlpha);
  assert.deepEqual(parseSort(null), NEWEST_FIRST);
  assert.equal(ariaSort(alpha, byAlpha), 'descending');
  assert.equal(ariaSort(created, byAlpha), 'none');
  assert.equal(nextSort(byAlpha, user), byAlpha, 'no server key: no sort');
  assert.equal(canSort(user, true), false);
  assert.equal(canSort(alpha, false), false, 'never sorted in the browser');
  assert.equal(canSort(alpha, true), true);
});

test('the server sorts exactly when its OpenAPI document gives GET /runs a sort parameter', () => {
  const doc = (params: unknown[]) => ({
    paths: { '/runs': { get: { parameters: params } } },
    components: { parameters: { sort: { name: 'sort', in: 'query' } } }
  });
  assert.equal(runsAcceptSort(doc([{ name: 'flow', in: 'query' }])), false);
  assert.equal(runsAcceptSort(doc([{ name: 'sort', in: 'query' }])), true);
  assert.equal(
    runsAcceptSort(doc([{ $ref: '#/components/parameters/sort' }])),
    true
  );
  assert.equal(runsAcceptSort({}), false);
});

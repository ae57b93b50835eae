/** The namespace dropdown's order and wording. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  GLOBAL_VALUE,
  namespaceGroups,
  orderSystemTags
} from '../src/namespaces';
import type { INamespaces, IRun } from '../src/types';

// In the server's order (GET namespaces): the frontend must not re-sort it.
const DATA: INamespaces = {
  default: 'user:anne',
  namespaces: [
    {
      namespace: 'user:will',
      kind: 'user',
      runs: 5,
      flows: ['PredictionFlow']
    },
    {
      namespace: 'user:anne',
      kind: 'user',
      runs: 6,
      flows: ['PredictionFlow']
    },
    { namespace: 'user:bob', kind: 'user', runs: 1, flows: ['FeatureFlow'] },
    {
      namespace: 'production:b',
      kind: 'production',
      runs: 1,
      flows: ['PredictionFlow'],
      mine: false
    },
    {
      namespace: 'production:c',
      kind: 'production',
      runs: 3,
      flows: ['FeatureFlow'],
      mine: false
    },
    {
      namespace: 'production:a',
      kind: 'production',
      runs: 2,
      flows: ['PredictionFlow'],
      mine: true
    },
    { namespace: 'zeta', kind: 'tag', runs: 1, flows: ['PredictionFlow'] },
    {
      namespace: 'crazy_test',
      kind: 'tag',
      runs: 2,
      flows: ['PredictionFlow']
    },
    {
      namespace: 'runtime:dev',
      kind: 'system',
      runs: 12,
      flows: ['PredictionFlow']
    }
  ]
};

test('mine first, then users, production by flow, tags, system, global: each in the server order', () => {
  const groups = namespaceGroups(DATA, 'user:anne');
  assert.deepEqual(
    groups.map(g => [g.label, g.options.map(o => o.value)]),
    [
      ['My namespace', ['user:anne']],
      ['Other users', ['user:will', 'user:bob']],
      ['Production · PredictionFlow', ['production:b', 'production:a']],
      ['Production · FeatureFlow', ['production:c']],
      ['Tags', ['zeta', 'crazy_test']],
      ['System tags', ['runtime:dev']],
      ['Everything', [GLOBAL_VALUE]]
    ]
  );
  const prediction = groups[2].options;
  assert.doesNotMatch(prediction[0].label, /my token/);
  assert.match(prediction[1].label, /my token/);
});

test('the current namespace is listed even when no run carries it', () => {
  const groups = namespaceGroups(DATA, 'brand-new-tag');
  assert.deepEqual(
    groups[0].options.map(o => o.value),
    ['user:anne', 'brand-new-tag']
  );
});

const RUN: IRun = {
  pathspec: 'F/1',
  flow: 'F',
  id: '1',
  user: 'anne',
  tags: [],
  system_tags: [
    'metaflow_version:2',
    'production:x',
    'runtime:dev',
    'user:anne'
  ],
  created_at: 0,
  finished_at: null,
  status: 'running',
  origin_run: null,
  namespaces: ['production:x', 'user:anne'],
  parameters: {},
  opaque_parameters: [],
  parameter_types: {},
  failure: null
};

test("a run's own namespaces (as the server names them) come first among its system tags", () => {
  assert.deepEqual(orderSystemTags({ ...RUN, namespaces: ['user:anne'] }), [
    'user:anne',
    'metaflow_version:2',
    'production:x',
    'runtime:dev'
  ]);
});

test('every namespace the server names for the run comes first, in its order', () => {
  assert.deepEqual(orderSystemTags(RUN), [
    'production:x',
    'user:anne',
    'metaflow_version:2',
    'runtime:dev'
  ]);
});

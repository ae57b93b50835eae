/** The namespace dropdown's order and wording. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  GLOBAL_VALUE,
  namespaceGroups,
  orderSystemTags
} from '../src/namespaces';
import type { INamespaces } from '../src/types';

const DATA: INamespaces = {
  default: 'user:anne',
  namespaces: [
    {
      namespace: 'user:anne',
      kind: 'user',
      runs: 6,
      flows: ['PredictionFlow']
    },
    {
      namespace: 'user:will',
      kind: 'user',
      runs: 5,
      flows: ['PredictionFlow']
    },
    {
      namespace: 'production:b',
      kind: 'production',
      runs: 1,
      flows: ['PredictionFlow'],
      mine: false
    },
    {
      namespace: 'production:a',
      kind: 'production',
      runs: 2,
      flows: ['PredictionFlow'],
      mine: true
    },
    {
      namespace: 'production:c',
      kind: 'production',
      runs: 3,
      flows: ['FeatureFlow'],
      mine: false
    },
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

test('my namespace first, then users, production by flow (mine first), tags, system, global', () => {
  const groups = namespaceGroups(DATA, 'user:anne');
  assert.deepEqual(
    groups.map(g => [g.label, g.options.map(o => o.value)]),
    [
      ['My namespace', ['user:anne']],
      ['Other users', ['user:will']],
      ['Production · FeatureFlow', ['production:c']],
      ['Production · PredictionFlow', ['production:a', 'production:b']],
      ['Tags', ['crazy_test']],
      ['System tags', ['runtime:dev']],
      ['Everything', [GLOBAL_VALUE]]
    ]
  );
  assert.match(groups[3].options[0].label, /my token/);
  assert.doesNotMatch(groups[3].options[1].label, /my token/);
});

test('the current namespace is listed even when no run carries it', () => {
  const groups = namespaceGroups(DATA, 'brand-new-tag');
  assert.deepEqual(
    groups[0].options.map(o => o.value),
    ['user:anne', 'brand-new-tag']
  );
});

test('owner tags come first among system tags', () => {
  assert.deepEqual(
    orderSystemTags([
      'metaflow_version:2',
      'runtime:dev',
      'user:anne',
      'production:x'
    ]),
    ['production:x', 'user:anne', 'metaflow_version:2', 'runtime:dev']
  );
});

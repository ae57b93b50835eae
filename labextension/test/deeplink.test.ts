/** Deep links: what `lab?mfns=...` opens, and the links "Copy link" writes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  defaultKind,
  hasLink,
  linkQuery,
  linkRequests,
  withoutLink
} from '../src/tabs/deeplink';
import type { TabArgs } from '../src/tabs/registry';

test('a bare pathspec opens runs of a flow, a run (also for a step) or a task', () => {
  assert.deepEqual(['F', 'F/1', 'F/1/train', 'F/1/train/3'].map(defaultKind), [
    'runs',
    'run',
    'run',
    'task'
  ]);
});

test('?mfns=<pathspec> asks for the default view, without a namespace', () => {
  assert.deepEqual(linkRequests('?mfns=PredictionFlow/12'), [
    { kind: 'run', pathspec: 'PredictionFlow/12' }
  ]);
  assert.deepEqual(linkRequests('?mfns=PredictionFlow%2F12%2Ftrain%2F3'), [
    { kind: 'task', pathspec: 'PredictionFlow/12/train/3' }
  ]);
  assert.deepEqual(linkRequests('?token=x&other=1'), []);
  assert.equal(hasLink('?token=x'), false);
  assert.equal(hasLink('?reset&mfns=F/1'), true);
});

test('mfns-view picks another view and mfns-<arg> passes its arguments', () => {
  assert.deepEqual(
    linkRequests('?mfns=F/1/s/2&mfns-view=log&mfns-stream=stderr'),
    [{ kind: 'log', pathspec: 'F/1/s/2', stream: 'stderr' }]
  );
  assert.deepEqual(linkRequests('?mfns=F&mfns-tags=a&mfns-tags=b%20c'), [
    { kind: 'runs', pathspec: 'F', tags: ['a', 'b c'] }
  ]);
});

test('mfns-compare is handed to the compare kind as a list of runs', () => {
  assert.deepEqual(linkRequests('?mfns-compare=F/1,%20F/2'), [
    { kind: 'compare', runs: ['F/1', 'F/2'] }
  ]);
});

test('the address bar keeps every other parameter once a link is handled', () => {
  assert.equal(withoutLink('?mfns=F/1&mfns-view=run&x=1'), '?x=1');
  assert.equal(withoutLink('?mfns-compare=F/1,F/2'), '');
  assert.equal(withoutLink(''), '');
});

test('a link round-trips the arguments of a tab, except its namespace', () => {
  const cases: TabArgs[] = [
    { kind: 'run', namespace: 'user:anne', pathspec: 'PredictionFlow/12' },
    { kind: 'task', namespace: null, pathspec: 'F/1/train/3' },
    { kind: 'log', namespace: 'x', pathspec: 'F/1/s/2', stream: 'stderr' },
    { kind: 'runs', namespace: 'x', pathspec: 'F', tags: ['a b', 'c:d'] },
    { kind: 'run', namespace: 'x', pathspec: 'F/1', step: 'train' }
  ];
  for (const args of cases) {
    const { namespace: _ns, ...rest } = args;
    assert.deepEqual(
      linkRequests(linkQuery(args)),
      [rest],
      JSON.stringify(args)
    );
  }
  assert.equal(linkQuery(cases[0]), '?mfns=PredictionFlow/12');
  assert.equal(
    linkQuery({ kind: 'compare', namespace: null, runs: ['F/1', 'F/2'] }),
    '?mfns-compare=F/1%2CF/2'
  );
});

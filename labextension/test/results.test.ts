/** The graph's layout, the timeline's bars and span, and how values read. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { layoutDag } from '../src/components/results/dagLayout';
import { bars, span } from '../src/components/results/timelineDraw';
import { valueKind, valueText } from '../src/components/results/values';
import type { IDagStep, ITimelineTask } from '../src/types';

function step(name: string, type: string, next: string[]): IDagStep {
  return {
    name,
    type,
    next,
    doc: null,
    decorators: [],
    foreach_artifact: type === 'split-foreach' ? 'items' : null,
    matching_join: null,
    status: 'succeeded',
    tasks: 1,
    started_at: 0,
    finished_at: 1
  };
}

test('steps are laid out in ranks: every step below the steps leading to it', () => {
  const steps = [
    step('start', 'split-foreach', ['train']),
    step('train', 'linear', ['join']),
    step('join', 'join', ['fork']),
    step('fork', 'split-static', ['a', 'b']),
    step('a', 'linear', ['merge']),
    step('b', 'linear', ['merge']),
    step('merge', 'join', ['end']),
    step('end', 'end', [])
  ];
  const layout = layoutDag(steps);
  const at = new Map(layout.steps.map(p => [p.step.name, p]));
  for (const s of steps) {
    for (const n of s.next) {
      assert.ok(at.get(n)!.y > at.get(s.name)!.y, `${n} below ${s.name}`);
    }
  }
  // the static split's branches side by side, the foreach's body drawn fanned out
  assert.equal(at.get('a')!.y, at.get('b')!.y);
  assert.notEqual(at.get('a')!.x, at.get('b')!.x);
  assert.ok(at.get('train')!.fanned && !at.get('a')!.fanned);
  assert.equal(layout.edges.length, 8);
  assert.ok(layout.width > 0 && layout.height > 0);
});

function task(over: Partial<ITimelineTask>): ITimelineTask {
  return {
    pathspec: 'F/1/s/1',
    id: '1',
    step: 's',
    created_at: 100,
    finished_at: 300,
    status: 'succeeded',
    attempt: 0,
    origin_task: null,
    started_at: 100,
    attempts: [{ attempt: 0, started_at: 150, finished_at: 300, ok: true }],
    ...over
  };
}

test('a task draws one bar per attempt; a running one grows to now', () => {
  const retried = task({
    status: 'succeeded',
    attempt: 1,
    attempts: [
      { attempt: 0, started_at: 150, finished_at: 200, ok: false },
      { attempt: 1, started_at: 210, finished_at: 300, ok: true }
    ]
  });
  assert.deepEqual(bars(retried, 1000), [
    { from: 100, to: 200, outcome: 'failed' },
    { from: 210, to: 300, outcome: 'ok' }
  ]);
  const running = task({
    status: 'running',
    finished_at: null,
    attempts: [{ attempt: 0, started_at: 150, finished_at: null, ok: null }]
  });
  assert.deepEqual(bars(running, 1000), [
    { from: 100, to: 1000, outcome: 'running' }
  ]);
  assert.deepEqual(span([retried, running], 1000), [100, 1000]);
  assert.deepEqual(span([retried], 1000), [100, 300]);
});

test('values read as Python would print them, kinds for styling', () => {
  assert.equal(valueText(null), 'None');
  assert.equal(valueText(true), 'True');
  assert.equal(valueText('ünï "q"'), 'ünï "q"');
  assert.equal(valueText({ a: [1, 2.5] }), '{"a":[1,2.5]}');
  assert.equal(valueText('NaN'), 'NaN');
  assert.deepEqual([0.5, 'x', false, null, [1]].map(valueKind), [
    'number',
    'string',
    'bool',
    'none',
    'json'
  ]);
});

/** Bulk tagging: what a change means, doing it with failures, and undoing what changed. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  applyPlan,
  outcomeSummary,
  planQuestion,
  planTagChange,
  planUnchanged,
  undoPlan
} from '../src/explorer/bulkTags';

const runs = [
  { pathspec: 'F/3', tags: ['keep'] },
  { pathspec: 'F/2', tags: [] },
  { pathspec: 'F/1', tags: ['keep', 'x'] }
];

test('a plan says which runs change and which already are as asked', () => {
  const add = planTagChange(runs, 'add', 'x');
  assert.deepEqual(add.change, ['F/3', 'F/2']);
  assert.deepEqual(add.unchanged, ['F/1']);
  assert.equal(planQuestion(add), 'Add tag “x” to 2 runs?');
  assert.equal(planUnchanged(add), '1 run already has it.');
  const remove = planTagChange(runs, 'remove', 'keep');
  assert.deepEqual(remove.change, ['F/3', 'F/1']);
  assert.equal(planQuestion(remove), 'Remove tag “keep” from 2 runs?');
  assert.equal(planUnchanged(remove), '1 run does not carry it.');
});

test('each run is edited once; failures are reported per run; undo reverses the rest', async () => {
  const plan = planTagChange(runs, 'add', 'x');
  const calls: string[] = [];
  const heard: number[] = [];
  const outcomes = await applyPlan(
    plan,
    async (pathspec, add, remove) => {
      calls.push(`${pathspec} +${add.join()} -${remove.join()}`);
      if (pathspec === 'F/2') {
        throw new Error('run F/2 is gone');
      }
      return { pathspec, tags: ['x'], system_tags: [] };
    },
    (_, done) => heard.push(done)
  );
  assert.deepEqual(calls.sort(), ['F/2 +x -', 'F/3 +x -']);
  assert.deepEqual(heard, [1, 2]);
  assert.deepEqual(
    outcomes.map(o => [o.pathspec, o.error ?? 'ok']),
    [
      ['F/3', 'ok'],
      ['F/2', 'run F/2 is gone']
    ]
  );
  assert.equal(
    outcomeSummary(plan, outcomes),
    'Added “x” to 1 of 2 runs; 1 failed.'
  );
  const undo = undoPlan(plan, outcomes);
  assert.deepEqual(undo, {
    op: 'remove',
    tag: 'x',
    change: ['F/3'],
    unchanged: []
  });
});

test('many runs are edited a few at a time, and all of them', async () => {
  const many = Array.from({ length: 23 }, (_, i) => ({
    pathspec: `F/${i}`,
    tags: []
  }));
  let running = 0;
  let most = 0;
  const outcomes = await applyPlan(
    planTagChange(many, 'add', 't'),
    async pathspec => {
      running += 1;
      most = Math.max(most, running);
      await new Promise(resolve => setTimeout(resolve, 1));
      running -= 1;
      return { pathspec, tags: ['t'], system_tags: [] };
    }
  );
  assert.equal(outcomes.length, 23);
  assert.ok(outcomes.every(o => o.result));
  assert.ok(most > 1 && most <= 4, `at most 4 at once, saw ${most}`);
});

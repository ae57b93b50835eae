/** Live updates: messages batched, what a batch concerns, the URL, the reconnect delays. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  ChangeBatch,
  coalesced,
  eventsUrl,
  reconnectDelay,
  touchesFlow,
  touchesRun
} from '../src/models/live';

test('a batch collects each change once and ignores what is not an event', () => {
  const batch = new ChangeBatch();
  assert.equal(batch.empty, true);
  assert.equal(batch.add({ type: 'runs', flow: 'F' }), true);
  assert.equal(batch.add({ type: 'runs', flow: 'F' }), true);
  assert.equal(batch.add({ type: 'run', pathspec: 'G/3' }), true);
  assert.equal(batch.add({ type: 'hello' }), false);
  assert.equal(batch.add('nonsense'), false);
  const changes = batch.take();
  assert.deepEqual([...changes.flows], ['F']);
  assert.deepEqual([...changes.runs], ['G/3']);
  assert.equal(changes.resync, false);
  assert.equal(batch.empty, true);
  batch.resync();
  assert.equal(batch.take().resync, true);
});

test('a batch concerns a flow through its runs, and a run through its flow', () => {
  const batch = new ChangeBatch();
  batch.add({ type: 'run', pathspec: 'Flow/12' });
  const changes = batch.take();
  assert.equal(touchesFlow(changes, 'Flow'), true);
  assert.equal(
    touchesFlow(changes, 'Flo'),
    false,
    'a prefix of the name is another flow'
  );
  assert.equal(touchesRun(changes, 'Flow/12'), true);
  assert.equal(touchesRun(changes, 'Flow/1'), false);
  batch.add({ type: 'runs', flow: 'Flow' });
  assert.equal(touchesRun(batch.take(), 'Flow/1'), true);
  batch.resync();
  assert.equal(touchesRun(batch.take(), 'Other/1'), true);
});

test('the URL is the server’s websocket base, the namespace, and the token when asked', () => {
  const settings = {
    wsUrl: 'ws://h:8888/base/',
    token: 't k',
    appendToken: true
  };
  assert.equal(
    eventsUrl(settings, 'user:anne'),
    'ws://h:8888/base/mfns/api/events?namespace=user%3Aanne&token=t%20k'
  );
  assert.equal(
    eventsUrl({ ...settings, appendToken: false }, null),
    'ws://h:8888/base/mfns/api/events?namespace='
  );
});

test('reconnect delays grow from half a second to at most 30 s, jittered downwards', () => {
  assert.equal(reconnectDelay(0, 1), 500);
  assert.equal(reconnectDelay(0, 0), 250);
  assert.equal(reconnectDelay(3, 1), 4000);
  assert.equal(reconnectDelay(50, 1), 30_000);
  assert.ok(reconnectDelay(50, 0.3) < 30_000);
});

test('a coalesced task runs once more after calls made while it ran, never in parallel', async () => {
  let runs = 0;
  let running = 0;
  let release: () => void = () => undefined;
  const task = coalesced(async () => {
    runs += 1;
    running += 1;
    assert.equal(running, 1);
    await new Promise<void>(resolve => (release = resolve));
    running -= 1;
  });
  task();
  task();
  task();
  release();
  await new Promise(resolve => setTimeout(resolve, 0));
  release();
  await new Promise(resolve => setTimeout(resolve, 0));
  assert.equal(runs, 2);
});

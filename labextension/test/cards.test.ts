/** Card tabs' arguments and the protocol that keeps a sandboxed card page live. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  asReply,
  dataMessage,
  PROTOCOL,
  SANDBOX,
  sandboxedDocument
} from '../src/cardProtocol';
import { cardLabel, pickCard } from '../src/models/cardChoice';
import { CardArgs, cardKey, parseCardArgs } from '../src/tabs/cardArgs';
import { linkQuery, linkRequests } from '../src/tabs/deeplink';

const A = 'PredictionFlow/12/train/3';
const B = 'PredictionFlow/13/train/7';

test('a card tab names one task, or two and more side by side', () => {
  assert.deepEqual(parseCardArgs({ pathspec: A, hash: 'abc' }), {
    pathspec: A,
    hash: 'abc'
  });
  assert.deepEqual(parseCardArgs({ tasks: [A, B], id: 'model_report' }), {
    pathspec: A,
    tasks: [A, B],
    id: 'model_report'
  });
  assert.deepEqual(parseCardArgs({ tasks: [A] }), { pathspec: A });
  assert.match(
    String(parseCardArgs({ pathspec: 'F/1' })),
    /not the pathspec of a task/
  );
  assert.match(String(parseCardArgs({ tasks: [A, 'F/1'] })), /"F\/1" is not/);
  assert.match(
    String(parseCardArgs({ tasks: [A, B], hash: 'x' })),
    /type and id/
  );
  assert.match(String(parseCardArgs({ tasks: Array(9).fill(A) })), /At most 8/);
});

test('one tab per tasks and card; a link opens the same tab', () => {
  const own = parseCardArgs({ tasks: [A, B], id: 'r' });
  assert.ok(typeof own !== 'string');
  const args = {
    kind: 'card',
    namespace: null,
    ...(own as object)
  } as CardArgs;
  assert.notEqual(cardKey(args), cardKey({ ...args, tasks: [B, A] }));
  const [request] = linkRequests(linkQuery(args));
  assert.equal(request.kind, 'card');
  assert.deepEqual(parseCardArgs(request), {
    pathspec: A,
    tasks: [A, B],
    id: 'r'
  });
});

test('a card is picked by hash, else by type and id (null: none), else the first', () => {
  const cards = [
    { type: 'default', id: null, hash: 'h1', size: 1 },
    { type: 'blank', id: 'summary', hash: 'h2', size: 2 }
  ];
  assert.equal(pickCard(cards, { hash: 'h2' })?.hash, 'h2');
  assert.equal(pickCard(cards, { hash: 'nope' }), undefined);
  assert.equal(pickCard(cards, { type: 'blank' })?.hash, 'h2');
  assert.equal(pickCard(cards, { id: null })?.hash, 'h1');
  assert.equal(pickCard(cards, {})?.hash, 'h1');
  assert.deepEqual(cards.map(cardLabel), ['default', 'summary']);
});

test('the frame only runs scripts, and only protocol replies are taken from it', () => {
  assert.equal(SANDBOX, 'allow-scripts');
  const page = sandboxedDocument('<!DOCTYPE html><html><body>x</body></html>');
  assert.ok(page.startsWith('<!DOCTYPE html>'));
  assert.match(page, /metaflow_card_update/);
  assert.deepEqual(
    asReply({ protocol: PROTOCOL, type: 'card-reload', seq: 3 }),
    {
      protocol: PROTOCOL,
      type: 'card-reload',
      seq: 3
    }
  );
  for (const junk of [
    null,
    'card-reload',
    { type: 'card-reload', seq: 3 },
    { protocol: PROTOCOL, type: 'run-code', seq: 1 },
    { protocol: PROTOCOL, type: 'card-reload', seq: '1' }
  ]) {
    assert.equal(asReply(junk), null);
  }
  assert.deepEqual(dataMessage(2, 'tok', { a: 1 }), {
    protocol: PROTOCOL,
    type: 'card-data',
    seq: 2,
    token: 'tok',
    data: { a: 1 }
  });
});

/** The explorer's selection: clicks, ranges, keyboard moves, and rows coming and going. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Selection } from '../src/explorer/selection';

const order = ['F/6', 'F/5', 'F/4', 'F/3', 'F/2', 'F/1'];
const keys = (s: Selection) => s.ordered(order);

test('a plain click selects that row alone, and is the anchor and focus', () => {
  const s = Selection.empty.only(order, 2).only(order, 4);
  assert.deepEqual(keys(s), ['F/2']);
  assert.equal(s.anchor, 'F/2');
  assert.equal(s.focusIndex(order), 4);
});

test('ctrl-click adds and removes single rows', () => {
  let s = Selection.empty.only(order, 0).toggle(order, 2).toggle(order, 4);
  assert.deepEqual(keys(s), ['F/6', 'F/4', 'F/2']);
  s = s.toggle(order, 2);
  assert.deepEqual(keys(s), ['F/6', 'F/2']);
});

test('shift-click selects the range from the anchor, either way, and shrinks back', () => {
  let s = Selection.empty.only(order, 1).extend(order, 4);
  assert.deepEqual(keys(s), ['F/5', 'F/4', 'F/3', 'F/2']);
  s = s.extend(order, 2);
  assert.deepEqual(keys(s), ['F/5', 'F/4']);
  s = s.extend(order, 0);
  assert.deepEqual(keys(s), ['F/6', 'F/5']);
  assert.equal(s.anchor, 'F/5');
});

test('a shift range keeps what was ctrl-picked before it', () => {
  const s = Selection.empty.only(order, 0).toggle(order, 3).extend(order, 5);
  assert.deepEqual(keys(s), ['F/6', 'F/3', 'F/2', 'F/1']);
});

test('ctrl+arrow moves the focus only; space then toggles the focused row', () => {
  let s = Selection.empty.only(order, 0).moveFocus(order, 2);
  assert.deepEqual(keys(s), ['F/6']);
  assert.equal(s.focusIndex(order), 2);
  s = s.toggle(order, s.focusIndex(order));
  assert.deepEqual(keys(s), ['F/6', 'F/4']);
});

test('select all, clear, and out-of-range indices change nothing else', () => {
  const all = Selection.empty.only(order, 3).all(order);
  assert.equal(all.size, order.length);
  assert.equal(all.focusIndex(order), 3);
  const cleared = all.clear();
  assert.equal(cleared.size, 0);
  assert.equal(cleared.focusIndex(order), 3, 'the keyboard stays where it was');
  assert.equal(cleared.only(order, 99), cleared);
  assert.equal(cleared.extend(order, -1), cleared);
});

test('keys survive new rows above them; rows that leave the list leave the selection', () => {
  const s = Selection.empty.only(order, 1).extend(order, 2); // F/5, F/4
  const grown = ['F/7', ...order];
  assert.deepEqual(s.ordered(grown), ['F/5', 'F/4']);
  assert.equal(s.focusIndex(grown), 3);
  const kept = s.retain(new Set(['F/7', 'F/5', 'F/3']));
  assert.deepEqual([...kept.keys], ['F/5']);
  assert.equal(kept.focus, null, 'the focused row went');
  assert.equal(kept.anchor, 'F/5');
  assert.equal(
    kept.retain(new Set(['F/5'])),
    kept,
    'nothing gone: the same selection'
  );
});

test('a range from an anchor that left the list starts afresh', () => {
  const s = Selection.empty.only(order, 0).retain(new Set(order.slice(1)));
  assert.deepEqual(keys(s.extend(order, 3)), ['F/3']);
});

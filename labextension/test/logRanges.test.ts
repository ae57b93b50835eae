/** The log view's line arithmetic: where a search starts, how earlier lines are asked for. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { firstMatchFrom, windows } from '../src/logRanges';

test('a search starts at the first match at or after the top of the view', () => {
  assert.equal(firstMatchFrom([10, 20, 30], 1), 0);
  assert.equal(firstMatchFrom([10, 20, 30], 20), 1);
  assert.equal(firstMatchFrom([10, 20, 30], 21), 2);
  // past the last match: wrap to the first
  assert.equal(firstMatchFrom([10, 20, 30], 31), 0);
  assert.equal(firstMatchFrom([], 1), -1);
});

test('earlier lines are asked for in windows the server allows', () => {
  assert.deepEqual(windows(1, 2000, 20000), [{ from: 1, count: 2000 }]);
  assert.deepEqual(windows(1, 45000, 20000), [
    { from: 1, count: 20000 },
    { from: 20001, count: 20000 },
    { from: 40001, count: 5000 }
  ]);
  // a start before line 1 starts at 1; nothing to load is no request
  assert.deepEqual(windows(-99, 10, 20000), [{ from: 1, count: 10 }]);
  assert.deepEqual(windows(5, 4, 20000), []);
});

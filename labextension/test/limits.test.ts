/** Request sizes are clamped to what the server says it allows (GET status). */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { clampLogLines, clampPageSize } from '../src/limits';
import type { ILimits } from '../src/types';

const LIMITS: ILimits = {
  default_page_size: 50,
  max_page_size: 500,
  max_log_tail: 20000,
  max_body_size: 1024,
  max_tag_length: 500,
  max_user_tags: 50
};

test("the page size setting never exceeds the server's max_page_size", () => {
  assert.equal(clampPageSize(1000, LIMITS), 500);
  assert.equal(clampPageSize(100, LIMITS), 100);
  assert.equal(clampPageSize(0, LIMITS), 1);
});

test('log requests stay within max_log_tail', () => {
  assert.equal(clampLogLines(2500, LIMITS), 2500);
  assert.equal(clampLogLines(22500, LIMITS), 20000);
});

test('without limits (the server did not say) nothing is clamped', () => {
  assert.equal(clampPageSize(1000, null), 1000);
  assert.equal(clampLogLines(123456, null), 123456);
});

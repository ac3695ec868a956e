// Fisher's exact test against values worked by hand, and at the sizes rollouts meet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fisherUpperTail } from './significance.ts';

test("Fisher's lady tasting tea: 3 of 4 right against 1 of 4 is p = 17/70", () => {
  assert.ok(Math.abs(fisherUpperTail(3, 4, 1, 4) - 17 / 70) < 1e-12);
});

test('no errors, or fewer than the other side, are no evidence at all', () => {
  assert.equal(fisherUpperTail(0, 100, 0, 900), 1);
  assert.equal(fisherUpperTail(0, 100, 9, 900), 1);
  assert.ok(fisherUpperTail(1, 100, 9, 900) > 0.5);
});

test('a version failing every request is beyond doubt at once; the same rate on both sides is not, however large the counts', () => {
  assert.ok(fisherUpperTail(20, 20, 0, 180) < 1e-20);
  assert.ok(fisherUpperTail(3000, 100_000, 30_000, 1_000_000) > 0.4);
  // 1 in 20 against 0 in 180: the tail is exactly 20/200.
  assert.ok(Math.abs(fisherUpperTail(1, 20, 0, 180) - 0.1) < 1e-12);
});

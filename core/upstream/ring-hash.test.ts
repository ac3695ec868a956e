// The ring's consistency without a proxy in the way: 100,000 keys, endpoints joining and leaving, weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashKey, Ring } from './ring-hash.ts';

const KEYS = 100_000;
const ids = Array.from({ length: 12 }, (_, i) => `http://10.0.0.${i + 1}:8080`);
const all = (n: number) => new Uint8Array(n).fill(1);

function placeAll(ring: Ring, usable: Uint8Array): Int32Array {
  const out = new Int32Array(KEYS);
  for (let k = 0; k < KEYS; k++) out[k] = ring.lookup(hashKey(`key-${k}`), usable, -1);
  return out;
}

test('adding an eleventh endpoint to ten moves only the keys it takes, about 1/11 of them', () => {
  const before = placeAll(new Ring(ids.slice(0, 10), new Array(10).fill(1)), all(10));
  const after = placeAll(new Ring(ids.slice(0, 11), new Array(11).fill(1)), all(11));
  let moved = 0;
  for (let k = 0; k < KEYS; k++) {
    if (after[k] === before[k]) continue;
    moved++;
    assert.equal(after[k], 10, 'a moved key went to the new endpoint');
  }
  assert.ok(moved / KEYS > 0.07 && moved / KEYS < 0.11, `moved ${(100 * moved / KEYS).toFixed(2)}%`);
});

test('an endpoint stepped over (ejected) loses only its own keys, each to a neighbour on the ring', () => {
  const ring = new Ring(ids.slice(0, 10), new Array(10).fill(1));
  const before = placeAll(ring, all(10));
  const usable = all(10);
  usable[3] = 0;
  const after = placeAll(ring, usable);
  for (let k = 0; k < KEYS; k++) {
    if (before[k] !== 3) assert.equal(after[k], before[k]);
    else assert.notEqual(after[k], 3);
  }
  assert.notEqual(ring.lookup(hashKey('key-1'), all(10), before[1]), before[1], 'a retry steps past the endpoint it failed on');
});

test('weights set each endpoint\'s share of keys', () => {
  const placed = placeAll(new Ring(ids.slice(0, 3), [1, 2, 5]), all(3));
  const share = [0, 0, 0];
  for (const p of placed) share[p]++;
  for (const [i, w] of [1, 2, 5].entries()) {
    const expected = (w / 8) * KEYS;
    assert.ok(Math.abs(share[i] - expected) < 0.1 * expected, `endpoint ${i}: ${share[i]} keys for weight ${w}`);
  }
});

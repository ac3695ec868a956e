// When the identity manager renews: two thirds of the life, never later than the safety margin before expiry, half the life for short certificates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Identity } from './identity.ts';
import { renewalTime } from './manager.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;
/** A certificate valid from 0 for `life` ms: renewalTime reads only its validity. */
const living = (life: number) => ({ notBefore: 0, notAfter: life }) as Identity;

test('a day-long certificate renews at two thirds of its life', () => {
  assert.equal(renewalTime(living(24 * HOUR), 2 / 3), 16 * HOUR);
});

test('a certificate whose last third is shorter than the safety margin renews ten minutes before it expires', () => {
  assert.equal(renewalTime(living(24 * MINUTE), 2 / 3), 14 * MINUTE);
});

test('a certificate shorter than twice the margin renews at half its life, leaving the other half for retries', () => {
  assert.equal(renewalTime(living(6600), 2 / 3), 3300);
  assert.equal(renewalTime(living(12 * MINUTE), 2 / 3), 6 * MINUTE);
});

test('an earlier share is kept (a test renews at once with 0)', () => {
  assert.equal(renewalTime(living(6600), 0), 0);
  assert.equal(renewalTime(living(24 * HOUR), 0.25), 6 * HOUR);
});

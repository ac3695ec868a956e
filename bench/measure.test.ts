// How rounds of one target and mode fold into the figure the report shows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { medianOf, type Measurement } from './measure.ts';

function round(rps: number, p99: number, proxyCpuUsPerRequest?: number, errors = 0): Measurement {
  return { requests: rps * 5, seconds: 5, rps, errors, latencyUs: { p50: p99 / 4, p99, p999: p99 * 2, max: p99 * 3 }, proxyCpuUsPerRequest };
}

test('rates, costs and latencies are the median round; one disturbed round does not move them', () => {
  const m = medianOf([round(10000, 900, 40), round(2000, 90000, 95), round(11000, 1000, 42)]);
  assert.equal(m.rps, 10000);
  assert.equal(m.latencyUs.p99, 1000);
  assert.equal(m.latencyUs.p50, 250);
  assert.equal(m.proxyCpuUsPerRequest, 42);
});

test('with an even number of rounds the median is the mean of the middle two', () => {
  const m = medianOf([round(10000, 800, 40), round(12000, 1000, 44)]);
  assert.equal(m.rps, 11000);
  assert.equal(m.latencyUs.p99, 900);
  assert.equal(m.proxyCpuUsPerRequest, 42);
});

test('requests, seconds and errors are totals, and no CPU figure appears where none was charged', () => {
  const m = medianOf([round(1000, 500, undefined, 3), round(3000, 700, undefined, 1)]);
  assert.equal(m.requests, 1000 * 5 + 3000 * 5);
  assert.equal(m.seconds, 10);
  assert.equal(m.errors, 4);
  assert.equal('proxyCpuUsPerRequest' in m, false);
});

test('memory is what the proxies held after the last round, and the highest peak of any round', () => {
  const m = medianOf([{ ...round(1000, 500, 40), rssMiB: 120, peakRssMiB: 130 }, { ...round(1000, 500, 40), rssMiB: 110, peakRssMiB: 128 }]);
  assert.equal(m.rssMiB, 110);
  assert.equal(m.peakRssMiB, 130);
  assert.equal('rssMiB' in medianOf([round(1000, 500)]), false, 'no RSS where no proxy was charged');
});

// How rounds of one target and mode fold into the figure the report shows.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { defaultDriver } from './load.ts';
import { measure, medianOf, type Measurement } from './measure.ts';

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
  const m = medianOf([{ ...round(1000, 500, 40), rssMiB: 120, rssFileMiB: 50, peakRssMiB: 130 }, { ...round(1000, 500, 40), rssMiB: 110, rssFileMiB: 52, peakRssMiB: 128 }]);
  assert.equal(m.rssMiB, 110);
  assert.equal(m.rssFileMiB, 52);
  assert.equal(m.peakRssMiB, 130);
  assert.equal('rssMiB' in medianOf([round(1000, 500)]), false, 'no RSS where no proxy was charged');
});

test('calls a target counts as failed while the load runs (a gRPC status in a 200) are errors; those before it are not', async (t) => {
  // Every third answer is a 200 the server counts as failed, as a sidecar counts a gRPC call that ended with status 14.
  let served = 0;
  const server = createServer((_req, res) => {
    served++;
    res.end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  await fetch(url).then((r) => r.text());
  const failedCalls = async () => Math.floor(served / 3);
  const before = await failedCalls();
  const m = await measure({ url, headers: {}, proxies: [], failedCalls }, 'saturated', { driver: defaultDriver(), seconds: 1, warmupSeconds: 0, connections: 2, rate: 100 });
  assert.ok(m.requests > 0);
  // Requests still in flight when the driver stops reach the server uncounted by the driver: a failure or two may be among them.
  const during = (await failedCalls()) - before;
  assert.equal(m.errors, during);
  assert.ok(m.errors >= Math.floor(m.requests / 3) - 1 && m.errors <= Math.ceil((m.requests + 2) / 3) + 1, `${m.errors} errors of ${m.requests}`);
});

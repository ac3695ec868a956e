// bench/observe-cost.ts and observe-profile.ts end to end, short runs: real proxies under the load driver, each charged its CPU, one profiled; no figure is judged.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { observeCost, observeReport } from './observe-cost.ts';
import { observeProfile } from './observe-profile.ts';

test('the telemetry cost bench measures every variant in a running proxy and reports the differences', async () => {
  const c = await observeCost(1, 1, 4);
  for (const name of ['on', 'no-stories', 'no-counts', 'both-off'] as const) {
    assert.equal(c.cpuUsPerRequest[name].length, 1, name);
    assert.ok(c.cpuUsPerRequest[name][0] > 0 && c.rps[name][0] > 0, `${name}: ${JSON.stringify(c)}`);
  }
  const report = observeReport(c, 1, 4);
  assert.match(report, /^\| no-stories \| `--no-request-stories` \| [\d.]+ \(/m);
  assert.match(report, /^\| both \| -?[\d.]+ \(/m);
});

test('the profiled run attributes part of a running proxy\'s busy samples to the stories and the counts', async () => {
  const p = await observeProfile(2, 4);
  assert.ok(p.cpu > 0 && p.requests > 0, JSON.stringify(p));
  for (const share of [p.stories, p.counts]) assert.ok(share >= 0 && share < 1, JSON.stringify(p));
});

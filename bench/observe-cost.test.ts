// bench/observe-cost.ts end to end, one short round: four real proxies (telemetry on, each switch, both) under the load driver, each charged its CPU; no figure is judged.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { observeCost, observeReport } from './observe-cost.ts';

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

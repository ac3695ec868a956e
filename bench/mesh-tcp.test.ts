// How the weft-mesh-tcp bench reads redis-benchmark: its --csv rows, as redis-tools 7 prints them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBenchmarkCsv } from './mesh-tcp.ts';

test('redis-benchmark --csv: requests per second and p99 of each command; the header and short lines are skipped', () => {
  const csv = [
    '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"',
    '"SET","9302.33","0.796","0.024","0.119","4.919","12.447","31.471"',
    '"GET","12738.85","0.462","0.024","0.119","3.199","5.415","9.263"',
    '"PING_INLINE"',
  ].join('\n');
  assert.deepEqual(parseBenchmarkCsv(csv), { SET: { rps: 9302.33, p99Ms: 12.447 }, GET: { rps: 12738.85, p99Ms: 5.415 } });
});

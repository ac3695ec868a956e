// The control client's traffic reports against a real plane: posted every reportIntervalMs, and what a stopped plane could not take arrives, whole, with the next report to the plane that comes back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startControlClient } from '../core/control/client.ts';
import { bucketOf } from '../core/observe/latency.ts';
import type { TrafficSummary } from '../core/observe/summary.ts';
import { freePort, startPlane, tempDir, waitFor } from '../plane/test/support.ts';

/** One request of route r, as a worker of a proxy that is not a sidecar reports it (the plane names it by its node). */
function oneRequest(): TrafficSummary {
  return {
    authz: [], clusters: [],
    traffic: [{
      listener: 'inbound', direction: 'outbound', route: 'r', cluster: 'app', callee: '', caller: '', mtls: false, filters: [], protocol: 'http',
      requests: 1, failures: 0, statuses: { 200: 1 }, errors: {}, grpc: {}, retries: 0, latency: [[bucketOf(0.002), 1]], seconds: 0.002, bytesIn: 0, bytesOut: 2,
    }],
  };
}

test('summaries reach the plane; those a stopped plane missed come with the next report', async (t) => {
  const port = await freePort();
  const dataDir = tempDir('plane-summary');
  const args = ['--report-interval', '200ms'];
  let plane = await startPlane({ listen: `127.0.0.1:${port}`, dataDir, args });
  t.after(() => plane.stop());
  /** Requests the next summary() call reports, one per call. */
  let pending = 3;
  let reported = 0;
  const client = await startControlClient({
    planes: [plane.url], node: 'edge-1', dataDir: tempDir('edge-1'), token: plane.token, apply: async () => undefined,
    summary: async () => {
      if (!pending) return { traffic: [], authz: [], clusters: [] };
      pending--;
      reported++;
      return oneRequest();
    },
  });
  t.after(() => client.close());
  const requests = async () => (await plane.json<{ services: { service: string; requests: number }[] }>('/v1/stats?window=10m')).services.find((s) => s.service === 'edge-1')?.requests ?? 0;
  await waitFor('3 requests on the plane', async () => (await requests()) === 3 || undefined, 20_000);

  await plane.stop();
  pending = 5;
  await waitFor('5 more summaries taken while the plane is down', () => reported === 8 || undefined, 20_000);
  plane = await startPlane({ listen: `127.0.0.1:${port}`, dataDir, args });
  // The restarted plane's window is empty: the 5 it shows came together in the first report after the reconnection.
  await waitFor('the 5 on the restarted plane', async () => (await requests()) === 5 || undefined, 20_000);
  const text = await (await fetch(`${plane.url}/metrics`)).text();
  assert.match(text, /weft_mesh_requests_total\{service="edge-1",direction="outbound",route="r",cluster="app",code="200"\} 5\n/);
});

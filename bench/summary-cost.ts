// What counting one request for the plane's summaries costs on the request path (core/observe/traffic.ts), in ns per request, with the garbage collections it caused.
import client from 'prom-client';
import { parseArgs } from 'node:util';
import { measureCost } from './cost-loop.ts';
import type { CostRow } from './cost-loop.ts';
import { TrafficBook } from '../core/observe/traffic.ts';
import type { Cluster } from '../core/upstream/cluster.ts';

/** The per-request counting of the request path's observe(): the route's cell for this caller, then the request's figures. */

/** A cluster as the counting reads it (its name, and whether it dials sidecars over mTLS). */
const cluster = (name: string, service?: string) => ({ name, settings: { service, peerIdentities: service ? [`spiffe://td/ns/default/sa/${service}`] : undefined } }) as unknown as Cluster;

/** Durations spread over a few latency buckets, statuses over a few codes: what a real mix touches. */
const SECONDS = Float64Array.from({ length: 64 }, (_, i) => 0.0004 * (1 + (i % 16)) ** 1.5);
const STATUSES = [200, 200, 200, 200, 200, 200, 404, 503];

export async function summaryCost(n: number): Promise<CostRow[]> {
  const book = new TrafficBook();
  const outbound = book.listener('outbound', false);
  const inbound = book.listener('inbound', true);
  const payments = cluster('outbound:payments', 'payments');
  const app = cluster('inbound');
  const out = outbound.route('outbound:payments', payments, undefined);
  const into = inbound.route('inbound', app, undefined);
  const callers = ['spiffe://td/ns/default/sa/frontend', 'spiffe://td/ns/default/sa/orders', 'spiffe://td/ns/default/sa/admin'];
  // A typed slot, not a captured number: adding to a captured double would box it on each iteration.
  const sink = new Float64Array(1);
  const rows = [
    await measureCost('empty loop (the harness)', n, (i) => { sink[0] += SECONDS[i & 63] + STATUSES[i & 7]; }),
    await measureCost('outbound request: cell + record', n, (i) => {
      out.cell(undefined, payments, undefined).record(STATUSES[i & 7], SECONDS[i & 63], '', undefined, 0, 120, 480);
    }),
    await measureCost('inbound request by caller, 1 in 8 with a WEFT_ERR code', n, (i) => {
      into.cell(undefined, app, callers[i % 3]).record(STATUSES[i & 7], SECONDS[i & 63], (i & 7) === 7 ? 'WEFT_ERR_UPSTREAM_CONNECT' : '', undefined, i & 1, 120, 480);
    }),
    await measureCost('gRPC call (grpc-status counted too)', n, (i) => {
      out.cell(undefined, payments, undefined).record(200, SECONDS[i & 63], '', (i & 7) === 7 ? '14' : '0', 0, 120, 480);
    }),
  ];
  // What the proxy did per request before the cells: a labelled prom-client counter and histogram.
  const registers = [new client.Registry()];
  const requests = new client.Counter({ name: 'r', help: 'r', labelNames: ['route', 'cluster', 'code', 'worker'], registers });
  const duration = new client.Histogram({ name: 'd', help: 'd', labelNames: ['route', 'cluster'], buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers });
  rows.push(await measureCost('for comparison: prom-client counter + histogram with labels', n, (i) => {
    requests.inc({ route: 'outbound:payments', cluster: 'outbound:payments', code: STATUSES[i & 7], worker: '0' });
    duration.observe({ route: 'outbound:payments', cluster: 'outbound:payments' }, SECONDS[i & 63]);
  }));
  if (sink[0] < 0) console.log(sink[0]);
  return rows;
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { requests: { type: 'string', default: '5000000' } } });
  const n = Number(values.requests);
  console.log(`summary counting, ${n} requests per case (Node ${process.version}):`);
  for (const r of await summaryCost(n)) console.log(`  ${r.case.padEnd(58)} ${r.nsPerRequest.toFixed(1).padStart(7)} ns/request  ${r.gcs ? `${r.gcs} GCs` : `${r.bytesPerRequest.toFixed(2)} bytes/request, no GC`}`);
}

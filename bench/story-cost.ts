// What recording one request's story costs on the request path (core/observe/story.ts), in ns per request, with the heap it grew by and the collections it caused.
import { parseArgs } from 'node:util';
import { measureCost } from './cost-loop.ts';
import type { CostRow } from './cost-loop.ts';
import { FilterResult, StoryBook } from '../core/observe/story.ts';

/** Strings as the request path holds them: made once (config, the request's own), only referenced per request. */
const IDS = Array.from({ length: 256 }, (_, i) => `req-${i}`);
const PATHS = ['/orders/7', '/pay', '/admin', '/checkout?x=1'];
const ENDPOINT = 'http://127.0.0.1:15006';
const FILTERS = ['auth', 'ratelimit', 'router'];
const VERSION = '1.0.0';
const DENY = { allowed: false, decision: 'deny', rule: 'deny-admin', reason: 'denied_by_rule' } as const;
const ALLOW = { allowed: true, decision: 'allow', rule: 'frontend-may-call', reason: 'allowed_by_rule' } as const;

export async function storyCost(n: number): Promise<CostRow[]> {
  const book = new StoryBook(0, 'orders');
  const sink = new Float64Array(1);
  // performance.now() called directly: a closure around it would return its double boxed, the harness's garbage.
  return [
    await measureCost('empty loop with a performance.now() (the harness)', n, (i) => { sink[0] += performance.now() + PATHS[i & 3].length; }),
    await measureCost('proxied, no filters: route, endpoint, upstream, end', n, (i) => {
      const s = book.begin('outbound', 'GET', PATHS[i & 3], undefined, performance.now());
      book.id(s, IDS[i & 255]);
      book.route(s, 'outbound:orders', 'outbound:orders');
      book.endpoint(s, 1, ENDPOINT, 'least_request', 0, 2, 2);
      book.upstream(s, 200);
      book.end(s, 200, '', false);
    }),
    await measureCost('inbound, policy + 3 filters × 4 callbacks, 1 in 8 a 503', n, (i) => {
      const s = book.begin('inbound', 'GET', PATHS[i & 3], 'spiffe://weft.local/ns/default/sa/frontend', performance.now());
      book.authz(s, ALLOW);
      book.route(s, 'inbound', 'inbound');
      book.id(s, IDS[i & 255]);
      // Index loops: a destructuring for-of would be the harness's garbage, not the recording's.
      for (let f = 0; f < 3; f++) book.filter(s, FILTERS[f], VERSION, 0, FilterResult.Continue, 0);
      book.endpoint(s, 1, ENDPOINT, 'round_robin', 0, 1, 1);
      const failed = (i & 7) === 7;
      book.upstream(s, failed ? 503 : 200);
      for (let f = 2; f >= 0; f--) {
        book.filter(s, FILTERS[f], VERSION, 3, FilterResult.Continue, 0);
        book.filter(s, FILTERS[f], VERSION, 4, FilterResult.Continue, 0);
        book.filter(s, FILTERS[f], VERSION, 4, FilterResult.Continue, 0);
      }
      book.end(s, failed ? 503 : 200, '', false);
    }),
    await measureCost('denied by policy (always kept)', n, (i) => {
      const s = book.begin('inbound', 'GET', '/admin', 'spiffe://weft.local/ns/default/sa/frontend', performance.now());
      book.authz(s, DENY);
      book.id(s, IDS[i & 255]);
      book.end(s, 403, 'WEFT_ERR_AUTHZ_DENIED', false);
    }),
  ];
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { requests: { type: 'string', default: '2000000' } } });
  const n = Number(values.requests);
  console.log(`request stories, ${n} requests per case (Node ${process.version}):`);
  for (const r of await storyCost(n)) console.log(`  ${r.case.padEnd(58)} ${r.nsPerRequest.toFixed(1).padStart(7)} ns/request  ${r.gcs ? `${r.gcs} GCs` : `${r.bytesPerRequest.toFixed(2)} bytes/request, no GC`}`);
}

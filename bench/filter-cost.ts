// What each built-in filter costs per request inside the real proxy-wasm host and chain, with no network: µs per request, filter by filter and as the bench's chain.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { measureCost } from './cost-loop.ts';
import type { CostRow } from './cost-loop.ts';
import { FilterChain } from '../core/chain/chain.ts';
import { MemoryStreamHost } from '../core/chain/memory-host.ts';
import { compileFilter } from '../core/wasm/compile.ts';
import { MetricStore } from '../core/wasm/metrics.ts';
import { SharedState } from '../core/wasm/shared-data.ts';
import type { HeaderList } from '../core/wasm/stream-host.ts';
import { builtinFilterPath, loadBuiltinFilter } from '../filters/build.ts';

type ChainConfig = { headers: Record<string, string>; filters: { name: string; config: unknown }[] };
const benchChain = JSON.parse(readFileSync(new URL('filter-chain.json', import.meta.url), 'utf8')) as ChainConfig;

const BODY = new TextEncoder().encode('hello world\n');
const PROPERTIES = { 'source.address': '127.0.0.1:40000' };

/** One chain of the given filters (bench/filter-chain.json's configs), loaded as a worker loads it; from `modulesDir/<name>.wasm` if given, else the built-in builds. */
export async function chainOf(names: readonly string[], modulesDir?: string): Promise<FilterChain> {
  const specs = [];
  for (const { name, config } of benchChain.filters.filter((f) => names.includes(f.name))) {
    if (modulesDir === undefined) await loadBuiltinFilter(name);
    const { module } = await compileFilter(readFileSync(modulesDir === undefined ? builtinFilterPath(name) : join(modulesDir, `${name}.wasm`)));
    specs.push({ name, module, config: JSON.stringify(config) });
  }
  return FilterChain.create(specs, {
    shared: new SharedState(SharedState.allocate(1 << 20)), metrics: new MetricStore(), logLevel: 3,
  });
}

/** One bench request through the chain: a GET with `headers` (the chain's), a 200 with a 12-byte body; throws unless it passed whole. */
export function exchange(chain: FilterChain, headers: Record<string, string> = benchChain.headers): void {
  const request: HeaderList = [[':method', 'GET'], [':path', '/'], [':authority', '127.0.0.1'], [':scheme', 'http']];
  for (const [name, value] of Object.entries(headers)) request.push([name, value]);
  const host = new MemoryStreamHost(request, PROPERTIES);
  const stream = chain.newStream(host);
  stream.requestHeaders(true);
  host.responseHeaders = [[':status', '200'], ['content-type', 'text/plain'], ['content-length', String(BODY.length)]];
  stream.responseHeaders(false);
  stream.responseBody(BODY, true);
  stream.finish();
  if (!host.ended[1] || host.local !== null) throw new Error(`the request did not pass the chain: ${host.events.join(' ')}`);
}

export async function filterCost(n: number, only: readonly string[] = [], modulesDir?: string): Promise<CostRow[]> {
  const empty = FilterChain.create([]);
  const rows = [await measureCost('no filter (the harness)', n, () => exchange(empty))];
  const names = benchChain.filters.map((f) => f.name);
  for (const name of names) {
    if (only.length > 0 && !only.includes(name)) continue;
    const chain = await chainOf([name], modulesDir);
    rows.push(await measureCost(name, n, () => exchange(chain)));
    chain.close();
  }
  if (only.length === 0) {
    const chain = await chainOf(names, modulesDir);
    rows.push(await measureCost('the four (bench/filter-chain.json)', n, () => exchange(chain)));
    chain.close();
  }
  return rows;
}

if (import.meta.main) {
  const { values } = parseArgs({ options: {
    requests: { type: 'string', default: '200000' }, filter: { type: 'string', multiple: true, default: [] }, modules: { type: 'string' },
  } });
  const n = Number(values.requests);
  console.log(`built-in filters, ${n} requests per case (Node ${process.version}):`);
  for (const r of await filterCost(n, values.filter, values.modules)) console.log(`  ${r.case.padEnd(40)} ${(r.nsPerRequest / 1000).toFixed(2).padStart(7)} µs/request  ${r.gcs} GCs`);
}

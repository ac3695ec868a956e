// The things measured side by side: the upstream itself, nginx as proxy, Weft bare and with its filters, and a mesh hop between two sidecars (HTTP/1.1 and gRPC).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNginx } from './nginx.ts';
import { parseSample } from '../cli/demo/stats.ts';
import { planeClient } from '../plane/cli/client.ts';
import type { PlaneClient } from '../plane/cli/client.ts';
import { freePort, start, statusOf, statusOfH2, waitForOk, waitForOkThrough, type Running } from './processes.ts';
import { binNodeEnv, binNodeFlags } from '../release/node-flags.ts';

export const TARGETS = ['direct', 'nginx', 'weft', 'weft-sdk-1', 'weft-sdk-4', 'weft-filters', 'nginx-h2', 'weft-h2', 'weft-mesh', 'weft-sidecar', 'direct-grpc', 'weft-mesh-grpc'] as const;
export type TargetName = (typeof TARGETS)[number];

/** A started target: where to send load, which headers it needs, and the processes to charge CPU to. */
export type Target = {
  url: string;
  headers: Record<string, string>;
  /** The proxies whose CPU is charged, summed: one for a proxy, both sidecars for a mesh hop, none for direct. */
  proxies: Running[];
  /** Started for the target but not charged (the mesh's plane); stopped after the proxies. */
  support?: Running[];
  /** Load arrives as HTTP/2 with prior knowledge (h2load); the upstream side stays HTTP/1.1 for both proxies. */
  h2?: boolean;
  /** Each request POSTs this file (the gRPC rows' one framed message). */
  dataFile?: string;
  /**
   * Measured once, in the fixed mode, at this rate for this long, whatever --modes, --rate, --duration and --rounds
   * say: a figure published at a set load (Istio's "vCPU per 1,000 req/s"), and the memory after that long.
   */
  pace?: { rate: number; seconds: number };
  /**
   * Calls answered 200 that failed all the same, as the target counted them so far: a gRPC call's status rides in
   * its trailers, which the load generator never reads. Read around the counted load; the difference is added to its errors.
   */
  failedCalls?: () => Promise<number>;
};

/** weft-sidecar's load: Istio publishes a sidecar's cost at 1,000 req/s; the issue asks for its RSS after 30 s of it. */
export const SIDECAR_PACE = { rate: 1000, seconds: 30 };

/** Stops a target: its proxies together, then what supports them (a sidecar deregisters from the plane as it stops). */
export async function stopTarget(target: Target): Promise<void> {
  await Promise.all(target.proxies.map((p) => p.stop()));
  for (const s of target.support ?? []) await s.stop();
}

/** `workDir` holds the run's generated files and is removed after the run; `weft` is the program Weft's processes run. */
export type TargetContext = { upstream: URL; workers: number; workDir: string; cpu?: number; sideCpu?: number; bodyBytes: number; weft: WeftProgram };

const root = fileURLToPath(new URL('../', import.meta.url));

/**
 * What runs Weft's processes: `bundle` is the JavaScript users run (the npm package's dist/lib/weft.js, built by
 * `npm run build:bin`), `sources` the checkout's TypeScript, whose type stripping costs each thread ~17 MiB and CPU at
 * start (ARCHITECTURE.md, "Memory budget").
 */
export const WEFT_PROGRAMS = ['bundle', 'sources'] as const;
export type WeftProgram = (typeof WEFT_PROGRAMS)[number];

/** What `node` runs for a `weft` command of this program: the bin's Node flags, as users' weft runs with them, and the script (`binNodeEnv()` is the environment its first line sets, given to each start). */
function weftArgv(program: WeftProgram): string[] {
  return [...binNodeFlags(), join(root, program === 'bundle' ? 'dist/lib/weft.js' : 'cli/weft.ts')];
}

type FilterChain = { headers: Record<string, string>; filters: { name: string; config: unknown }[] };

/** How many filters a target runs, so the report can give the CPU each one adds over bare weft. */
export const FILTER_COUNT: Partial<Record<TargetName, number>> = { 'weft-sdk-1': 1, 'weft-sdk-4': 4, 'weft-filters': 4 };

/** Chains of the SDK's examples (issue: the CPU a filter adds, goal under 5 µs): each lets the bench request through. */
const SDK_CHAINS: Record<'weft-sdk-1' | 'weft-sdk-4', { example: string; config: unknown }[]> = {
  'weft-sdk-1': [{ example: 'add-header', config: { name: 'x-bench', value: '1' } }],
  'weft-sdk-4': [
    { example: 'add-header', config: { name: 'x-bench', value: '1' } },
    { example: 'deny-by-header', config: { header: 'x-block' } },
    { example: 'body-redact', config: { words: ['secret'], replacement: '[redacted]' } },
    { example: 'rate-limit', config: { requestsPerSecond: 1000000000, burst: 1000000000 } },
  ],
};

/** Builds the chain's SDK examples into the run's work folder and returns their `--filter` flags. */
async function sdkFilterFlags(chain: { example: string; config: unknown }[], workDir: string): Promise<string[]> {
  const { buildFilter } = await import('../sdk/tools/build.ts');
  const flags: string[] = [];
  for (const { example, config } of chain) {
    const outFile = join(workDir, `${example}.wasm`);
    await buildFilter(join(root, 'sdk/examples', example), { outFile });
    flags.push('--filter', `${outFile},config=${JSON.stringify(config)}`);
  }
  return flags;
}

/** The `--filter NAME,config=JSON` flags of the built-in chain, each filter built first if its build is missing or stale. */
async function filterFlags(chain: FilterChain): Promise<string[]> {
  // Loaded only here: the compiler is heavy and the other targets do not need it.
  const { loadBuiltinFilter } = await import('../filters/build.ts');
  const flags: string[] = [];
  for (const { name, config } of chain.filters) {
    await loadBuiltinFilter(name);
    flags.push('--filter', `${name},config=${JSON.stringify(config)}`);
  }
  return flags;
}

async function startWeft(ctx: TargetContext, extraFlags: string[], headers: Record<string, string>): Promise<Target> {
  const [port, admin] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}/`;
  const proxy = start('weft', process.execPath, [
    ...weftArgv(ctx.weft), 'proxy',
    '--listen', `127.0.0.1:${port}`, '--upstream', ctx.upstream.origin, '--admin', `127.0.0.1:${admin}`,
    '--workers', String(ctx.workers), '--log-level', 'warn', ...extraFlags,
  ], { cpu: ctx.cpu, env: binNodeEnv() });
  try {
    // Filters are compiled and smoke-started before the proxy is ready: seconds, more on a busy machine.
    await waitForOk(proxy, `http://127.0.0.1:${admin}/ready`, false, extraFlags.includes('--filter') ? 120_000 : undefined);
    // Ready is not enough: the request the load will send must come back 200 through the whole chain.
    const status = await statusOf(url, headers);
    if (status !== 200) throw new Error(`weft answered the bench request with ${status}, not 200 (see bench/filter-chain.json)`);
  } catch (err) {
    await proxy.stop();
    throw err;
  }
  return { url, headers, proxies: [proxy] };
}

// The mesh hop's two workloads; the names are the services their identities and registrations carry.
const MESH_CLIENT = 'bench-client';
const MESH_SERVER = 'bench-server';

/** The built-in chain of bench/filter-chain.json, and the headers its requests need. */
function builtinChain(): FilterChain {
  return JSON.parse(readFileSync(new URL('filter-chain.json', import.meta.url), 'utf8')) as FilterChain;
}

/**
 * The mesh's app and how to know the hop carries: HTTP by default (the upstream), a TCP service for `weft-mesh-tcp`
 * (bench/mesh-tcp.ts: redis-server behind `--app-protocol tcp`).
 */
export type MeshApp = { app: string; serverFlags: string[]; through: (children: Running[], bind: number) => Promise<void> };

const httpApp = (ctx: TargetContext): MeshApp => ({
  app: ctx.upstream.host,
  serverFlags: [],
  // Until the server sidecar has registered and the client has a snapshot naming it, the bind port answers 503 (404 before any snapshot).
  through: (children, bind) => waitForOkThrough(children, `http://127.0.0.1:${bind}/`, 30_000).catch((err: Error) => {
    throw new Error(`no 200 through the mesh hop (the server sidecar registers only once its app, the upstream, accepts connections): ${err.message}`);
  }),
});

/**
 * A plane (SQLite store in the work folder) and two sidecars on it: load enters the client sidecar's
 * `--bind` port in plain HTTP/1.1, crosses to the server sidecar's inbound port over mTLS with the
 * identities the plane issued, and the server sidecar passes it to the upstream as its app. The
 * server sidecar registers itself once the upstream accepts connections; the client learns its
 * address from the plane's next snapshot.
 *
 * `weft-mesh` charges both sidecars, has no chain and runs --workers sidecars. `weft-sidecar` is one sidecar as it
 * runs in a pod: the server sidecar alone is charged, with one worker and the four built-in filters pushed to the
 * plane and applied as the mesh chain (run on its inbound side); the client sidecar only carries the load to it over
 * mTLS (wrk cannot present a client certificate), unpinned and not charged, like the plane.
 */
export async function startMesh(ctx: TargetContext, kind: 'weft-mesh' | 'weft-sidecar', mesh: MeshApp = httpApp(ctx)): Promise<Target> {
  const planePort = await freePort();
  const planeUrl = `http://127.0.0.1:${planePort}`;
  // A folder of its own for each hop started: weft-mesh-grpc is a 'weft-mesh' too, and two planes on one store would
  // share a registry, so each mesh's client would spread its load over both server sidecars.
  const dir = mkdtempSync(join(ctx.workDir, `${kind}-`));
  const dataDir = join(dir, 'plane');
  // Not pinned and not charged: under load it only answers the sidecars' heartbeats (every ~3 s).
  const plane = start('weft plane', process.execPath, [
    ...weftArgv(ctx.weft), 'plane', '--listen', `127.0.0.1:${planePort}`, '--data-dir', dataDir, '--log-level', 'warn',
  ], { env: binNodeEnv() });
  const proxies: Running[] = [];
  const target: Target = { url: '', headers: {}, proxies, support: [plane] };
  const chain = kind === 'weft-sidecar' ? builtinChain() : undefined;
  try {
    await waitForOk(plane, `${planeUrl}/healthz`);
    const token = readFileSync(join(dataDir, 'token'), 'utf8').trim();
    const client = planeClient({ plane: planeUrl, token });
    if (chain) await applyChain(client, chain);
    const sidecar = async (service: string, charged: boolean, extraFlags: string[]): Promise<string> => {
      const [inbound, admin] = [await freePort(), await freePort()];
      const { token: joinToken } = await client.call<{ token: string }>('POST', '/v1/identity/tokens', { service, ttlMs: 10 * 60_000 });
      const workers = chain ? 1 : ctx.workers;
      const proxy = start(`${service} sidecar`, process.execPath, [
        ...weftArgv(ctx.weft), 'proxy', '--plane', planeUrl, '--token', token, '--node', `${service}-1`,
        '--data-dir', join(dir, service), '--join-token', joinToken, '--service', service,
        '--inbound', `127.0.0.1:${inbound}`, '--app', mesh.app, '--admin', `127.0.0.1:${admin}`,
        // Stopped when no load runs: nothing in flight needs the default 15 s.
        '--workers', String(workers), '--log-level', 'warn', '--drain-timeout', '2s', ...extraFlags,
      ], { cpu: charged ? ctx.cpu : undefined, env: binNodeEnv() });
      (charged ? proxies : target.support!).push(proxy);
      // A chain is compiled and smoke-started before the sidecar is ready: seconds, more on a busy machine.
      await waitForOk(proxy, `http://127.0.0.1:${admin}/ready`, false, chain ? 120_000 : 60_000);
      return `http://127.0.0.1:${admin}`;
    };
    const bind = await freePort();
    target.url = `http://127.0.0.1:${bind}/`;
    target.headers = chain?.headers ?? {};
    // The client sidecar needs an app too (it registers as bench-client); the upstream serves, nothing calls it.
    // Both at once; settled, so neither is still starting (and left out of the stop) when the other fails.
    const started = await Promise.allSettled([
      sidecar(MESH_SERVER, true, mesh.serverFlags),
      sidecar(MESH_CLIENT, !chain, ['--bind', `${MESH_SERVER}=127.0.0.1:${bind}`]),
    ]);
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    // The client sidecar answers the load: what it answered is what the load got.
    const clientAdmin = (started[1] as PromiseFulfilledResult<string>).value;
    target.failedCalls = () => failedGrpcCalls(clientAdmin, `outbound:${MESH_SERVER}`);
    if (!chain) {
      await mesh.through([...proxies, ...target.support!], bind);
    } else {
      // Until the server sidecar has registered and the client has a snapshot naming it, the bind port answers 503 (404 before any snapshot).
      await waitForOkThrough([...proxies, ...target.support!], target.url, 120_000, target.headers).catch((err: Error) => {
        throw new Error(`no 200 through the mesh hop (the server sidecar registers only once its app, the upstream, accepts connections): ${err.message}`);
      });
      if (await statusOf(target.url) === 200) throw new Error('a request without credentials crossed the sidecar: the filter chain is not in its path');
    }
  } catch (err) {
    await stopTarget(target);
    throw err;
  }
  if (chain) target.pace = SIDECAR_PACE;
  return target;
}

/** gRPC calls `route` of the proxy at `admin` answered with a status other than 0 (OK), from its /metrics. */
async function failedGrpcCalls(admin: string, route: string): Promise<number> {
  const res = await fetch(`${admin}/metrics`);
  if (!res.ok) throw new Error(`${admin}/metrics answered ${res.status}`);
  return parseSample(await res.text(), Date.now(), route).grpcFailed;
}

/** A unary gRPC call as h2load sends it: POST with gRPC's content type, one length-prefixed 64-byte message. */
const GRPC_HEADERS = { 'content-type': 'application/grpc', te: 'trailers' };

/**
 * The gRPC rows' own upstream (bench/grpc-upstream.ts, h2c, beside the load on the side CPU), and the request
 * file: reached directly (`direct-grpc`) or through two sidecars (`weft-mesh-grpc`), whose client side takes
 * h2c on its --bind port and speaks HTTP/2 over mTLS to the server side, which speaks h2c to the upstream.
 */
async function startGrpc(ctx: TargetContext, mesh: boolean): Promise<Target> {
  const port = await freePort();
  const upstream = start('grpc upstream', process.execPath, [fileURLToPath(new URL('grpc-upstream.ts', import.meta.url)), String(port), String(ctx.bodyBytes)], { cpu: ctx.sideCpu });
  const dataFile = join(ctx.workDir, 'grpc-request.bin');
  const request = Buffer.alloc(5 + 64, 'x');
  request[0] = 0;
  request.writeUInt32BE(64, 1);
  writeFileSync(dataFile, request);
  try {
    await waitForOk(upstream, `http://127.0.0.1:${port}/`, true);
    const base: Target = mesh
      ? await startMesh(ctx, 'weft-mesh', { ...httpApp(ctx), app: `127.0.0.1:${port}`, serverFlags: ['--app-protocol', 'http2'] })
      : { url: `http://127.0.0.1:${port}/`, headers: {}, proxies: [] };
    return { ...base, headers: GRPC_HEADERS, h2: true, dataFile, support: [...base.support ?? [], upstream] };
  } catch (err) {
    await upstream.stop();
    throw err;
  }
}

/**
 * Pushes the built-in filters to the plane and applies them as the mesh chain, configured as bench/filter-chain.json
 * has them, but for the router's cluster: a sidecar's inbound route has one cluster, its app, which the router keeps.
 */
async function applyChain(client: PlaneClient, chain: FilterChain): Promise<void> {
  const { loadBuiltinFilter } = await import('../filters/build.ts');
  const filters = chain.filters.map(({ name, config }) => {
    if (name !== 'router') return { name, config };
    const { routes } = config as { routes: Record<string, unknown>[] };
    return { name, config: { routes: routes.map(({ cluster: _cluster, ...route }) => route) } };
  });
  for (const { name } of filters) await client.call('PUT', `/v1/filters/${name}/versions/1.0.0`, await loadBuiltinFilter(name));
  await client.call('PUT', '/v1/mesh?source=bench', { filters });
}

/** Starts `name` in front of the upstream; throws with the reason when it cannot run here. */
export async function startTarget(name: TargetName, ctx: TargetContext): Promise<Target> {
  switch (name) {
    case 'direct':
      return { url: ctx.upstream.href, headers: {}, proxies: [] };
    case 'nginx':
    case 'nginx-h2': {
      const port = await freePort();
      const h2 = name === 'nginx-h2';
      const proxy = await startNginx(name, port, { kind: 'proxy', upstream: ctx.upstream, h2 }, ctx.workDir, ctx.cpu);
      return { url: `http://127.0.0.1:${port}/`, headers: {}, proxies: [proxy], h2 };
    }
    case 'weft':
      return startWeft(ctx, [], {});
    case 'weft-h2': {
      const target = await startWeft(ctx, [], {});
      // The same port serves HTTP/1.1, so the ready probe above proves nothing about HTTP/2: ask over it too.
      const status = await statusOfH2(target.url).catch((err: Error) => err.message);
      if (status !== 200) {
        await stopTarget(target);
        throw new Error(`weft answered an HTTP/2 request with ${status}, not 200`);
      }
      return { ...target, h2: true };
    }
    case 'weft-sdk-1':
    case 'weft-sdk-4':
      return startWeft(ctx, await sdkFilterFlags(SDK_CHAINS[name], ctx.workDir), {});
    case 'weft-filters': {
      const chain = builtinChain();
      const target = await startWeft(ctx, await filterFlags(chain), chain.headers);
      // Proof the chain is in the path: without the chain's credentials, auth must refuse.
      const anonymous = await statusOf(target.url);
      if (anonymous === 200) {
        await stopTarget(target);
        throw new Error('a request without credentials was answered 200: the filter chain is not in the path');
      }
      return target;
    }
    case 'weft-mesh':
      return startMesh(ctx, name);
    case 'direct-grpc':
    case 'weft-mesh-grpc':
      return startGrpc(ctx, name === 'weft-mesh-grpc');
    case 'weft-sidecar':
      return startMesh(ctx, name);
  }
}

// The things measured side by side: the upstream itself, nginx as proxy, Weft bare and Weft with its filters.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNginx } from './nginx.ts';
import { freePort, start, statusOf, statusOfH2, waitForOk, type Running } from './processes.ts';

export const TARGETS = ['direct', 'nginx', 'weft', 'weft-sdk-1', 'weft-sdk-4', 'weft-filters', 'nginx-h2', 'weft-h2'] as const;
export type TargetName = (typeof TARGETS)[number];

/** A started target: where to send load, which headers it needs, and the proxy process to charge CPU to. */
export type Target = {
  url: string;
  headers: Record<string, string>;
  proxy?: Running;
  /** Load arrives as HTTP/2 with prior knowledge (h2load); the upstream side stays HTTP/1.1 for both proxies. */
  h2?: boolean;
};

/** `workDir` holds the run's generated files and is removed after the run. */
export type TargetContext = { upstream: URL; workers: number; workDir: string; cpu?: number };

const root = fileURLToPath(new URL('../', import.meta.url));

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
    join(root, 'core/cli/weft.ts'), 'proxy',
    '--listen', `127.0.0.1:${port}`, '--upstream', ctx.upstream.origin, '--admin', `127.0.0.1:${admin}`,
    '--workers', String(ctx.workers), '--log-level', 'warn', ...extraFlags,
  ], { cpu: ctx.cpu });
  try {
    await waitForOk(proxy, `http://127.0.0.1:${admin}/ready`);
    // Ready is not enough: the request the load will send must come back 200 through the whole chain.
    const status = await statusOf(url, headers);
    if (status !== 200) throw new Error(`weft answered the bench request with ${status}, not 200 (see bench/filter-chain.json)`);
  } catch (err) {
    await proxy.stop();
    throw err;
  }
  return { url, headers, proxy };
}

/** Starts `name` in front of the upstream; throws with the reason when it cannot run here. */
export async function startTarget(name: TargetName, ctx: TargetContext): Promise<Target> {
  switch (name) {
    case 'direct':
      return { url: ctx.upstream.href, headers: {} };
    case 'nginx':
    case 'nginx-h2': {
      const port = await freePort();
      const h2 = name === 'nginx-h2';
      const proxy = await startNginx(name, port, { kind: 'proxy', upstream: ctx.upstream, h2 }, ctx.workDir, ctx.cpu);
      return { url: `http://127.0.0.1:${port}/`, headers: {}, proxy, h2 };
    }
    case 'weft':
      return startWeft(ctx, [], {});
    case 'weft-h2': {
      const target = await startWeft(ctx, [], {});
      // The same port serves HTTP/1.1, so the ready probe above proves nothing about HTTP/2: ask over it too.
      const status = await statusOfH2(target.url).catch((err: Error) => err.message);
      if (status !== 200) {
        await target.proxy!.stop();
        throw new Error(`weft answered an HTTP/2 request with ${status}, not 200`);
      }
      return { ...target, h2: true };
    }
    case 'weft-sdk-1':
    case 'weft-sdk-4':
      return startWeft(ctx, await sdkFilterFlags(SDK_CHAINS[name], ctx.workDir), {});
    case 'weft-filters': {
      const chain = JSON.parse(readFileSync(new URL('filter-chain.json', import.meta.url), 'utf8')) as FilterChain;
      const target = await startWeft(ctx, await filterFlags(chain), chain.headers);
      // Proof the chain is in the path: without the chain's credentials, auth must refuse.
      const anonymous = await statusOf(target.url);
      if (anonymous === 200) {
        await target.proxy!.stop();
        throw new Error('a request without credentials was answered 200: the filter chain is not in the path');
      }
      return target;
    }
  }
}

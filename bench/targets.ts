// The things measured side by side: the upstream itself, nginx as proxy, Weft bare and Weft with its filters.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNginx } from './nginx.ts';
import { freePort, start, statusOf, waitForOk, type Running } from './processes.ts';

export const TARGETS = ['direct', 'nginx', 'weft', 'weft-filters'] as const;
export type TargetName = (typeof TARGETS)[number];

/** A started target: where to send load, which headers it needs, and the proxy process to charge CPU to. */
export type Target = {
  url: string;
  headers: Record<string, string>;
  proxy?: Running;
};

/** `workDir` holds the run's generated files and is removed after the run. */
export type TargetContext = { upstream: URL; workers: number; workDir: string; cpu?: number };

const root = fileURLToPath(new URL('../', import.meta.url));

type FilterChain = { headers: Record<string, string>; filters: { name: string; config: unknown }[] };

/**
 * The `--filter FILE.wasm,config=JSON` flags of the built-in chain. Each filter is built from its
 * source for this run, so a stale build in filters/NAME/build can never be what is measured.
 */
async function filterFlags(chain: FilterChain, dir: string): Promise<string[]> {
  // Loaded only here: the compiler is heavy and the other targets do not need it.
  const { buildFilter } = await import('../sdk/tools/build.ts');
  const flags: string[] = [];
  for (const { name, config } of chain.filters) {
    const source = join(root, 'filters', name);
    if (!existsSync(join(source, 'assembly', 'index.ts'))) throw new Error(`filter "${name}" has no source in filters/${name}/assembly`);
    // The proxy names a filter after its file, so the file is NAME.wasm.
    const { outFile } = await buildFilter(source, { outFile: join(dir, `${name}.wasm`) });
    flags.push('--filter', `${outFile},config=${JSON.stringify(config)}`);
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
    case 'nginx': {
      const port = await freePort();
      const proxy = await startNginx('nginx', port, { kind: 'proxy', upstream: ctx.upstream }, ctx.workDir, ctx.cpu);
      return { url: `http://127.0.0.1:${port}/`, headers: {}, proxy };
    }
    case 'weft':
      return startWeft(ctx, [], {});
    case 'weft-filters': {
      const chain = JSON.parse(readFileSync(new URL('filter-chain.json', import.meta.url), 'utf8')) as FilterChain;
      return startWeft(ctx, await filterFlags(chain, ctx.workDir), chain.headers);
    }
  }
}

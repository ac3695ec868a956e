// The demo's control plane: a `weft plane` on an embedded SQLite store, the four built-in filters pushed to it, the mesh chain applied, join tokens minted.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { builtinFilters, loadBuiltinFilter } from '../../filters/build.ts';
import { planeClient } from '../../plane/cli/client.ts';
import type { PlaneClient } from '../../plane/cli/client.ts';
import { startChild } from './children.ts';
import { PAY_PATH } from './grpc-app.ts';
import type { Child } from './children.ts';

export const FILTER_VERSION = '1.0.0';
/** The key the chain's auth filter asks for on /admin (only its digest is in the config). */
export const DEMO_API_KEY = 'demo-key-123';

export interface DemoPlane {
  child: Child;
  url: string;
  token: string;
  /** Where the token is: sidecars read it from there, so it is not on their command lines (ps). */
  tokenFile: string;
  client: PlaneClient;
  trustDomain: string;
}

export async function startDemoPlane(dir: string): Promise<DemoPlane> {
  const dataDir = join(dir, 'plane');
  const child = await startChild('plane', ['plane', '--listen', '127.0.0.1:0', '--data-dir', dataDir], join(dir, 'plane.log'), 'weft plane ready');
  const url = String(child.ready.url);
  const tokenFile = join(dataDir, 'token');
  const token = readFileSync(tokenFile, 'utf8').trim();
  return { child, url, token, tokenFile, client: planeClient({ plane: url, token }), trustDomain: String(child.ready.trustDomain) };
}

/**
 * The chain every sidecar runs on its inbound side, configured so the demo's traffic passes each
 * filter: auth guards only /admin, the rate limit is far above the demo's rate, the router adds a
 * header without changing where requests go, telemetry counts.
 */
export function meshDocument(): Record<string, unknown> {
  return {
    filters: [
      {
        name: 'auth',
        config: {
          apiKeys: { header: 'x-api-key', sha256: [createHash('sha256').update(DEMO_API_KEY).digest('hex')] },
          rules: [{ prefix: '/admin', require: 'apiKey' }, { prefix: '/', require: 'anonymous' }],
        },
      },
      { name: 'ratelimit', config: { limits: [{ name: 'per-client', requests: 1000, perSeconds: 1, key: { source: 'clientAddress' } }] } },
      { name: 'router', config: { routes: [{ name: 'all', requestHeaders: { set: { 'x-weft-mesh': 'demo' } } }] } },
      { name: 'telemetry', config: {} },
    ],
  };
}

/** Builds any built-in filter that is missing or stale (a fresh clone has none), pushes each, applies the chain. */
export async function deployFilters(plane: DemoPlane, onPushed: (name: string) => void): Promise<void> {
  for (const name of builtinFilters) {
    await plane.client.call('PUT', `/v1/filters/${name}/versions/${FILTER_VERSION}`, await loadBuiltinFilter(name));
    onPushed(name);
  }
  await plane.client.call('PUT', '/v1/mesh?source=demo', meshDocument());
}

export async function joinToken(plane: DemoPlane, service: string): Promise<string> {
  return (await plane.client.call<{ token: string }>('POST', '/v1/identity/tokens', { service, ttlMs: 10 * 60_000 })).token;
}

/** An authorization policy for the "try next" list: payments refuses its Pay method, so the whole checkout path fails. Returns its path. */
export function writeDenyExample(dir: string): string {
  const file = join(dir, 'deny-pay.yaml');
  writeFileSync(file, `# Applied with: weft apply -f ${file}\n${toYaml({
    kind: 'AuthorizationPolicy',
    service: 'payments',
    mode: 'enforce',
    default: 'allow',
    rules: [{ name: 'no-payments', action: 'deny', to: { paths: [PAY_PATH] } }],
  })}`);
  return file;
}

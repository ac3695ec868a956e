// Starts real `weft plane` processes and a real etcd on loopback for the plane's tests, and runs client commands; every start and stop is bounded.
import '../../test/support/file-guard.ts';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readyLine, stopChild, WEFT_BIN } from '../../core/proxy/spawn.ts';
import { runWeft, START_TIMEOUT_MS } from '../../test/support/proxy.ts';
import { closedPort } from '../../test/support/upstream.ts';
import { waitFor } from '../../test/support/wait.ts';

export { waitFor } from '../../test/support/wait.ts';

export interface RunningPlane {
  proc: ChildProcess;
  url: string;
  token: string;
  dataDir: string;
  stderr(): string;
  /** Runs `weft ARGS` against this plane with its token. */
  weft(args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }>;
  json<T>(path: string): Promise<T>;
  /** Pushes a filter version through the HTTP API, so timings measure the plane rather than a CLI start. */
  push(name: string, version: string, bytes: Uint8Array, options?: { signature?: string; hold?: boolean }): Promise<{ status: number; body: string }>;
  /** SIGTERM and wait for the exit (SIGKILL after 20 s); for `t.after(plane.stop)`. */
  stop(): Promise<void>;
}

/** A plane that takes longer than this to answer the API fails the test rather than holding it. */
const REQUEST_TIMEOUT_MS = 30_000;

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `weft-${label}-`));
}

/** `weft plane` on 127.0.0.1 (port 0 unless `listen` is given), resolved once its ready line is out; the caller stops it. */
export async function startPlane(options: { dataDir?: string; store?: string; listen?: string; tokenFile?: string; args?: string[] } = {}): Promise<RunningPlane> {
  const dataDir = options.dataDir ?? tempDir('plane');
  const args = [WEFT_BIN, 'plane', '--listen', options.listen ?? '127.0.0.1:0', '--data-dir', dataDir];
  if (options.store) args.push('--store', options.store);
  if (options.tokenFile) args.push('--token-file', options.tokenFile);
  args.push(...options.args ?? []);
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  const { url } = await readyLine(proc, 'weft plane', 'weft plane ready', START_TIMEOUT_MS) as { url: string };
  const token = readFileSync(options.tokenFile ?? join(dataDir, 'token'), 'utf8').trim();
  return {
    proc, url, token, dataDir,
    stderr: () => stderr,
    weft: (a, env = {}) => runWeft(a, { WEFT_PLANE: url, WEFT_TOKEN: token, ...env }),
    async json<T>(path: string): Promise<T> {
      const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      return await res.json() as T;
    },
    async push(name, version, bytes, options = {}) {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (options.signature) headers['x-weft-signature'] = options.signature;
      const res = await fetch(`${url}/v1/filters/${name}/versions/${version}${options.hold ? '?hold=1' : ''}`, { method: 'PUT', headers, body: bytes, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      return { status: res.status, body: await res.text() };
    },
    async stop() {
      await stopChild(proc, 20_000);
    },
  };
}

/** A loopback port free a moment ago, for a process that must come back on the same address. */
export const freePort = closedPort;

export interface RunningEtcd {
  url: string;
  stop(): Promise<void>;
}

/** A throwaway single-member etcd (Debian's etcd-server) on loopback ports with its own data dir. */
export async function startEtcd(): Promise<RunningEtcd> {
  const dir = tempDir('etcd');
  const [client, peer] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${client}`;
  const proc = spawn('etcd', [
    '--data-dir', dir, '--name', 'weft-test',
    '--listen-client-urls', url, '--advertise-client-urls', url,
    '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
    '--initial-cluster', `weft-test=http://127.0.0.1:${peer}`, '--log-level', 'error',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  const spawned = new Promise<void>((resolve, reject) => {
    proc.once('error', (err) => reject(new Error(`cannot run etcd (apt-get install etcd-server): ${err.message}`)));
    proc.once('spawn', () => resolve());
  });
  await spawned;
  const stop = async () => {
    await stopChild(proc, 10_000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor('etcd to answer /health', async () => {
      if (proc.exitCode !== null) throw new Error(`etcd exited: ${stderr}`);
      return fetch(`${url}/health`).then((r) => r.ok || undefined, () => undefined);
    }, START_TIMEOUT_MS);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop };
}

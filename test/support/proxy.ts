// Starts the real `weft proxy` CLI for end-to-end tests (loopback, port 0), and runs other `weft` commands to completion, each within a bound.
import './file-guard.ts';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { spawnProxy, WEFT_BIN } from '../../core/proxy/spawn.ts';
import type { SpawnedProxy } from '../../core/proxy/spawn.ts';
import { writeConfig } from './config.ts';

export type RunningProxy = SpawnedProxy;

/** How long a weft child may take to start (or a command to finish) before the test fails: wide, for a machine twice as slow as ours under a parallel suite. */
export const START_TIMEOUT_MS = 60_000;

/**
 * Runs `weft ARGS` to completion and returns its exit code and output. A command still running after `timeoutMs`
 * is killed and the call rejects with its output so far, so a command that hangs fails its test instead of holding it.
 */
export async function runWeft(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = START_TIMEOUT_MS): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [WEFT_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => (stdout += d));
  proc.stderr.on('data', (d) => (stderr += d));
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; proc.kill('SIGKILL'); }, timeoutMs);
  const [code] = await once(proc, 'close').finally(() => clearTimeout(timer));
  if (timedOut) throw new Error(`weft ${args.join(' ')} was still running after ${timeoutMs} ms; killed. Its output:\n${stdout}${stderr}`);
  return { code: code as number | null, stdout, stderr };
}

/**
 * Starts `weft proxy` with the given flags, listening on 127.0.0.1:0 with admin on 127.0.0.1:0 unless given.
 * The caller stops it (`t.after(proxy.stop)`); one left running is killed, and named, when its test file ends.
 */
export function startProxy(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunningProxy> {
  const full = [...args];
  if (!args.includes('--listen') && !args.includes('--inbound') && !args.includes('--config')) full.push('--listen', '127.0.0.1:0');
  if (!args.includes('--admin')) full.push('--admin', '127.0.0.1:0');
  return spawnProxy(full, env, START_TIMEOUT_MS);
}

/** A one-worker proxy on 127.0.0.1:0 whose one route goes to `upstreamUrl`, with the config's `limits` (a YAML flow mapping). */
export function startLimitedProxy(upstreamUrl: string, limits: string): Promise<RunningProxy> {
  return startProxy(['--workers', '1', '--config', writeConfig([
    'listen: 127.0.0.1:0',
    `limits: ${limits}`,
    `clusters: [{ name: app, endpoints: ["${upstreamUrl}"] }]`,
    'routes: [{ cluster: app }]',
  ].join('\n'))]);
}

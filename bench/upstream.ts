// The upstream service every target sends to: static nginx when installed (cheapest), else a Node server.
import { fileURLToPath } from 'node:url';
import { startNginx } from './nginx.ts';
import { start, waitForOk, type Running } from './processes.ts';
import { hasCommand } from './tools.ts';

export type UpstreamKind = 'nginx' | 'node';

export function defaultUpstreamKind(): UpstreamKind {
  return hasCommand('nginx') ? 'nginx' : 'node';
}

/** Starts the upstream on 127.0.0.1:`port`, answering every GET with `bodyBytes` bytes. */
export async function startUpstream(kind: UpstreamKind, port: number, bodyBytes: number, workDir: string, cpu?: number): Promise<Running> {
  if (kind === 'nginx') return startNginx('upstream', port, { kind: 'static', body: Buffer.alloc(bodyBytes, 'x') }, workDir, cpu);
  const script = fileURLToPath(new URL('upstream-server.ts', import.meta.url));
  const child = start('upstream', process.execPath, [script, String(port), String(bodyBytes)], { cpu });
  await waitForOk(child, `http://127.0.0.1:${port}/`);
  return child;
}

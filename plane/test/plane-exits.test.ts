// `weft plane` on an address it cannot bind: it exits 1 with one line naming WEFT_ERR_LISTEN_FAILED, having opened and published nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { WEFT_BIN } from '../../core/proxy/spawn.ts';
import { tempDir } from './support.ts';

test('weft plane on a port in use exits 1 with WEFT_ERR_LISTEN_FAILED, its store never opened and nothing published', { timeout: 60_000 }, async (t) => {
  const holder = createServer();
  holder.listen(0, '127.0.0.1');
  await once(holder, 'listening');
  t.after(() => holder.close());
  const port = (holder.address() as { port: number }).port;
  const dataDir = join(tempDir('plane-busy'), 'state');
  const proc = spawn(process.execPath, [WEFT_BIN, 'plane', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Bounded: before the fix the process stayed alive with its store open.
  const killer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
  t.after(() => { clearTimeout(killer); if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL'); });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => (stdout += d));
  proc.stderr.on('data', (d) => (stderr += d));
  const [code, signal] = await once(proc, 'close') as [number | null, string | null];
  assert.equal(signal, null, `the plane had to be killed: it kept running after failing to bind\n${stderr}`);
  assert.equal(code, 1, stderr);
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, no log and no stack:\n${stderr}`);
  assert.match(lines[0], new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}.*EADDRINUSE.*\\(WEFT_ERR_LISTEN_FAILED\\)$`));
  assert.equal(stdout, '');
  assert.ok(!existsSync(join(dataDir, 'plane.db')), 'the SQLite store was never opened');
  assert.ok(!existsSync(dataDir) || !readdirSync(dataDir).includes('ca'), 'no CA root was made or published');
});

// A control client closed while a snapshot is being applied leaves nothing behind: the proxy stopped by SIGTERM mid-apply exits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLIENT = new URL('../core/control/client.ts', import.meta.url).href;

// A plane that streams one snapshot asking for per-version stats (as during a rollout), and a client whose
// apply is still running when close() is called; the process must then end by itself.
const CHILD = `
import http from 'node:http';
import { startControlClient } from ${JSON.stringify(CLIENT)};
const snapshot = { version: 'v1', createdAt: 0, clusters: [], routes: [], filters: [], statsIntervalMs: 50, trustBundle: [], policies: [] };
const plane = http.createServer((req, res) => {
  if (req.url.startsWith('/v1/watch')) return void res.writeHead(200).write(JSON.stringify({ type: 'snapshot', snapshot }) + '\\n');
  req.resume();
  req.on('end', () => res.end('{}'));
});
await new Promise((r) => plane.listen(0, '127.0.0.1', r));
let entered, release;
const applying = new Promise((r) => (entered = r));
const held = new Promise((r) => (release = r));
const client = await startControlClient({
  planes: ['http://127.0.0.1:' + plane.address().port], node: 'n1', dataDir: process.argv[1], token: 't',
  apply: async () => { entered(); await held; },
  stats: () => [],
});
await applying;
const closing = client.close();
release();
await closing;
plane.closeAllConnections();
plane.close();
console.log('closed');
`;

test('a control client closed during an apply lets the process exit (no stats timer scheduled after close)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-close-'));
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  // Generous: this waits for an exit that, with the bug, never comes.
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code, signal] = await once(child, 'exit');
  clearTimeout(timer);
  assert.match(output, /closed/, output);
  assert.equal(signal, null, `still running after close(), killed:\n${output}`);
  assert.equal(code, 0, output);
});

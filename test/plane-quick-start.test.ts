// The README's plane quick start as a user runs it, with a proxy data dir given as a relative path: the proxy ACKs and its filter serves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { readyLine, WEFT_BIN } from '../core/proxy/spawn.ts';
import { tempDir, waitFor } from '../plane/test/support.ts';
import type { StatusReport } from '../plane/status.ts';
import { buildFixture } from './support/filters.ts';
import { runWeft, startProxy } from './support/proxy.ts';
import { startUpstream } from './support/upstream.ts';

test('plane, token, filter push, apply, then a proxy with a relative --data-dir: it ACKs and the filter serves its requests', async (t) => {
  const home = tempDir('quick-start');
  // The plane's state goes where the user's state goes; nothing is said about it on the command line.
  const env = { XDG_STATE_HOME: join(home, 'state') };
  const app = await startUpstream();
  t.after(() => app.close());
  const module = await buildFixture('sdk/examples/add-header');

  const planeProc = spawn(process.execPath, [WEFT_BIN, 'plane', '--listen', '127.0.0.1:0'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  t.after(async () => {
    if (planeProc.exitCode !== null || planeProc.signalCode !== null) return;
    const exited = once(planeProc, 'exit');
    planeProc.kill('SIGTERM');
    await exited;
  });
  const { url } = await readyLine(planeProc, 'weft plane', 'weft plane ready', 20_000) as { url: string };

  const token = await runWeft(['plane', 'token'], env);
  assert.equal(token.code, 0, token.stderr);
  const client = { ...env, WEFT_PLANE: url, WEFT_TOKEN: token.stdout.trim() };
  const pushed = await runWeft(['filter', 'push', 'add-header', module, '--version', '1.0.0'], client);
  assert.equal(pushed.code, 0, pushed.stderr);
  const mesh = join(home, 'mesh.yaml');
  writeFileSync(mesh, `clusters:\n  - name: app\n    endpoints: [${app.url}]\nroutes:\n  - cluster: app\nfilters:\n  - name: add-header\n    config: { name: x-tenant, value: blue }\n`);
  const applied = await runWeft(['apply', '-f', mesh], client);
  assert.equal(applied.code, 0, applied.stderr);

  // As `.weft/edge-1` was by default: relative to where the proxy was started.
  const dataDir = relative(process.cwd(), join(home, 'edge-1'));
  assert.ok(!isAbsolute(dataDir));
  const proxy = await startProxy(['--plane', url, '--node', 'edge-1', '--token', client.WEFT_TOKEN, '--data-dir', dataDir, '--workers', '1']);
  t.after(() => proxy.stop());

  const node = await waitFor('edge-1 to ACK or NACK', async () => {
    const r = await runWeft(['status', '--json'], client);
    return (JSON.parse(r.stdout) as StatusReport).nodes.find((n) => n.node === 'edge-1');
  }, 20_000);
  assert.equal(node.last.ok, true, `NACK: ${node.last.error}`);
  assert.deepEqual(node.filters, [{ name: 'add-header', version: '1.0.0' }]);

  const res = await fetch(`${proxy.url}/orders`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-filtered-by'), 'add-header');
  assert.equal(app.seen.at(-1)?.headers['x-tenant'], 'blue');

  // The proxy reports what it served every 5 s; `weft top --once` then shows its route.
  const top = await waitFor('the request in weft top', async () => {
    const r = await runWeft(['top', '--once'], client);
    assert.equal(r.code, 0, r.stderr);
    return /\nedge-1 +inbound +route0 +add-header@1\.0\.0 +[\d.]+ +100\.00% +\S+ +\S+/.test(r.stdout) ? r : undefined;
  }, 20_000);
  assert.match(top.stdout, /^weft top \(every service\): the last 60s at /);
});

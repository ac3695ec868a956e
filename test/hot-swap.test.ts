// Hot swap: a changed config (filters, routes, clusters) is applied to every worker on SIGHUP with no request lost or half-swapped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { request, Agent } from 'undici';
import { startProxy } from './support/proxy.ts';
import { startUpstream } from './support/upstream.ts';
import { writeConfig } from './support/config.ts';
import { buildFixture, watFile } from './support/filters.ts';
import { waitFor } from './support/wait.ts';

function configText(addHeader: string, upstream: string, version: string, extra = ''): string {
  return `
listen: 127.0.0.1:0
workers: 2
filters:
  - { name: mark-a, module: ${addHeader}, config: { name: x-ver-a, value: "${version}" } }
  - { name: mark-b, module: ${addHeader}, config: { name: x-ver-b, value: "${version}" }${extra} }
clusters:
  - { name: app, endpoints: ["${upstream}"] }
routes:
  - { cluster: app }
`;
}

const refusals = (text: string) => (text.match(/config reload refused/g) ?? []).length;

test('20 alternating filter versions under load: zero failed requests, every response from one complete version', async (t) => {
  const up = await startUpstream((req, res) => {
    req.resume();
    res.end(JSON.stringify({ a: req.headers['x-ver-a'], b: req.headers['x-ver-b'] }));
  });
  t.after(up.close);
  const addHeader = await buildFixture('sdk/examples/add-header');
  const file = writeConfig(configText(addHeader, up.url, 'v0'));
  const proxy = await startProxy(['--config', file]);
  t.after(proxy.stop);
  const agent = new Agent({ connections: 16 });
  let stop = false;
  let failures = 0;
  let mixed = 0;
  const versions = new Set<string>();
  const load = async () => {
    while (!stop) {
      try {
        const r = await request(`${proxy.url}/x`, { dispatcher: agent });
        const { a, b } = (await r.body.json()) as { a: string; b: string };
        if (r.statusCode !== 200) failures++;
        if (a !== b) mixed++;
        versions.add(a);
      } catch {
        failures++;
      }
    }
  };
  const clients = Array.from({ length: 8 }, load);
  try {
    for (let i = 1; i <= 20; i++) {
      const version = `v${i % 2 === 0 ? 'even' : 'odd'}-${i}`;
      writeFileSync(file, configText(addHeader, up.url, version));
      proxy.proc.kill('SIGHUP');
      await waitFor(() => `version ${version} serving`, async () => {
        const r = await request(`${proxy.url}/probe`, { dispatcher: agent });
        return ((await r.body.json()) as { a: string }).a === version;
      });
    }
  } finally {
    stop = true;
    await Promise.all(clients);
    await agent.close();
  }
  const cfg = (await (await request(`${proxy.admin}/config`)).body.json()) as { version: string; filters: { name: string; sha256: string }[] };
  assert.equal(failures, 0, 'no request failed during the swaps');
  assert.equal(mixed, 0, 'no response saw two versions');
  assert.ok(versions.size >= 15, `traffic saw most versions (${versions.size})`);
  assert.equal(cfg.version, 'reload-20');
  assert.match(cfg.filters[0].sha256, /^[0-9a-f]{64}$/);
});

test('a reload whose filter fails to configure is refused with the reason, and the old config keeps serving', async (t) => {
  const up = await startUpstream((req, res) => {
    req.resume();
    res.end(String(req.headers['x-ver-a']));
  });
  t.after(up.close);
  const addHeader = await buildFixture('sdk/examples/add-header');
  const file = writeConfig(configText(addHeader, up.url, 'good'));
  const proxy = await startProxy(['--config', file]);
  t.after(proxy.stop);
  // add-header refuses a config without a name.
  writeFileSync(file, configText(addHeader, up.url, 'bad').replace('{ name: x-ver-a, value: "bad" }', '{ value: "bad" }'));
  proxy.proc.kill('SIGHUP');
  await waitFor(() => `one refusal in the log:\n${proxy.stderr()}`, () => refusals(proxy.stderr()) === 1);
  assert.match(proxy.stderr(), /filter mark-a.*on_configure returned false/);
  const r = await request(`${proxy.url}/x`);
  assert.equal(await r.body.text(), 'good');
  const before = refusals(proxy.stderr());
  writeFileSync(file, 'routes: [');
  proxy.proc.kill('SIGHUP');
  await waitFor(() => `a refusal of the unparsable file in the log:\n${proxy.stderr()}`, () => refusals(proxy.stderr()) > before);
  const again = await request(`${proxy.url}/x`);
  assert.equal(await again.body.text(), 'good');
});

/** Counts the requests its VM has seen and tells the upstream (x-seen: the count's last digit): VM state made visible. */
function countingFilter(): Promise<string> {
  return watFile('counting', `(module
    (import "env" "proxy_add_header_map_value" (func $add (param i32 i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 1)
    (global $seen (mut i32) (i32.const 0))
    (data (i32.const 0) "x-seen")
    (func (export "proxy_abi_version_0_2_1"))
    (func (export "malloc") (param i32) (result i32) (i32.const 1024))
    (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
      (global.set $seen (i32.add (global.get $seen) (i32.const 1)))
      (i32.store8 (i32.const 16) (i32.add (i32.const 48) (i32.rem_u (global.get $seen) (i32.const 10))))
      (drop (call $add (i32.const 0) (i32.const 0) (i32.const 6) (i32.const 16) (i32.const 1)))
      (i32.const 0)))`);
}

test('a reload that changes no filter keeps the running filter instances (and their state); a changed filter config starts new ones', async (t) => {
  const up = await startUpstream((req, res) => {
    req.resume();
    res.end(String(req.headers['x-seen']));
  });
  t.after(up.close);
  const other = await startUpstream((req, res) => {
    req.resume();
    res.end(`other ${String(req.headers['x-seen'])}`);
  });
  t.after(other.close);
  const counting = await countingFilter();
  const text = (upstream: string, config: string) => `listen: 127.0.0.1:0
workers: 1
filters:
  - { name: count, module: ${counting}, config: "${config}" }
clusters:
  - { name: app, endpoints: ["${upstream}"] }
routes:
  - { cluster: app }
`;
  const file = writeConfig(text(up.url, 'a'));
  const proxy = await startProxy(['--config', file]);
  t.after(proxy.stop);
  const get = async () => (await (await request(`${proxy.url}/`)).body.text());
  assert.deepEqual([await get(), await get(), await get()], ['1', '2', '3']);
  // Only the endpoints change (what a registry update does to a sidecar): the same instance keeps counting.
  const reloaded = (n: number) => waitFor(() => `reload ${n} in the log:\n${proxy.stderr()}`, () => proxy.stderr().split('"config reloaded"').length - 1 === n);
  writeFileSync(file, text(other.url, 'a'));
  proxy.proc.kill('SIGHUP');
  await reloaded(1);
  assert.equal(await get(), 'other 4', 'the filter was started again for a config whose filters did not change');
  writeFileSync(file, text(other.url, 'b'));
  proxy.proc.kill('SIGHUP');
  await reloaded(2);
  assert.equal(await get(), 'other 1', 'a changed filter config runs in fresh instances');
});

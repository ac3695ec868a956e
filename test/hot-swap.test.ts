// Hot swap: a changed config (filters, routes, clusters) is applied to every worker on SIGHUP with no request lost or half-swapped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { request, Agent } from 'undici';
import { startProxy } from './support/proxy.ts';
import { startUpstream } from './support/upstream.ts';
import { writeConfig } from './support/config.ts';
import { buildFixture } from './support/filters.ts';

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

/** `what` is read when the wait fails, so it can show the proxy's log as it was then. */
async function waitFor(check: () => Promise<boolean>, what: () => string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`not met in ${ms} ms: ${what()}`);
}

const refusals = (text: string) => (text.match(/config reload refused/g) ?? []).length;

test('20 alternating filter versions under load: zero failed requests, every response from one complete version', async () => {
  const up = await startUpstream((req, res) => {
    req.resume();
    res.end(JSON.stringify({ a: req.headers['x-ver-a'], b: req.headers['x-ver-b'] }));
  });
  const addHeader = await buildFixture('sdk/examples/add-header');
  const file = writeConfig(configText(addHeader, up.url, 'v0'));
  const proxy = await startProxy(['--config', file]);
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
      await waitFor(async () => {
        const r = await request(`${proxy.url}/probe`, { dispatcher: agent });
        return ((await r.body.json()) as { a: string }).a === version;
      }, () => `version ${version} serving`);
    }
  } finally {
    stop = true;
    await Promise.all(clients);
    await agent.close();
  }
  const cfg = (await (await request(`${proxy.admin}/config`)).body.json()) as { version: string; filters: { name: string; sha256: string }[] };
  await proxy.stop();
  await up.close();
  assert.equal(failures, 0, 'no request failed during the swaps');
  assert.equal(mixed, 0, 'no response saw two versions');
  assert.ok(versions.size >= 15, `traffic saw most versions (${versions.size})`);
  assert.equal(cfg.version, 'reload-20');
  assert.match(cfg.filters[0].sha256, /^[0-9a-f]{64}$/);
});

test('a reload whose filter fails to configure is refused with the reason, and the old config keeps serving', async () => {
  const up = await startUpstream((req, res) => {
    req.resume();
    res.end(String(req.headers['x-ver-a']));
  });
  const addHeader = await buildFixture('sdk/examples/add-header');
  const file = writeConfig(configText(addHeader, up.url, 'good'));
  const proxy = await startProxy(['--config', file]);
  try {
    // add-header refuses a config without a name.
    writeFileSync(file, configText(addHeader, up.url, 'bad').replace('{ name: x-ver-a, value: "bad" }', '{ value: "bad" }'));
    proxy.proc.kill('SIGHUP');
    await waitFor(async () => refusals(proxy.stderr()) === 1, () => `one refusal in the log:\n${proxy.stderr()}`);
    assert.match(proxy.stderr(), /filter mark-a.*on_configure returned false/);
    const r = await request(`${proxy.url}/x`);
    assert.equal(await r.body.text(), 'good');
    const before = refusals(proxy.stderr());
    writeFileSync(file, 'routes: [');
    proxy.proc.kill('SIGHUP');
    await waitFor(async () => refusals(proxy.stderr()) > before, () => `a refusal of the unparsable file in the log:\n${proxy.stderr()}`);
    const again = await request(`${proxy.url}/x`);
    assert.equal(await again.body.text(), 'good');
  } finally {
    await proxy.stop();
    await up.close();
  }
});

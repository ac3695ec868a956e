// End to end through the CLI: config files, flags with env twins, routing by match, and clear exits on bad setups.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { request } from 'undici';
import { startProxy, runWeft, START_TIMEOUT_MS } from './support/proxy.ts';
import { spawnProxy } from '../core/proxy/spawn.ts';
import { startUpstream } from './support/upstream.ts';
import type { Upstream } from './support/upstream.ts';
import { writeConfig } from './support/config.ts';

const upstreams: Upstream[] = [];
after(async () => {
  await Promise.all(upstreams.map((u) => u.close()));
});
async function upstream(): Promise<Upstream> {
  const u = await startUpstream();
  upstreams.push(u);
  return u;
}

test('--help lists every flag with its env twin and default', async () => {
  const { code, stdout } = await runWeft(['proxy', '--help']);
  assert.equal(code, 0);
  for (const flag of ['--listen', '--upstream', '--config', '--workers', '--admin', '--log-level', '--access-log', '--drain-timeout']) {
    assert.ok(stdout.includes(flag), `${flag} in help`);
    assert.ok(stdout.includes(`WEFT_${flag.slice(2).toUpperCase().replace(/-/g, '_')}`), `${flag}'s env twin in help`);
  }
  assert.match(stdout, /default: 127\.0\.0\.1:9901/);
});

test('routes match by prefix, method and header, first match wins, and round robin spreads over endpoints', async () => {
  const [a1, a2, canary, admin] = [await upstream(), await upstream(), await upstream(), await upstream()];
  const config = writeConfig(`
listen: 127.0.0.1:0
workers: 2
clusters:
  - name: app
    endpoints: ["${a1.url}", "${a2.url}"]
    lb: round_robin
  - { name: canary, endpoints: ["${canary.url}"] }
  - { name: admin, endpoints: ["${admin.url}"], lb: least_request }
routes:
  - match: { prefix: /api, method: GET, headers: { x-canary: "true" } }
    cluster: canary
  - match: { path: /admin }
    cluster: admin
  - match: { prefix: /api }
    cluster: app
    timeout: 5s
`);
  const proxy = await startProxy(['--config', config, '--workers', '1']);
  try {
    const port = async (path: string, headers: Record<string, string> = {}, method = 'GET') => {
      const r = await request(`${proxy.url}${path}`, { headers, method: method as 'GET' });
      if (r.statusCode !== 200) {
        await r.body.text();
        return r.statusCode;
      }
      return ((await r.body.json()) as { port: number }).port;
    };
    assert.equal(await port('/api/x', { 'x-canary': 'true' }), canary.port);
    assert.notEqual(await port('/api/x', { 'x-canary': 'true' }, 'POST'), canary.port, 'method must match too');
    assert.equal(await port('/admin?q=1'), admin.port, 'exact path ignores the query');
    assert.equal(await port('/admin/more'), 404);
    const seen = new Set<number>();
    for (let i = 0; i < 4; i++) seen.add(await port('/api/rr') as number);
    assert.deepEqual([...seen].sort(), [a1.port, a2.port].sort());
    assert.equal(await port('/other'), 404);
    const cfg = (await (await request(`${proxy.admin}/config`)).body.json()) as { workers: number; routes: unknown[] };
    assert.equal(cfg.workers, 1, 'the --workers flag overrides the file');
    assert.equal(cfg.routes.length, 3);
  } finally {
    await proxy.stop();
  }
});

test('env twins configure the proxy and flags override them', async () => {
  const u = await upstream();
  const proxy = await startProxy(['--workers', '1'], { WEFT_UPSTREAM: u.url, WEFT_WORKERS: '3' });
  try {
    const cfg = (await (await request(`${proxy.admin}/config`)).body.json()) as { workers: number };
    assert.equal(cfg.workers, 1);
    const r = await request(`${proxy.url}/via-env`);
    assert.equal(r.statusCode, 200);
    await r.body.text();
  } finally {
    await proxy.stop();
  }
});

test('an invalid config file exits 2 naming the path of the error', async () => {
  const config = writeConfig(`
listen: 127.0.0.1:0
clusters:
  - { name: payment, endpoints: ["http://127.0.0.1:1"] }
routes:
  - { cluster: payment }
  - { cluster: paymnt, timeout: 5 seconds }
`);
  const { code, stderr } = await runWeft(['proxy', '--config', config]);
  assert.equal(code, 2);
  assert.match(stderr, /routes\[1\]\.timeout: must be a duration/);
  const again = writeConfig('listen: 127.0.0.1:0\nclusters:\n  - { name: payment, endpoints: ["http://127.0.0.1:1"] }\nroutes:\n  - { cluster: paymnt }\n');
  const r2 = await runWeft(['proxy', '--config', again]);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /routes\[0\]\.cluster: unknown cluster "paymnt"/);
});

test('a config file that is not YAML or JSON exits 2 with the parse error', async () => {
  const config = writeConfig('listen: [unclosed\n');
  const { code, stderr } = await runWeft(['proxy', '--config', config]);
  assert.equal(code, 2);
  assert.match(stderr, /invalid config .*weft\.yaml/);
});

test('bad flags exit 2 with a usage message', async () => {
  const r1 = await runWeft(['proxy', '--listen', 'nowhere', '--upstream', 'http://127.0.0.1:1']);
  assert.equal(r1.code, 2);
  assert.match(r1.stderr, /--listen: expected HOST:PORT/);
  const r2 = await runWeft(['proxy', '--bogus']);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /bogus/);
  const r3 = await runWeft(['proxy', '--listen', '127.0.0.1:0']);
  assert.equal(r3.code, 2);
  assert.match(r3.stderr, /give --upstream URL, --config FILE with routes and clusters, or --plane URL/);
});

test('a listen port in use exits 1 with a clear message', async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const r = await runWeft(['proxy', '--listen', `127.0.0.1:${port}`, '--upstream', 'http://127.0.0.1:1', '--admin', '127.0.0.1:0', '--workers', '1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE.*WEFT_ERR_LISTEN_FAILED`));
    const r2 = await runWeft(['proxy', '--listen', '127.0.0.1:0', '--upstream', 'http://127.0.0.1:1', '--admin', `127.0.0.1:${port}`, '--workers', '1']);
    assert.equal(r2.code, 1);
    assert.match(r2.stderr, /cannot listen on admin 127\.0\.0\.1:\d+: .*EADDRINUSE/);
  } finally {
    blocker.close();
  }
});

test('`weft schema` prints the JSON Schema the config is validated with', async () => {
  const { code, stdout } = await runWeft(['schema']);
  assert.equal(code, 0);
  const schema = JSON.parse(stdout) as { properties: Record<string, unknown> };
  assert.ok(schema.properties.routes && schema.properties.clusters && schema.properties.listen);
});

test('admin: off in a config file turns the admin server off', async () => {
  const u = await upstream();
  const config = writeConfig(`listen: 127.0.0.1:0\nadmin: "off"\nworkers: 1\nclusters:\n  - { name: app, endpoints: ["${u.url}"] }\nroutes:\n  - { cluster: app }\n`);
  const proxy = await spawnProxy(['--config', config], {}, START_TIMEOUT_MS);
  try {
    assert.equal(proxy.admin, '', 'the ready line says admin off');
    const r = await request(`${proxy.url}/x`);
    assert.equal(r.statusCode, 200);
    await r.body.text();
  } finally {
    await proxy.stop();
  }
});

// Opaque TCP across the mesh: redis-server behind one sidecar, redis-cli and redis-benchmark through another's bound port, over HTTP/2 CONNECT in mTLS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { freePort, startPlane, tempDir, waitFor } from '../plane/test/support.ts';
import type { RunningPlane } from '../plane/test/support.ts';
import { joinToken } from './support/identity.ts';
import { startProxy } from './support/proxy.ts';
import type { RunningProxy } from './support/proxy.ts';
import { startUpstream } from './support/upstream.ts';

const DOMAIN = 'mesh.test';
const id = (service: string) => `spiffe://${DOMAIN}/ns/default/sa/${service}`;

/** A real redis-server on loopback, nothing persisted. */
async function startRedis(): Promise<{ port: number; proc: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], { stdio: 'ignore' });
  const stop = () => new Promise<void>((resolve) => {
    if (proc.exitCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });
  await waitFor('redis-server to answer', async () => ((await redisCli(port, ['PING'])).stdout.trim() === 'PONG' ? true : undefined), 10_000);
  return { port, proc, stop };
}

/** redis-cli against a port; `input` goes to its stdin. Never rejects: the test reads the code and output. */
function redisCli(port: number, args: string[], input?: string | Buffer): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { maxBuffer: 64 << 20, timeout: 60_000, encoding: 'buffer' }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout: stdout.toString('latin1'), stderr: stderr.toString() });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

async function sidecar(plane: RunningPlane, service: string, app: string, extra: string[]): Promise<RunningProxy> {
  return startProxy(['--plane', plane.url, '--token', plane.token, '--node', `${service}-1`, '--data-dir', tempDir(`tcp-${service}`),
    '--join-token', await joinToken(plane, service), '--service', service, '--inbound', '127.0.0.1:0', '--app', app,
    '--workers', '1', ...extra]);
}

/** A metric's value summed over the series whose labels include every `labels` pair. */
async function metric(proxy: RunningProxy, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await request(`${proxy.admin}/metrics`)).body.text();
  return text.split('\n')
    .filter((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

/** Runs `weft apply -f` on a YAML document through the real CLI. */
async function apply(plane: RunningPlane, yaml: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = join(tempDir('tcp-apply'), 'doc.yaml');
  writeFileSync(file, yaml);
  return plane.weft(['apply', '-f', file]);
}

test('redis through two sidecars: bytes tunnelled over HTTP/2 CONNECT in mTLS, policy by principal, metrics and access log', async (t) => {
  const plane = await startPlane({ args: ['--trust-domain', DOMAIN] });
  t.after(() => plane.stop());
  const redis = await startRedis();
  t.after(() => redis.stop());
  const web = await startUpstream((_req, res) => res.end('web'));
  t.after(() => web.close());
  const accessLog = join(tempDir('tcp-log'), 'access.log');
  const callerLog = join(tempDir('tcp-log'), 'caller.log');
  const bind = await freePort();
  const dbCar = await sidecar(plane, 'db', `127.0.0.1:${redis.port}`, ['--app-protocol', 'tcp', '--access-log', accessLog]);
  const webCar = await sidecar(plane, 'web', web.url.replace('http://', ''), ['--bind', `db=127.0.0.1:${bind}`, '--access-log', callerLog]);
  t.after(() => Promise.all([dbCar.stop(), webCar.stop()]));

  await waitFor('PONG through the mesh', async () => ((await redisCli(bind, ['PING'])).stdout.trim() === 'PONG' ? true : undefined), 20_000);

  await t.test('SET and GET cross the mesh', async () => {
    assert.equal((await redisCli(bind, ['SET', 'greeting', 'hello mesh'])).stdout.trim(), 'OK');
    assert.equal((await redisCli(bind, ['GET', 'greeting'])).stdout.trim(), 'hello mesh');
    // The value is really in the redis behind the other sidecar.
    assert.equal((await redisCli(redis.port, ['GET', 'greeting'])).stdout.trim(), 'hello mesh');
  });

  await t.test('a pipelined stream of 10,000 commands gets every reply', async () => {
    const commands = Array.from({ length: 10_000 }, (_, i) => `SET key:${i} value-${i}\r\n`).join('');
    const r = await redisCli(bind, ['--pipe'], commands);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /errors: 0, replies: 10000/);
    assert.equal((await redisCli(bind, ['GET', 'key:9999'])).stdout.trim(), 'value-9999');
  });

  await t.test('a 10 MB value goes up and comes back whole', async () => {
    const value = randomBytes(5 * 1024 * 1024).toString('hex');
    assert.equal((await redisCli(bind, ['-x', 'SET', 'big'], value)).stdout.trim(), 'OK');
    assert.equal((await redisCli(bind, ['STRLEN', 'big'])).stdout.trim(), String(10 * 1024 * 1024));
    const back = await redisCli(bind, ['--raw', 'GET', 'big']);
    const digest = (s: string) => createHash('sha256').update(s).digest('hex');
    assert.equal(digest(back.stdout.replace(/\n$/, '')), digest(value));
  });

  await t.test('a client that half-closes after its command still gets the reply', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: bind, allowHalfOpen: true });
      let text = '';
      socket.setEncoding('latin1');
      socket.on('data', (d: string) => { text += d; });
      socket.once('error', reject);
      socket.once('connect', () => socket.end('*2\r\n$3\r\nGET\r\n$8\r\ngreeting\r\n'));
      socket.once('end', () => resolve(text));
    });
    assert.equal(reply, '$10\r\nhello mesh\r\n');
  });

  await t.test('redis-benchmark through the mesh: a short bounded run completes', async () => {
    const r = await new Promise<string>((resolve, reject) => {
      execFile('redis-benchmark', ['-h', '127.0.0.1', '-p', String(bind), '-n', '2000', '-c', '8', '-t', 'set,get', '-q'], { timeout: 60_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
    });
    assert.match(r, /SET: [\d.]+ requests per second/);
    assert.match(r, /GET: [\d.]+ requests per second/);
  });

  await t.test('both sidecars count the connections and the bytes; the server side logs each with the caller\'s SPIFFE ID', async () => {
    assert.ok(await metric(webCar, 'weft_tcp_connections_total', { service: 'db', side: 'outbound', result: 'ok' }) >= 8);
    assert.ok(await metric(dbCar, 'weft_tcp_connections_total', { service: 'db', side: 'inbound', result: 'ok' }) >= 8);
    assert.ok(await metric(webCar, 'weft_tcp_bytes_total', { service: 'db', direction: 'upstream' }) > 10 * 1024 * 1024);
    assert.ok(await metric(dbCar, 'weft_tcp_bytes_total', { service: 'db', direction: 'downstream' }) > 10 * 1024 * 1024);
    assert.ok(await metric(dbCar, 'weft_tcp_connection_duration_seconds_count', { service: 'db', side: 'inbound' }) >= 8);
    const lines = await waitFor('access-log lines for the connections', () => {
      const found = readFileSync(accessLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      return found.some((l) => l.bytesIn as number > 10 * 1024 * 1024) ? found : undefined;
    });
    const big = lines.find((l) => (l.bytesIn as number) > 10 * 1024 * 1024)!;
    assert.equal(big.protocol, 'tcp');
    assert.equal(big.peer, id('web'));
    assert.equal(big.upstream, `127.0.0.1:${redis.port}`);
    assert.equal(typeof big.durationMs, 'number');
  });

  await t.test('a mesh config declares the service TCP with an idle timeout: a quiet connection is closed by the proxy', async () => {
    const r = await apply(plane, 'clusters:\n  - { name: db, service: db, protocol: tcp, idleTimeout: 2s }\n');
    assert.equal(r.code, 0, r.stderr);
    // Each try is a connection that answers PING and then sends nothing; the proxy must be the one that closes it.
    const quietClosed = () => new Promise<boolean>((done) => {
      const socket = connect({ host: '127.0.0.1', port: bind });
      let pong = false;
      const give = setTimeout(() => { socket.destroy(); done(false); }, 10_000);
      socket.on('data', (d) => { pong ||= d.toString().includes('+PONG'); });
      socket.once('error', () => undefined);
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('close', () => { clearTimeout(give); done(pong); });
    });
    await waitFor('a quiet connection closed by the idle timeout', async () => ((await quietClosed()) ? true : undefined), 60_000);
    const idle = await waitFor('the caller\'s access-log line of the idle connection', () => readFileSync(callerLog, 'utf8').split('\n').filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.end === 'idle'));
    assert.equal(idle.side, 'outbound');
    assert.equal(idle.service, 'db');
    assert.equal(idle.bytesOut, 7, 'the caller got its +PONG before the close');
  });

  await t.test('a policy rule that needs HTTP fields is refused for the TCP service, with its path', async () => {
    const r = await apply(plane, `kind: AuthorizationPolicy\nservice: db\ndefault: allow\nrules:\n  - name: no-admin\n    action: deny\n    to: { paths: [/admin] }\n`);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /rules\[0\]\.to: the service is TCP/);
  });

  await t.test('an HTTP route naming a TCP cluster is refused, with its path', async () => {
    const r = await apply(plane, 'clusters:\n  - { name: db, service: db, protocol: tcp }\nroutes:\n  - { cluster: db }\n');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /routes\[0\]\.cluster: cluster "db" is protocol: tcp/);
  });

  await t.test('a deny policy by principal refuses the caller\'s connections', async () => {
    const r = await apply(plane, `kind: AuthorizationPolicy\nservice: db\ndefault: allow\nrules:\n  - name: no-web\n    action: deny\n    from: { principals: [${id('web')}] }\n`);
    assert.equal(r.code, 0, r.stderr);
    const refused = await waitFor('the connection refused', async () => {
      const x = await redisCli(bind, ['PING']);
      return x.stdout.trim() === 'PONG' ? undefined : x;
    }, 10_000);
    assert.notEqual(refused.stdout.trim(), 'PONG');
    assert.ok(await metric(dbCar, 'weft_authz_decisions_total', { service: 'db', decision: 'deny', rule: 'no-web' }) >= 1);
    assert.ok(await metric(webCar, 'weft_tcp_connections_total', { service: 'db', side: 'outbound', result: 'WEFT_ERR_AUTHZ_DENIED' }) >= 1);
    assert.equal((await redisCli(redis.port, ['PING'])).stdout.trim(), 'PONG', 'redis itself is fine');
  });

  await t.test('an app that is down: the caller\'s connection is reset and counted, the proxies keep serving', async () => {
    const r = await apply(plane, 'kind: AuthorizationPolicy\nservice: db\ndefault: allow\n');
    assert.equal(r.code, 0, r.stderr);
    await waitFor('PONG again once the deny is lifted', async () => ((await redisCli(bind, ['PING'])).stdout.trim() === 'PONG' ? true : undefined), 10_000);
    await redis.stop();
    const failed = await redisCli(bind, ['PING']);
    assert.notEqual(failed.stdout.trim(), 'PONG');
    assert.ok(await metric(dbCar, 'weft_tcp_connections_total', { service: 'db', side: 'inbound', result: 'WEFT_ERR_UPSTREAM_CONNECT' }) >= 1);
    assert.ok(await metric(webCar, 'weft_tcp_connections_total', { service: 'db', side: 'outbound', result: 'WEFT_ERR_UPSTREAM_CONNECT' }) >= 1);
    assert.equal((await request(`${webCar.admin}/ready`)).statusCode, 200);
  });
});

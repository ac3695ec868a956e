// Three services with their sidecars and the plane on loopback: frontend → orders → payments over mTLS, identities checked both ways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import { connect } from 'node:tls';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PeerCertificate } from 'node:tls';
import { Agent, request } from 'undici';
import { freePort, startPlane, tempDir, waitFor } from '../plane/test/support.ts';
import type { RunningPlane } from '../plane/test/support.ts';
import { joinToken } from './support/identity.ts';
import { peerSpiffeId } from '../core/identity/spiffe.ts';
import { startProxy } from './support/proxy.ts';
import { fileURLToPath } from 'node:url';
import { IdentityManager } from '../core/identity/manager.ts';
import { clientOptions } from '../core/identity/tls.ts';
import type { RunningProxy } from './support/proxy.ts';
import { startUpstream } from './support/upstream.ts';
import type { Upstream } from './support/upstream.ts';
import { WAIT_MS } from './support/wait.ts';

const DOMAIN = 'mesh.test';
const id = (service: string) => `spiffe://${DOMAIN}/ns/default/sa/${service}`;

/** GET through a local plain-HTTP port (a sidecar's outbound or bound port), with Host naming the service. */
async function get(port: number, path: string, host: string, agent?: Agent): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  const res = await request(`http://127.0.0.1:${port}${path}`, { headers: { host }, dispatcher: agent, headersTimeout: WAIT_MS, bodyTimeout: WAIT_MS });
  return { status: res.statusCode, body: await res.body.text(), headers: res.headers as http.IncomingHttpHeaders };
}

/** An app that answers who called it (the sidecar's x-forwarded-client-cert) and, for `next`, what the next service said. */
function app(name: string, next?: { port: () => number; host: string }): Promise<Upstream> {
  return startUpstream((req, res) => {
    const caller = String(req.headers['x-forwarded-client-cert'] ?? 'none');
    if (!next) return void res.end(JSON.stringify({ [name]: caller }));
    get(next.port(), req.url!, next.host).then(
      (r) => {
        res.statusCode = r.status;
        // Passed on so the edge can tell which sidecar refused (the apps add nothing of their own).
        if (r.headers['x-weft-error']) res.setHeader('x-weft-error', r.headers['x-weft-error']);
        res.end(r.status === 200 ? JSON.stringify({ [name]: caller, ...JSON.parse(r.body) }) : r.body);
      },
      (err: Error) => { res.statusCode = 502; res.end(err.message); },
    );
  });
}

async function sidecar(plane: RunningPlane, service: string, appUrl: string, extra: string[]): Promise<RunningProxy> {
  return startProxy(['--plane', plane.url, '--token', plane.token, '--node', `${service}-1`, '--data-dir', tempDir(`mesh-${service}`),
    '--join-token', await joinToken(plane, service), '--service', service, '--inbound', '127.0.0.1:0', '--app', appUrl.replace('http://', ''),
    '--workers', '2', ...extra]);
}

/** The certificate a sidecar's inbound listener presents, read from a handshake as `client` (a plain TLS connect). */
function serverCert(port: number, options: { key?: string; cert?: string; ca: string[] }): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ...options, checkServerIdentity: () => undefined, minVersion: 'TLSv1.3' });
    socket.once('secureConnect', () => { resolve(socket.getPeerCertificate()); socket.destroy(); });
    socket.once('error', (err) => { socket.destroy(); reject(err); });
  });
}

test('a mesh of three sidecars: mTLS with checked SPIFFE IDs, refusals, renewal under load', async (t) => {
  // 12 s certificates renew every 6 s or so (at half their life), so the renewal subtest sees one; each still has 6 s to spare.
  const plane = await startPlane({ args: ['--trust-domain', DOMAIN, '--cert-ttl', '12s'] });
  t.after(plane.stop);
  const ordersBind = await freePort();
  let paymentsOut = 0;
  const payments = await app('payments');
  const orders = await app('orders', { port: () => paymentsOut, host: 'payments' });
  const frontend = await app('frontend', { port: () => ordersBind, host: 'orders' });
  t.after(() => Promise.all([payments.close(), orders.close(), frontend.close()]));

  const paymentsCar = await sidecar(plane, 'payments', payments.url, []);
  t.after(paymentsCar.stop);
  const ordersCar = await sidecar(plane, 'orders', orders.url, ['--outbound', '127.0.0.1:0']);
  t.after(ordersCar.stop);
  const frontendCar = await sidecar(plane, 'frontend', frontend.url, ['--bind', `orders=127.0.0.1:${ordersBind}`, '--permissive']);
  t.after(frontendCar.stop);
  paymentsOut = Number(String(ordersCar.ready.outbound).split(':').pop());
  assert.equal(frontendCar.ready['bind:orders'], `127.0.0.1:${ordersBind}`);

  const bundle = await waitFor('the trust bundle', async () => (await plane.json<{ bundle: string[] }>('/v1/trust-bundle')).bundle);
  const call = () => get(frontendCar.port, '/checkout', 'frontend');
  const first = await waitFor('a call through all three services', async () => {
    const r = await call().catch(() => undefined);
    return r?.status === 200 ? r : undefined;
  });

  await t.test('each hop is mTLS and each app learns the caller\'s SPIFFE ID from the peer certificate', () => {
    assert.deepEqual(JSON.parse(first.body), {
      frontend: 'none', // the edge caller came in plain text through the permissive listener
      orders: `By=${id('orders')};URI=${id('frontend')}`,
      payments: `By=${id('payments')};URI=${id('orders')}`,
    });
  });

  await t.test('each inbound listener presents its own service\'s SPIFFE ID', async () => {
    for (const [car, service] of [[paymentsCar, 'payments'], [ordersCar, 'orders'], [frontendCar, 'frontend']] as const) {
      assert.equal(peerSpiffeId(await serverCert(car.port, { ca: bundle })), id(service));
    }
  });

  let firstNotAfter = 0;
  const statusNotAfter = async () => {
    const report = JSON.parse((await plane.weft(['status', '--json'])).stdout) as { nodes: { node: string; identity?: { notAfter: number } }[] };
    return report.nodes.find((n) => n.node === 'payments-1')?.identity?.notAfter ?? 0;
  };
  await t.test('weft status shows each sidecar\'s SPIFFE ID and when its certificate expires', async () => {
    const nodes = await waitFor('three sidecars reporting an identity', async () => {
      const r = await plane.weft(['status', '--json']);
      const report = JSON.parse(r.stdout) as { nodes: { node: string; identity?: { spiffeId: string; notAfter: number } }[] };
      return report.nodes.filter((n) => n.identity).length === 3 ? report.nodes : undefined;
    });
    for (const service of ['frontend', 'orders', 'payments']) {
      const n = nodes.find((x) => x.node === `${service}-1`)!;
      if (service === 'payments') firstNotAfter = n.identity!.notAfter;
      assert.equal(n.identity!.spiffeId, id(service));
      assert.ok(n.identity!.notAfter > Date.now(), 'the reported certificate is current');
    }
    const text = await plane.weft(['status']);
    assert.match(text.stdout, /IDENTITY +CERT EXPIRES/);
    assert.match(text.stdout, /spiffe:\/\/mesh\.test\/ns\/default\/sa\/payments +in \d+s/);
  });

  await t.test('a client without a certificate is refused at the handshake and counted', async (t) => {
    const before = payments.seen.length;
    const socket = connect({ host: '127.0.0.1', port: paymentsCar.port, ca: bundle, checkServerIdentity: () => undefined, minVersion: 'TLSv1.3' });
    t.after(() => socket.destroy());
    const err = await new Promise<Error>((resolve) => {
      socket.on('secureConnect', () => socket.write('GET / HTTP/1.1\r\nhost: payments\r\n\r\n'));
      socket.on('data', () => resolve(new Error('answered a client without a certificate')));
      socket.on('error', resolve);
    });
    assert.match(err.message, /certificate required|alert number 116/i);
    assert.equal(payments.seen.length, before);
    const metrics = await (await request(`${paymentsCar.admin}/metrics`)).body.text();
    assert.match(metrics, /weft_downstream_rejected_total\{reason="WEFT_ERR_TLS_HANDSHAKE_FAILED"[^}]*\} [1-9]/);
  });

  await t.test('plain text on a strict inbound listener reaches no app', async () => {
    const before = payments.seen.length;
    const r = await get(paymentsCar.port, '/', 'payments').catch((err: Error) => err);
    assert.ok(r instanceof Error, 'a plain-text request got an answer');
    assert.equal(payments.seen.length, before);
  });

  await t.test('a caller\'s sidecar refuses an endpoint whose certificate names another service', async () => {
    // "ledger" registered by hand at the payments sidecar: its certificate says payments, so no ledger call may land there.
    const res = await request(`${plane.url}/v1/services/ledger/instances`, {
      method: 'PUT', headers: { authorization: `Bearer ${plane.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ endpoint: `http://127.0.0.1:${paymentsCar.port}`, identity: id('ledger') }),
    });
    assert.equal(res.statusCode < 300, true, await res.body.text());
    const before = payments.seen.length;
    const r = await waitFor('the ledger route', async () => {
      const x = await get(paymentsOut, '/', 'ledger');
      return x.status === 404 ? undefined : x;
    });
    assert.equal(r.status, 503);
    assert.equal(r.headers['x-weft-error'], 'WEFT_ERR_UPSTREAM_TLS');
    assert.equal(payments.seen.length, before, 'the request reached an app whose identity is not the one expected');
  });

  await t.test('a mesh-config cluster naming a service is dialled over mTLS too, after the Host routes', async () => {
    const file = join(tempDir('mesh-config'), 'mesh.yaml');
    writeFileSync(file, 'clusters:\n  - { name: pay, service: payments }\nroutes:\n  - { match: { prefix: /mesh }, cluster: pay }\n');
    const r = await plane.weft(['apply', '-f', file]);
    assert.equal(r.code, 0, r.stderr);
    const x = await waitFor('the mesh route', async () => {
      const y = await get(paymentsOut, '/mesh/x', 'not-a-service');
      return y.status === 404 ? undefined : y;
    });
    assert.equal(x.status, 200, x.body);
    assert.deepEqual(JSON.parse(x.body), { payments: `By=${id('payments')};URI=${id('orders')}` });
  });

  await t.test('the plane refuses a registration claiming another service\'s identity', async () => {
    const res = await request(`${plane.url}/v1/services/ledger/instances`, {
      method: 'PUT', headers: { authorization: `Bearer ${plane.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ endpoint: 'http://127.0.0.1:1', identity: id('payments') }),
    });
    assert.equal(res.statusCode, 400);
    assert.match(await res.body.text(), /identity must be a SPIFFE ID spiffe:\/\/mesh\.test\/ns\/NS\/sa\/ledger/);
  });

  /** Applies a policy document through the real CLI, then waits until `check` holds for a call; says how long that took. */
  const applyPolicy = async (yaml: string, check: (r: { status: number; body: string; headers: http.IncomingHttpHeaders }) => boolean) => {
    const file = join(tempDir('mesh-policy'), 'policy.yaml');
    writeFileSync(file, yaml);
    const r = await plane.weft(['apply', '-f', file]);
    assert.equal(r.code, 0, r.stderr);
    // Timed from the plane storing it (the CLI's own start-up is not the mesh's propagation).
    const started = Date.now();
    const seen = await waitFor('the policy in force', async () => {
      const x = await call();
      return check(x) ? x : undefined;
    });
    return { ...seen, ms: Date.now() - started };
  };
  /** weft_authz_decisions_total for payments, summed over its workers. */
  const decisions = async (decision: string, rule: string) => {
    const text = await (await request(`${paymentsCar.admin}/metrics`)).body.text();
    return text.split('\n')
      .filter((l) => l.startsWith('weft_authz_decisions_total{') && l.includes('service="payments"') && l.includes(`decision="${decision}"`) && l.includes(`rule="${rule}"`))
      .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
  };

  await t.test('a deny policy turns matching calls into 403; other callers and paths still pass', async (t) => {
    const denied = await applyPolicy(`kind: AuthorizationPolicy
service: payments
default: allow
rules:
  - name: no-checkout-from-orders
    action: deny
    from: { principals: [${id('orders')}] }
    to: { paths: [/checkout], methods: [GET] }
`, (x) => x.status === 403);
    t.diagnostic(`the deny was in force ${denied.ms} ms after the plane stored it`);
    assert.equal(denied.headers['x-weft-error'], 'WEFT_ERR_AUTHZ_DENIED');
    assert.match(denied.body, /denied_by_rule \(rule no-checkout-from-orders\)/);
    const other = await get(frontendCar.port, '/refund', 'frontend');
    assert.equal(other.status, 200, other.body);
    assert.ok(await decisions('deny', 'no-checkout-from-orders') > 0, 'the denials are counted');
  });

  await t.test('audit mode counts what it would deny and denies nothing', async () => {
    const audited = await applyPolicy(`kind: AuthorizationPolicy
service: payments
mode: audit
default: deny
rules:
  - name: only-frontend
    from: { principals: [${id('frontend')}] }
`, (x) => x.status === 200);
    assert.equal(audited.status, 200);
    const before = await decisions('audit', 'default');
    for (let i = 0; i < 5; i++) assert.equal((await call()).status, 200);
    assert.ok(await decisions('audit', 'default') >= before + 5, 'audit decisions are counted');
    assert.match(paymentsCar.stdout() + paymentsCar.stderr(), /would deny/);
  });

  await t.test('certificates renew under steady load and no request fails', async (t) => {
    const serial = (await serverCert(paymentsCar.port, { ca: bundle })).serialNumber;
    const agent = new Agent({ connections: 4 });
    t.after(() => agent.close());
    let ok = 0;
    let okAfter = 0;
    const failures: string[] = [];
    // Load until a renewal has happened under it and 50 requests went through on the new certificate (renewal comes
    // at half of the 12 s life): counted, not timed, so a slow machine only takes longer; past WAIT_MS the load stops.
    let renewedAt = 0;
    const started = Date.now();
    const watch = (async () => {
      while (!renewedAt && Date.now() - started < WAIT_MS) {
        await new Promise((r) => setTimeout(r, 250));
        if ((await serverCert(paymentsCar.port, { ca: bundle })).serialNumber !== serial) renewedAt = Date.now();
      }
    })();
    const going = () => Date.now() - started < WAIT_MS && (!renewedAt || okAfter < 50);
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (going()) {
        const r = await get(frontendCar.port, '/checkout', 'frontend', agent).catch((err: Error) => ({ status: 0, body: err.message }));
        if (r.status === 200) {
          ok++;
          if (renewedAt) okAfter++;
        } else failures.push(`${r.status} ${r.body.slice(0, 200)}`);
      }
    }));
    await watch;
    assert.deepEqual(failures, []);
    assert.ok(renewedAt > 0, `no renewal happened during the load (${ok} requests)`);
    assert.ok(okAfter >= 50, `only ${okAfter} requests after the renewal`);
    await waitFor('the renewal in weft status', async () => ((await statusNotAfter()) > firstNotAfter ? true : undefined));
  });

  await t.test('filters on the inbound side see the caller\'s identity: a ratelimit keyed by principal has a bucket per calling workload', async (t) => {
    const module = fileURLToPath(new URL('../filters/ratelimit/build/ratelimit.wasm', import.meta.url));
    assert.equal((await plane.weft(['filter', 'push', 'ratelimit', module, '--version', '1.0.0'])).code, 0);
    const file = join(tempDir('mesh-chain'), 'mesh.yaml');
    const config = JSON.stringify({ limits: [{ name: 'per-caller', requests: 2, perSeconds: 3600, key: { source: 'principal' } }] });
    writeFileSync(file, `filters:\n  - name: ratelimit\n    config: '${config}'\n`);
    assert.equal((await plane.weft(['apply', '-f', file])).code, 0);
    const web = new IdentityManager({ planes: [plane.url], dataDir: tempDir('mesh-web'), joinToken: await joinToken(plane, 'web') });
    await web.start();
    t.after(() => web.close());
    // Each sidecar applies the snapshot on its own: wait until payments' serves the chain, then count web's calls.
    await waitFor('the chain on the payments sidecar', async () => ((await (await request(`${paymentsCar.admin}/config`)).body.text()).includes('"ratelimit"') || undefined));
    // web's certificate as of now (it renews every few seconds): one connection carries the three calls.
    const agent = new Agent({ connect: clientOptions(web.current(), id('payments')) });
    t.after(() => agent.close());
    const asWeb = async () => (await request(`https://127.0.0.1:${paymentsCar.port}/`, { dispatcher: agent, headersTimeout: WAIT_MS, bodyTimeout: WAIT_MS })).statusCode;
    assert.deepEqual([await asWeb(), await asWeb(), await asWeb()], [200, 200, 429], 'web has its own two requests at payments, apart from orders\'');
  });
});

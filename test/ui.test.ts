// The dashboard in a real browser (Debian's chromium driven by playwright-core) against a real plane, three sidecars and live traffic.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { request } from 'undici';
import { signModule } from '../core/control/signature.ts';
import { startApp } from '../cli/demo/services.ts';
import type { App, AppSpec } from '../cli/demo/services.ts';
import { versionedFilter } from '../plane/test/modules.ts';
import { startPlane, tempDir, waitFor } from '../plane/test/support.ts';
import type { RunningPlane } from '../plane/test/support.ts';
import { joinToken } from './support/identity.ts';
import { startProxy } from './support/proxy.ts';
import type { RunningProxy } from './support/proxy.ts';

/** Debian's chromium (.ci/run installs it): Playwright's own browser download cannot reach its servers here. */
const CHROMIUM = '/usr/bin/chromium';
/** Screenshots of every page, for a person to look at after the run (gitignored). */
const ARTIFACTS = fileURLToPath(new URL('./artifacts/ui/', import.meta.url));
/** Long enough for a reporting cycle on a loaded 2-core machine. */
const SEEN_MS = 30_000;

const SERVICES: AppSpec[] = [
  { name: 'frontend', calls: { service: 'orders', path: '/orders' } },
  { name: 'orders', calls: { service: 'payments', path: '/pay' } },
  { name: 'payments' },
];

interface Sidecar { app: App; proxy: RunningProxy }

async function sidecar(plane: RunningPlane, spec: AppSpec, extra: string[]): Promise<Sidecar> {
  const app = await startApp(spec);
  try {
    const proxy = await startProxy(['--plane', plane.url, '--token', plane.token, '--node', `${spec.name}-1`, '--data-dir', tempDir(`ui-${spec.name}`),
      '--join-token', await joinToken(plane, spec.name), '--service', spec.name, '--inbound', '127.0.0.1:0', '--app', `127.0.0.1:${app.port}`,
      '--workers', '1', ...(spec.calls ? ['--outbound', '127.0.0.1:0'] : []), ...extra]);
    app.outbound = typeof proxy.ready.outbound === 'string' ? `http://${proxy.ready.outbound}` : undefined;
    return { app, proxy };
  } catch (err) {
    await app.close();
    throw err;
  }
}

/** Requests until stopped: checkouts through the whole chain, and now and then /admin to orders, which its policy will deny. */
function traffic(frontend: Sidecar): { stop(): Promise<void>; statuses: Map<string, number> } {
  const statuses = new Map<string, number>();
  let stopped = false;
  const send = async (url: string, host?: string) => {
    try {
      const res = await request(url, { headers: host ? { host } : {}, headersTimeout: 5000, bodyTimeout: 5000 });
      await res.body.dump();
      const key = `${new URL(url).pathname} ${res.statusCode}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    } catch {
      statuses.set('failed', (statuses.get('failed') ?? 0) + 1);
    }
  };
  const loop = (async () => {
    for (let i = 0; !stopped; i++) {
      await send(`http://${frontend.proxy.ready.listen}/checkout`);
      // orders, reached from frontend's sidecar over mTLS: the caller is frontend's SPIFFE ID.
      if (i % 5 === 0) await send(`${frontend.app.outbound}/admin`, 'orders');
      await new Promise((r) => setTimeout(r, 40));
    }
  })();
  return { statuses, async stop() { stopped = true; await loop; } };
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** The cells of the first row that matches, once one does (the pages poll the plane every few seconds). */
async function cells(page: Page, selector: string, pattern: RegExp, ms = SEEN_MS): Promise<string[]> {
  const row = page.locator(selector, { hasText: pattern }).first();
  await row.waitFor({ timeout: ms });
  return row.locator('td').allTextContents();
}

/** A row's text once it matches, read again until then (the pages poll the plane every few seconds). */
async function rowText(page: Page, selector: string, pattern: RegExp, ms = SEEN_MS): Promise<string> {
  const row = page.locator(selector, { hasText: pattern });
  await row.first().waitFor({ timeout: ms });
  return (await row.first().textContent()) ?? '';
}

describe('the dashboard in chromium against a plane, three sidecars and traffic', () => {
  // Stopped last-started first, each awaited: the browser, the traffic, the sidecars, the plane.
  const stops: (() => Promise<unknown>)[] = [];
  let plane: RunningPlane;
  let dir: string;
  let privatePem: string;
  let load: ReturnType<typeof traffic>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];
  let ui: string;

  // Start-up (a plane, three sidecars that join and register, a browser) has its own budget: on a loaded machine it takes a minute or more.
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    plane = await startPlane();
    stops.push(() => plane.stop());
    dir = tempDir('ui');
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const trustFile = join(dir, 'trust.pem');
    writeFileSync(trustFile, publicKey.export({ type: 'spki', format: 'pem' }));
    const v1 = await versionedFilter('v1');
    assert.equal((await plane.push('hdr', '1', v1, { signature: signModule(v1, privatePem) })).status, 201);
    writeFileSync(join(dir, 'mesh.yaml'), 'filters:\n  - name: hdr\n');
    assert.equal((await plane.weft(['apply', '-f', join(dir, 'mesh.yaml')])).code, 0);

    // payments trusts only signed modules, so an unsigned push is NACKed there and nowhere else.
    const cars: Sidecar[] = [];
    stops.push(() => Promise.all(cars.map(async (c) => { await c.proxy.stop(); await c.app.close(); })));
    // One at a time: three proxies compiling their filter at once on a loaded 2-core machine can miss the start-up bound.
    for (const spec of SERVICES) {
      cars.push(await sidecar(plane, spec, spec.name === 'frontend' ? ['--permissive'] : spec.name === 'payments' ? ['--trust-key', trustFile] : []));
    }
    load = traffic(cars[0]);
    stops.push(() => load.stop());
    await waitFor('a checkout through the chain', () => load.statuses.get('/checkout 200'), SEEN_MS);

    // Chromium refuses its sandbox to root, and CI runs as root; the pages it loads are the plane's own.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    stops.push(() => browser.close());
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on('pageerror', (err) => errors.push(err.message));
    ui = `${plane.url}/ui/`;
  }, { timeout: 300_000 });

  after(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  /** Whether the plane serves an API the dashboard reads (GET /v1/stats and /v1/requests land with their own issue branches). */
  const serves = async (path: string) => (await fetch(`${plane.url}${path}`, { headers: { authorization: `Bearer ${plane.token}` } })).status !== 404;

  it('a request without the session cookie gets the login page; the API refuses it', async () => {
    const res = await page.goto(ui);
    assert.equal(res?.status(), 401);
    await page.locator('form[action="/ui/login"] input[type=password]').waitFor();
    assert.equal((await page.request.get(`${plane.url}/v1/status`)).status(), 401);
    await shot(page, 'login');
  });

  it('a wrong token is refused on the form; the right one sets an HttpOnly, SameSite=Strict cookie and keeps the token out of the URL', async () => {
    await page.fill('#token', 'not-the-token');
    await page.click('button[type=submit]');
    await page.getByRole('alert').filter({ hasText: "not this plane's token" }).waitFor();
    assert.deepEqual(await context.cookies(), []);
    await page.fill('#token', plane.token);
    await page.click('button[type=submit]');
    await page.locator('header nav').waitFor();
    assert.equal(page.url(), ui);
    const [cookie] = await context.cookies();
    assert.equal(cookie.name, 'weft_session');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.ok(!cookie.value.includes(plane.token));
  });

  it('the proxies page lists the three sidecars with ACK, SPIFFE ID and certificate expiry', async () => {
    await page.goto(`${ui}#/proxies`);
    for (const service of ['frontend', 'orders', 'payments']) {
      const text = await rowText(page, `tr[data-node="${service}-1"]`, /ACK/);
      assert.match(text, new RegExp(`spiffe://weft\\.local/ns/default/sa/${service}`));
      assert.match(text, /hdr@1/);
      assert.match(text, /in \d/, 'the certificate expires in some hours');
    }
    await shot(page, 'proxies');
  });

  it('a NACKed push appears on the proxies page with its error; the other proxies ACK it', async () => {
    assert.equal((await plane.push('hdr', '2', await versionedFilter('v2'))).status, 201);
    const nack = await rowText(page, 'tr[data-node="payments-1"]', /NACK/);
    assert.match(nack, /hdr@2: module is unsigned and this proxy requires a trusted signature/);
    assert.match(await rowText(page, 'tr[data-node="orders-1"]', /hdr@2/), /ACK/);
    await shot(page, 'proxies-nack');
  });

  it('the topology page draws the services, and the calls between them with their rates once the plane serves /v1/stats', async () => {
    await page.goto(`${ui}#/topology`);
    for (const service of ['frontend', 'orders', 'payments']) await rowText(page, `[data-testid=services] tr[data-service="${service}"]`, /1/);
    // cytoscape draws on canvases inside the graph's box.
    await page.locator('[data-testid=topology-graph] canvas').first().waitFor();
    if (!await serves('/v1/stats')) {
      await page.getByText('No data yet: traffic between services').waitFor();
    } else {
      // caller, callee, protocol, requests/s, success, p99, transport: reported every 5 s, so the first figures take a few.
      for (const [from, to] of [['frontend', 'orders'], ['orders', 'payments']]) {
        const [, , protocol, rps, success, p99, transport] = await cells(page, '[data-testid=edges] tr', new RegExp(`^${from}${to}http(?!-|0\\.0/s)`));
        assert.equal(protocol, 'http');
        assert.ok(parseFloat(rps) > 0, `${from} → ${to}: ${rps}`);
        assert.match(success, /%$/);
        assert.match(p99, /s$/);
        assert.equal(transport, 'mTLS');
      }
    }
    await shot(page, 'topology');
    await page.click('[data-testid=services] a:text-is("orders")');
    await page.getByRole('heading', { name: 'Service orders' }).waitFor();
    if (await serves('/v1/stats')) {
      // Three charts (requests/s, success, latency), each a canvas uPlot drew, and figures rather than dashes.
      await page.locator('[data-testid=charts] canvas').nth(2).waitFor({ timeout: SEEN_MS });
      assert.match(await page.locator('[data-testid=golden]').textContent() ?? '', /[1-9][\d.]*\/s requests\/s/);
    }
    await shot(page, 'service');
  });

  it('a deny policy shows on the policies page with its rule', async () => {
    writeFileSync(join(dir, 'deny.yaml'), 'kind: AuthorizationPolicy\nservice: orders\ndefault: allow\nrules:\n  - name: deny-admin\n    action: deny\n    to: { paths: [/admin] }\n');
    assert.equal((await plane.weft(['apply', '-f', join(dir, 'deny.yaml')])).code, 0);
    await waitFor('a denied /admin', () => load.statuses.get('/admin 403'), SEEN_MS);
    await page.goto(`${ui}#/policies`);
    const rule = await rowText(page, 'section[data-service="orders"] tr', /deny-admin/);
    assert.match(rule, /deny-admin\s*deny\s*paths \/admin/);
    if (await serves('/v1/stats')) {
      // rule, action, matches, allowed, denied, audit: the denials counted once orders' sidecar has reported them.
      const [, , , allowed, denied, audit] = await cells(page, 'section[data-service="orders"] tr', /^deny-admindenypaths \/admin\d+[1-9]\d*\d+$/);
      assert.equal(allowed, '0');
      assert.ok(Number(denied) > 0, denied);
      assert.equal(audit, '0');
    }
    await shot(page, 'policies');
  });

  it('the filters page shows each version signed or not, and aborts a running rollout after a confirmation (the cookie alone cannot)', async () => {
    const v3 = await versionedFilter('v3');
    assert.equal((await plane.push('hdr', '3', v3, { signature: signModule(v3, privatePem), hold: true })).status, 201);
    assert.equal((await plane.weft(['rollout', 'start', 'hdr@3', '--canary', '10', '--interval', '10m'])).code, 0);
    await page.goto(`${ui}#/filters`);
    assert.doesNotMatch(await rowText(page, '[data-testid=filters] tr[data-version="hdr@1"]', /signed/), /unsigned/);
    assert.match(await rowText(page, '[data-testid=filters] tr[data-version="hdr@2"]', /signed/), /unsigned/);
    await page.locator('[data-testid=rollout]', { hasText: 'running' }).waitFor({ timeout: SEEN_MS });
    await shot(page, 'filters');
    // The cookie alone does not make a write: the page's own header must come with it (no cross-site form can send one).
    const forged = await page.request.post(`${plane.url}/v1/rollout/abort`);
    assert.equal(forged.status(), 401);
    let asked = '';
    page.once('dialog', (d) => { asked = d.message(); void d.accept(); });
    await page.click('button:text("Abort rollout")');
    await page.locator('[data-testid=rollout]', { hasText: 'aborted at 10%' }).waitFor({ timeout: SEEN_MS });
    assert.match(asked, /Abort the rollout of hdr@3\?/);
    const record = await plane.json<{ phase: string }>('/v1/rollout');
    assert.equal(record.phase, 'aborted');
  });

  it('the requests page follows a service; the explanation of a denied request names the policy and the rule', async () => {
    await page.goto(`${ui}#/requests/orders`);
    if (!await serves('/v1/requests?service=orders')) {
      await page.getByText('No data yet: recent requests of orders').waitFor();
      await shot(page, 'requests');
      return;
    }
    await page.locator('[data-testid=requests] tr[data-status="200"]').first().waitFor({ timeout: SEEN_MS });
    await shot(page, 'requests');
    await page.locator('[data-testid=requests] tr[data-status="403"] a', { hasText: 'explain' }).first().click();
    const summary = page.locator('[data-testid=summary]');
    await summary.waitFor({ timeout: SEEN_MS });
    assert.match(await summary.textContent() ?? '', /403 at orders' inbound: AuthorizationPolicy orders rule deny-admin matched path \/admin for spiffe:\/\/weft\.local\/ns\/default\/sa\/frontend/);
    await shot(page, 'explain');
  });

  it('a one-time login link opens a session once, Log out ends it; the cookie-less API and a reused link are refused', async () => {
    const link = await (await fetch(`${plane.url}/v1/ui/login-links`, { method: 'POST', headers: { authorization: `Bearer ${plane.token}` } })).json() as { path: string };
    const fresh = await browser.newContext();
    try {
      const p = await fresh.newPage();
      await p.goto(`${plane.url}${link.path}`);
      await p.locator('header nav').waitFor();
      assert.equal(p.url(), ui);
      // The page's own Log out form passes the cross-site check (plane/test/ui-cross-site.test.ts refuses forged ones) and ends the session.
      await p.click('button:text("Log out")');
      await p.locator('input[name=token]').waitFor();
      assert.equal((await p.request.get(`${plane.url}/v1/status`)).status(), 401);
      const other = await browser.newContext();
      try {
        const q = await other.newPage();
        const again = await q.goto(`${plane.url}${link.path}`);
        assert.equal(again?.status(), 401);
        await q.getByText('used already or has expired').waitFor();
      } finally {
        await other.close();
      }
    } finally {
      await fresh.close();
    }
  });

  it('the pages threw nothing in the browser', () => {
    assert.deepEqual(errors, []);
  });
});

// `weft demo`: a real mesh on loopback (plane, frontend → orders → payments each behind an mTLS sidecar, the built-in filter chain), steady traffic and a live table.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { flagsHelp, parseFlags, usageError } from '../../core/cli/flags.ts';
import type { FlagSpec } from '../../core/cli/flags.ts';
import { parseDuration } from '../../core/config/duration.ts';
import { builtinFilterPath, builtinFilters } from '../../filters/build.ts';
import { startChild } from './children.ts';
import type { Child } from './children.ts';
import { DEMO_API_KEY, FILTER_VERSION, deployFilters, joinToken, startDemoPlane, writeDenyExample } from './mesh.ts';
import type { DemoPlane } from './mesh.ts';
import { startApp } from './services.ts';
import { PAY_PATH } from './grpc-app.ts';
import type { App, AppSpec } from './services.ts';
import { renderTable, Watched } from './stats.ts';
import { Traffic } from './traffic.ts';

const demoFlags: FlagSpec[] = [
  { name: 'rate', value: 'N', help: 'requests per second sent to the frontend', defaultText: '30' },
  { name: 'duration', value: 'DURATION', help: 'stop by itself after sending traffic this long', defaultText: 'until Ctrl-C' },
];

/**
 * Callers first: each app is told the service it calls; orders calls payments over gRPC. Payments' rare INTERNAL
 * statuses give the success column something to show.
 */
const SERVICES: AppSpec[] = [
  { name: 'frontend', calls: { service: 'orders', path: '/orders' } },
  { name: 'orders', calls: { service: 'payments', path: PAY_PATH, grpc: true } },
  { name: 'payments', grpc: true, errorRate: 0.005 },
];

interface Sidecar { service: string; app: App; child: Child; inbound: string; outbound?: string; admin: string }

/** Set by Ctrl-C or SIGTERM during start-up: the remaining steps are skipped and what started is stopped. */
class Interrupted extends Error {}

/** Listeners on port 0, read back from the sidecar's ready line: nothing else on the machine can take them in between. */
async function startSidecar(plane: DemoPlane, dir: string, spec: AppSpec, edge: boolean): Promise<Sidecar> {
  const app = await startApp(spec);
  try {
    const args = [
      'proxy', '--plane', plane.url, '--token-file', plane.tokenFile, '--node', `${spec.name}-1`, '--data-dir', join(dir, spec.name),
      '--join-token', await joinToken(plane, spec.name), '--service', spec.name,
      '--inbound', '127.0.0.1:0', '--app', `127.0.0.1:${app.port}`, '--admin', '127.0.0.1:0',
      '--workers', '1', '--drain-timeout', '5s',
    ];
    if (spec.calls) args.push('--outbound', '127.0.0.1:0');
    if (spec.grpc) args.push('--app-protocol', 'http2');
    // The edge takes plain HTTP from outside the mesh (the traffic generator, curl) as well as mTLS.
    if (edge) args.push('--permissive');
    const child = await startChild(`${spec.name} sidecar`, args, join(dir, `${spec.name}.log`), 'weft proxy ready');
    const at = (field: string) => (typeof child.ready[field] === 'string' ? `http://${child.ready[field]}` : undefined);
    app.outbound = at('outbound');
    return { service: spec.name, app, child, inbound: at('listen')!, admin: at('admin')!, outbound: app.outbound };
  } catch (err) {
    await app.close();
    throw err;
  }
}

function tryNext(plane: DemoPlane, frontend: Sidecar, deny: string, dir: string): string {
  const wasm = (name: string) => relative(process.cwd(), builtinFilterPath(name));
  const steps: [string, string][] = [
    ['the client commands find the plane through these', `export WEFT_PLANE=${plane.url} WEFT_TOKEN=${plane.token}`],
    ['one checkout through frontend → orders → payments: each answer names its caller as the sidecar verified it', `curl -i ${frontend.inbound}/checkout`],
    [`401 from the auth filter; with -H 'x-api-key: ${DEMO_API_KEY}' it passes`, `curl -i ${frontend.inbound}/admin`],
    ['every sidecar: config and filter versions, ACKs', 'npx weft status'],
    ['push a filter version: every sidecar swaps it in, no request lost', `npx weft filter push telemetry ${wasm('telemetry')} --version 1.0.1`],
    ['start a rollout: the new version takes a growing share while its error rate stays low', `npx weft filter push ratelimit ${wasm('ratelimit')} --version 1.1.0 --hold\n  npx weft rollout start ratelimit@1.1.0 --canary 10 --step 30 --interval 10s\n  npx weft rollout status`],
    ['deny a path with a policy: payments refuses its gRPC Pay method, watch the success column fall; then lift it', `npx weft apply -f ${deny}\n  npx weft policy delete payments`],
    ['why a request got its answer: the newest requests at payments, then the story of one across every sidecar', 'npx weft requests payments --limit 5\n  npx weft explain REQUEST_ID'],
  ];
  return `Try next, in another terminal (from this directory):\n\n${steps.map(([why, cmd]) => `  # ${why}\n  ${cmd}\n`).join('\n')}
Sidecar admin: ${frontend.admin}/metrics, /config, /identity (frontend's). Logs (removed on a clean stop): ${dir}/*.log
`;
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseFlags(demoFlags, argv, process.env);
  if (values.help) {
    console.log(flagsHelp('usage: weft demo [--rate N] [--duration D]\n\nrun a mesh on loopback: a plane, three services with mTLS sidecars, the built-in filters, steady traffic and a live table', demoFlags));
    return 0;
  }
  const rate = Number(values.rate ?? 30);
  const durationMs = values.duration === undefined ? undefined : parseDuration(String(values.duration));
  if (!(rate > 0) || (values.duration !== undefined && durationMs === undefined)) throw usageError('--rate takes a number above 0 and --duration a duration such as 30s');

  // Handlers stay for the whole run: npm forwards Ctrl-C as well, and a second SIGINT with no handler would kill the demo before it stopped its children.
  let signalled = false;
  let wake: () => void = () => undefined;
  const onSignal = () => { signalled = true; wake(); };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const check = () => { if (signalled) throw new Interrupted(); };

  const dir = mkdtempSync(join(tmpdir(), 'weft-demo-'));
  const say = (line: string) => console.log(line);
  let plane: DemoPlane | undefined;
  const sidecars: Sidecar[] = [];
  let traffic: Traffic | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let failure: unknown;
  try {
    say('Weft demo: starting a mesh on loopback (Ctrl-C stops it).');
    plane = await startDemoPlane(dir);
    check();
    say(`  plane      ${plane.url}  (SQLite store in ${join(dir, 'plane')})`);
    const p = plane;
    if (builtinFilters.some((name) => !existsSync(builtinFilterPath(name)))) say('  filters    building the built-in filters (a few seconds, once: npm ci leaves them unbuilt)');
    await deployFilters(p, (name) => say(`  filter     ${name}@${FILTER_VERSION} pushed`));
    check();
    say('  mesh       chain auth → ratelimit → router → telemetry applied');
    // All three at once; a caller's first requests may find its callee not yet registered, which the warm-up below waits out.
    const started = await Promise.allSettled(SERVICES.map((spec) => startSidecar(p, dir, spec, spec === SERVICES[0])));
    for (const r of started) if (r.status === 'fulfilled') sidecars.push(r.value);
    const refused = started.find((r) => r.status === 'rejected');
    if (refused) throw refused.reason;
    check();
    for (const s of sidecars) {
      say(`  ${s.service.padEnd(10)} app :${s.app.port}, sidecar inbound ${s.inbound}${s.outbound ? `, outbound ${s.outbound}` : ''}, admin ${s.admin}`);
    }
    const frontend = sidecars[0];
    traffic = new Traffic(frontend.inbound, ['/checkout']);
    const t = traffic;
    const deadline = Date.now() + 30_000;
    while (!(await t.one())) {
      check();
      if (Date.now() > deadline) throw new Error(`no request got through frontend → orders → payments in 30 s; see the logs in ${dir}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    check();
    traffic.sent = traffic.ok = traffic.failed = 0;
    const deny = writeDenyExample(dir);
    // A one-time link rather than the token in a URL: it opens one browser session, then is spent.
    const link = await p.client.call<{ path: string }>('POST', '/v1/ui/login-links');
    say(`\nDashboard: ${p.url}/ui/  (this link logs one browser in, once, within 10 minutes: ${p.url}${link.path}; after that, log in with the token)`);
    say(`\n${tryNext(p, frontend, deny, dir)}`);
    say(`Sending ${rate} requests/s to the frontend. Per service, from its sidecar's inbound side over the last 5 s:\n`);

    const watched = sidecars.map((s) => new Watched(s.service, s.admin));
    const tty = process.stdout.isTTY;
    let drawn = 0;
    const draw = async () => {
      await Promise.all(watched.map((w) => w.scrape().catch(() => undefined)));
      const lines = [...renderTable(watched.map((w) => w.row())), `traffic: sent ${t.sent}, ok ${t.ok}, failed ${t.failed}  (${new Date().toLocaleTimeString()})`];
      // On a terminal the table is redrawn in place; piped, each refresh is appended so a reader (or a test) sees them all.
      if (tty) process.stdout.write(`${drawn ? `\x1b[${drawn}F` : ''}${lines.map((l) => `\x1b[2K${l}\n`).join('')}`);
      else process.stdout.write(`${lines.join('\n')}\n\n`);
      drawn = lines.length;
    };
    // A first sample now, so the first refresh already has a window to measure.
    await Promise.all(watched.map((w) => w.scrape().catch(() => undefined)));
    traffic.start(rate);
    // One draw at a time: a slow scrape must not let two redraws interleave on the terminal.
    let drawing = Promise.resolve();
    ticker = setInterval(() => { drawing = drawing.then(draw); }, 1000);
    await new Promise<void>((resolve) => {
      wake = resolve;
      if (signalled) resolve();
      if (durationMs !== undefined) setTimeout(resolve, durationMs).unref();
    });
    clearInterval(ticker);
    await drawing.then(draw);
  } catch (err) {
    if (!(err instanceof Interrupted)) failure = err;
  } finally {
    clearInterval(ticker);
    say('\nstopping: traffic, then each sidecar (SIGTERM: deregister, drain), then the plane');
    await traffic?.stop();
    const codes = await Promise.all(sidecars.map(async (s) => {
      const code = await s.child.stop();
      await s.app.close();
      return `${s.service} ${code}`;
    }));
    const planeCode = await plane?.child.stop();
    say(`stopped (exit codes: ${[...codes, `plane ${planeCode ?? '-'}`].join(', ')})`);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (failure) {
    say(`logs kept in ${dir}`);
    throw failure;
  }
  const clean = sidecars.every((s) => s.child.proc.exitCode === 0) && plane?.child.proc.exitCode === 0;
  if (clean) rmSync(dir, { recursive: true, force: true });
  else say(`logs kept in ${dir}`);
  return clean ? 0 : 1;
}

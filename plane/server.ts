// The plane's HTTP API (JSON; module bytes raw): every route in one table, all but health and metrics behind the bearer token.
import { once } from 'node:events';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { ErrorCodes, WeftError } from '../core/errors.ts';
import { createServer } from '../core/http/node-http.ts';
import type { ErrorCode } from '../core/errors.ts';
import { BUNDLE_PATH, JOIN_PATH, RENEW_PATH } from '../core/identity/protocol.ts';
import { DEFAULT_NAMESPACE, SEGMENT_PATTERN, spiffeId } from '../core/identity/spiffe.ts';
import { join, renew } from './ca/issuance.ts';
import { createJoinToken } from './ca/tokens.ts';
import { isMeshKind } from './mesh.ts';
import { applyPolicy, deletePolicy, getPolicy } from './policies.ts';
import type { Plane } from './plane.ts';
import { listFilters } from './registry.ts';
import { deregister, heartbeat, register } from './services.ts';
import type { Registration } from './services.ts';
import { liveInstances, loadState } from './state.ts';
import { checkSummary, meshReports } from './stats.ts';
import { statsView } from './stats-view.ts';
import { parseDuration } from '../core/config/duration.ts';
import type { AckReport } from './status.ts';
import { rolloutView } from './rollout.ts';
import type { RolloutRequest } from './rollout.ts';
import { DEFAULT_REPORT_INTERVAL_MS } from '../core/control/snapshot.ts';
import type { VersionCount } from '../core/control/snapshot.ts';
import { authorized } from './token.ts';
import * as ui from './ui/routes.ts';
import { crossSite, hasSession } from './ui/session.ts';
import { checkQuestion, explainRequest, recentRequests, replicaPart, TAIL_MAX } from './explain.ts';
import type { StoryAnswer } from '../core/observe/story.ts';

/*
 * Request body caps, checked against Content-Length before anything is read and again as the body arrives:
 * a body over its route's cap is answered 413 at once and the rest of it never read (refuse), so no caller can
 * make the plane hold or even read more than the cap per request.
 */
/** Endpoints anyone may call: a join token or a renewal proof, a CSR and a certificate. */
const OPEN_BODY_MAX = 16 << 10;
/** Authenticated JSON: reports, registrations, rollout and token requests. */
const JSON_BODY_MAX = 1 << 20;
/** Whole documents: the mesh config, a policy. */
const DOCUMENT_BODY_MAX = 4 << 20;
/** Pushed modules travel in one request body; 32 MiB is far above any filter and well below memory trouble. */
const MODULE_BODY_MAX = 32 << 20;
/** How long a refused request's connection stays open, unread, for the caller to read the answer. */
const LINGER_MS = 10_000;

const STATUS_OF: Partial<Record<ErrorCode, number>> = {
  [ErrorCodes.PLANE_UNAUTHORIZED]: 401,
  [ErrorCodes.PLANE_CROSS_SITE]: 403,
  [ErrorCodes.PLANE_NOT_FOUND]: 404,
  [ErrorCodes.REQUEST_NOT_FOUND]: 404,
  [ErrorCodes.STORE_FAILED]: 503,
  [ErrorCodes.FILTER_REJECTED]: 422,
  [ErrorCodes.CONFIG_INVALID]: 422,
  [ErrorCodes.FILTER_VERSION_EXISTS]: 409,
  [ErrorCodes.FILTER_IN_USE]: 409,
  [ErrorCodes.ROLLOUT_CONFLICT]: 409,
  [ErrorCodes.USAGE]: 400,
  [ErrorCodes.IDENTITY_REFUSED]: 403,
  [ErrorCodes.IDENTITY_REQUEST_INVALID]: 400,
  [ErrorCodes.CA_CONFLICT]: 409,
  [ErrorCodes.PLANE_BODY_TOO_LARGE]: 413,
};

interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  params: string[];
  query: URLSearchParams;
  /** The route's body cap. */
  maxBody: number;
  /** The plane's API token: the dashboard's login checks it and signs its sessions with it. */
  token: string;
}

type Handler = (plane: Plane, call: Call) => Promise<unknown>;

interface Route {
  method: string;
  pattern: RegExp;
  /**
   * Answered without the token: health and metrics, which monitoring scrapes; the trust bundle, which is public;
   * join and renewal, which carry their own credential (a join token, a proof from the current key). Mesh config may hold filter secrets.
   */
  open?: boolean;
  /** The write changes what proxies are sent: the answer waits until the new snapshot is published. */
  publishes?: boolean;
  /** Bytes of request body accepted: OPEN_BODY_MAX for open routes, JSON_BODY_MAX for the others, unless given. */
  maxBody?: number;
  /**
   * A write the dashboard may make with its session cookie (reads always may). The page adds x-weft-ui, which no
   * cross-site form can send, on top of the cookie's SameSite=Strict.
   */
  ui?: boolean;
  /** The dashboard's own forms (login, logout): open, but refused when another site's page sends them. */
  form?: boolean;
  handler: Handler;
}

function badRequest(message: string): WeftError {
  return new WeftError(ErrorCodes.USAGE, message, 2);
}

function tooLarge(maxBody: number): WeftError {
  return new WeftError(ErrorCodes.PLANE_BODY_TOO_LARGE, `request body over ${maxBody} bytes, this endpoint's limit`);
}

/**
 * The body, refused as soon as it passes the cap. Listeners rather than for-await: leaving a for-await loop
 * destroys the socket, and the caller would get a reset instead of the 413.
 */
function readBody({ req, maxBody }: Call): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBody) return void chunks.push(chunk);
      req.off('data', onData).off('end', onEnd);
      chunks.length = 0;
      reject(tooLarge(maxBody));
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    req.on('data', onData).once('end', onEnd).once('error', reject);
  });
}

async function readJson<T>(call: Call): Promise<T> {
  const body = await readBody(call);
  try {
    return JSON.parse(body.toString('utf8') || '{}') as T;
  } catch (err) {
    throw badRequest(`request body is not JSON: ${(err as Error).message}`);
  }
}

/** One per-version count as a proxy reports it: the rollout controller adds them up, so nothing else gets in. */
function validCount(c: unknown): c is VersionCount {
  const x = c as Record<string, unknown> | null;
  return typeof x?.filter === 'string' && typeof x.version === 'string' &&
    [x.requests, x.filterErrors, x.upstreamErrors].every((n) => Number.isSafeInteger(n) && (n as number) >= 0);
}

const NAME = '([A-Za-z0-9_.-]+)';
/** GET /v1/stats: the shortest window one may ask for (two reports at the proxies' default interval). */
const MIN_STATS_WINDOW_MS = 10_000;
const VERSION = '([A-Za-z0-9_.+-]+)';

const routes: Route[] = [
  { method: 'GET', pattern: /^\/v1\/watch$/, async handler(plane, { res, query }) {
    const node = query.get('node');
    if (!node) throw badRequest('watch needs ?node=NAME');
    // A node the plane has no record of (new, or forgotten after --node-ttl) is sent the snapshot even if it has it, so it ACKs and is listed.
    plane.hub.add(node, await plane.status.known(node) ? query.get('version') ?? '' : '', res);
    return undefined;
  } },
  { method: 'GET', pattern: /^\/v1\/modules\/([0-9a-f]{64})$/, async handler(plane, { res, params }) {
    const bytes = await plane.registry.moduleBytes(params[0]);
    if (!bytes) throw new WeftError(ErrorCodes.PLANE_NOT_FOUND, `no module ${params[0]}`);
    res.writeHead(200, { 'content-type': 'application/wasm', 'content-length': bytes.length, 'cache-control': 'public, max-age=31536000, immutable' });
    res.end(bytes);
    return undefined;
  } },
  { method: 'POST', pattern: new RegExp(`^/v1/nodes/${NAME}/ack$`), async handler(plane, call) {
    const report = await readJson<AckReport>(call);
    if (typeof report.version !== 'string' || typeof report.ok !== 'boolean') throw badRequest('ack needs {version, ok, error?}');
    return plane.status.ack(call.params[0], report, Date.now(), plane.hub.connectedSince(call.params[0]));
  } },
  { method: 'POST', pattern: new RegExp(`^/v1/nodes/${NAME}/stats$`), async handler(plane, call) {
    const { counts } = await readJson<{ counts: VersionCount[] }>(call);
    if (!Array.isArray(counts) || !counts.every(validCount)) throw badRequest('stats needs {counts: [{filter, version, requests, filterErrors, upstreamErrors}]}, counts as whole numbers');
    await plane.status.stats(call.params[0], counts, Date.now(), plane.hub.connectedSince(call.params[0]) !== undefined);
    return { ok: true };
  } },
  { method: 'POST', pattern: new RegExp(`^/v1/nodes/${NAME}/answers/([0-9a-f-]{36})$`), async handler(plane, call) {
    return { taken: plane.asks.answer(call.params[1], call.params[0], await readJson<StoryAnswer>(call)) };
  } },
  { method: 'GET', pattern: /^\/v1\/requests\/([^/]+)$/, async handler(plane, { params }) {
    return explainRequest(plane.asks, plane.peers, decodeURIComponent(params[0]));
  } },
  { method: 'GET', pattern: /^\/v1\/requests$/, async handler(plane, { query }) {
    const limit = Number(query.get('limit') ?? 50);
    if (!Number.isInteger(limit) || limit < 1 || limit > TAIL_MAX) throw badRequest(`limit: a whole number from 1 to ${TAIL_MAX}`);
    return recentRequests(plane.asks, plane.peers, query.get('service') ?? undefined, limit);
  } },
  // The other replicas' side of a whole-mesh question (plane/peers.ts): this replica's proxies and reports only.
  { method: 'POST', pattern: /^\/v1\/asks$/, async handler(plane, call) {
    const question = checkQuestion(await readJson<unknown>(call));
    if (!question) throw badRequest(`asks needs {what: "story", requestId} or {what: "tail", service?, limit: 1 to ${TAIL_MAX}}`);
    return replicaPart(plane.asks, question);
  } },
  { method: 'GET', pattern: /^\/v1\/stats\/reports$/, async handler(plane, { query }) {
    const windowMs = Number(query.get('window'));
    if (!Number.isInteger(windowMs) || windowMs < 1) throw badRequest('window: a whole number of milliseconds');
    const now = Date.now();
    plane.stats.expire(now);
    return { reports: plane.stats.since(now - Math.min(windowMs, plane.stats.windowMs)) };
  } },
  { method: 'POST', pattern: new RegExp(`^/v1/nodes/${NAME}/summary$`), async handler(plane, call) {
    const body = await readBody(call);
    let doc: unknown;
    try {
      doc = JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw badRequest(`request body is not JSON: ${(err as Error).message}`);
    }
    const summary = checkSummary(doc);
    const node = call.params[0];
    await plane.status.mayReport(node, plane.hub.connectedSince(node) !== undefined);
    plane.stats.add(node, summary, body.length, Date.now());
    return { ok: true };
  } },
  { method: 'GET', pattern: /^\/v1\/stats$/, async handler(plane, { query }) {
    const text = query.get('window') ?? '1m';
    const ms = parseDuration(text);
    if (ms === undefined || ms < MIN_STATS_WINDOW_MS) throw badRequest(`window: a duration of at least 10s such as 1m, got "${text}"`);
    const windowMs = Math.min(ms, plane.stats.windowMs);
    const now = Date.now();
    const { reports, replicas } = await meshReports(plane.stats, plane.peers, windowMs, now);
    const service = query.get('service') ?? undefined;
    return { ...statsView(reports, now, windowMs, plane.reportIntervalMs ?? DEFAULT_REPORT_INTERVAL_MS, service), replicas };
  } },
  { method: 'GET', pattern: /^\/v1\/status$/, async handler(plane) {
    return plane.status.report(plane.snapshot, plane.hub.connected(), plane.hub.size, Date.now());
  } },
  { method: 'GET', pattern: /^\/v1\/snapshot$/, async handler(plane) {
    return plane.snapshot;
  } },
  { method: 'PUT', pattern: new RegExp(`^/v1/filters/${NAME}/versions/${VERSION}$`), publishes: true, maxBody: MODULE_BODY_MAX, async handler(plane, call) {
    const { req, res, params, query } = call;
    const bytes = await readBody(call);
    const signature = req.headers['x-weft-signature'];
    const result = await plane.registry.push({
      name: params[0], version: params[1], bytes: new Uint8Array(bytes), hold: query.get('hold') === '1',
      signature: typeof signature === 'string' && signature ? signature : undefined,
    }, Date.now());
    res.statusCode = result.created ? 201 : 200;
    return result.record;
  } },
  { method: 'DELETE', pattern: new RegExp(`^/v1/filters/${NAME}/versions/${VERSION}$`), publishes: true, async handler(plane, { params }) {
    await plane.registry.delete(params[0], params[1]);
    return { deleted: `${params[0]}@${params[1]}` };
  } },
  { method: 'POST', pattern: new RegExp(`^/v1/filters/${NAME}/rollback$`), publishes: true, async handler(plane, { params }) {
    return plane.registry.rollback(params[0]);
  } },
  { method: 'GET', pattern: /^\/v1\/filters$/, async handler(plane) {
    return listFilters(await loadState(plane.store));
  } },
  { method: 'PUT', pattern: /^\/v1\/mesh$/, maxBody: DOCUMENT_BODY_MAX, async handler(plane, call) {
    return plane.apply(await readJson<unknown>(call), call.query.get('source') ?? 'mesh');
  } },
  { method: 'GET', pattern: /^\/v1\/mesh\/([a-z]+)$/, async handler(plane, { params }) {
    const kind = params[0];
    if (!isMeshKind(kind)) throw new WeftError(ErrorCodes.PLANE_NOT_FOUND, `no resource kind "${kind}" (clusters, routes, filters)`);
    const mesh = (await loadState(plane.store)).mesh;
    return { kind, revision: mesh?.revisions[kind] ?? 0, items: mesh?.[kind] ?? [] };
  } },
  { method: 'PUT', pattern: /^\/v1\/policies$/, publishes: true, maxBody: DOCUMENT_BODY_MAX, async handler(plane, call) {
    return applyPolicy(plane.store, await readJson<unknown>(call), call.query.get('source') ?? 'policy', plane.ca.trustDomain, Date.now());
  } },
  { method: 'GET', pattern: /^\/v1\/policies$/, async handler(plane) {
    return (await loadState(plane.store)).policies;
  } },
  { method: 'GET', pattern: new RegExp(`^/v1/policies/${NAME}$`), async handler(plane, { params }) {
    return getPolicy(plane.store, params[0]);
  } },
  { method: 'DELETE', pattern: new RegExp(`^/v1/policies/${NAME}$`), publishes: true, async handler(plane, { params }) {
    await deletePolicy(plane.store, params[0]);
    return { deleted: params[0] };
  } },
  { method: 'PUT', pattern: new RegExp(`^/v1/services/${NAME}/instances$`), publishes: true, async handler(plane, call) {
    return register(plane.store, call.params[0], await readJson<Registration>(call), Date.now(), plane.ca.trustDomain);
  } },
  { method: 'POST', pattern: new RegExp(`^/v1/services/${NAME}/heartbeat$`), publishes: true, async handler(plane, call) {
    return heartbeat(plane.store, call.params[0], (await readJson<{ endpoint: string }>(call)).endpoint, Date.now());
  } },
  { method: 'DELETE', pattern: new RegExp(`^/v1/services/${NAME}/instances$`), publishes: true, async handler(plane, { params, query }) {
    await deregister(plane.store, params[0], query.get('endpoint') ?? '');
    return { deregistered: query.get('endpoint') };
  } },
  { method: 'GET', pattern: /^\/v1\/services$/, async handler(plane) {
    return liveInstances((await loadState(plane.store)).services);
  } },
  { method: 'POST', pattern: /^\/v1\/rollout$/, async handler(plane, call) {
    await plane.startRollout(await readJson<RolloutRequest>(call));
    return rolloutView(plane.store);
  } },
  { method: 'POST', pattern: /^\/v1\/rollout\/abort$/, ui: true, async handler(plane) {
    await plane.abortRollout();
    return rolloutView(plane.store);
  } },
  { method: 'GET', pattern: /^\/v1\/rollout$/, async handler(plane) {
    return rolloutView(plane.store);
  } },
  { method: 'POST', pattern: new RegExp(`^${JOIN_PATH}$`), open: true, async handler(plane, call) {
    return join(plane.ca, plane.store, await readJson(call), plane.snapshot.trustBundle ?? [], Date.now());
  } },
  { method: 'POST', pattern: new RegExp(`^${RENEW_PATH}$`), open: true, async handler(plane, call) {
    return renew(plane.ca, await readJson(call), plane.snapshot.trustBundle ?? [], Date.now());
  } },
  { method: 'GET', pattern: new RegExp(`^${BUNDLE_PATH}$`), open: true, async handler(plane) {
    return { trustDomain: plane.ca.trustDomain, bundle: plane.snapshot.trustBundle ?? [] };
  } },
  { method: 'POST', pattern: /^\/v1\/identity\/tokens$/, async handler(plane, call) {
    const { service, namespace = DEFAULT_NAMESPACE, ttlMs } = await readJson<{ service?: string; namespace?: string; ttlMs?: number }>(call);
    if (typeof service !== 'string' || !SEGMENT_PATTERN.test(service)) throw badRequest('a token needs {service} (letters, digits, ".", "-", "_")');
    if (typeof namespace !== 'string' || !SEGMENT_PATTERN.test(namespace)) throw badRequest('namespace: letters, digits, ".", "-", "_"');
    if (typeof ttlMs !== 'number' || !(ttlMs > 0)) throw badRequest('a token needs {ttlMs} above 0');
    const { token, expiresAt } = await createJoinToken(plane.store, { namespace, service }, ttlMs, Date.now());
    return { token, spiffeId: spiffeId({ trustDomain: plane.ca.trustDomain, namespace, service }), expiresAt };
  } },
  { method: 'GET', pattern: /^\/v1\/ca$/, async handler(plane) {
    return plane.ca.status();
  } },
  { method: 'POST', pattern: /^\/v1\/ca\/rotate$/, publishes: true, async handler(plane) {
    return plane.ca.rotate();
  } },
  { method: 'POST', pattern: /^\/v1\/ca\/retire$/, publishes: true, async handler(plane, { query }) {
    return plane.ca.retire(query.get('force') === '1', Date.now());
  } },
  { method: 'GET', pattern: /^\/metrics$/, open: true, async handler(plane, { res }) {
    res.writeHead(200, { 'content-type': plane.status.metrics.contentType });
    res.end(await plane.status.metrics.metrics() + await plane.stats.metricsText());
    return undefined;
  } },
  { method: 'GET', pattern: /^\/healthz$/, open: true, async handler(plane) {
    return { ok: true, version: plane.snapshot.version, store: plane.store.description };
  } },
  // The dashboard (plane/ui/): open routes that check its session themselves, so a caller without one gets the login page.
  { method: 'GET', pattern: /^\/ui\/?$/, open: true, handler: (_plane, call) => ui.home(call) },
  { method: 'POST', pattern: /^\/ui\/login$/, open: true, form: true, async handler(_plane, call) {
    return ui.login(call, (await readBody(call)).toString('utf8'));
  } },
  { method: 'GET', pattern: /^\/ui\/login\/([A-Za-z0-9_-]{1,64})$/, open: true, handler: (_plane, call) => ui.redeem(call) },
  { method: 'POST', pattern: /^\/ui\/logout$/, open: true, form: true, handler: (_plane, call) => ui.logout(call) },
  { method: 'GET', pattern: /^\/ui\/((?:app|vendor)\/[a-z0-9-]+\.(?:js|css))$/, open: true, async handler(_plane, call) {
    if (!await ui.asset(call)) throw new WeftError(ErrorCodes.PLANE_NOT_FOUND, `no dashboard file ${call.params[0]}`);
    return undefined;
  } },
  { method: 'POST', pattern: /^\/v1\/ui\/login-links$/, async handler() {
    return ui.loginLink(Date.now());
  } },
];

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Answers a request whose body will not be used. If more of the body may come, none of it is read (the socket is
 * paused: the bytes stay in the kernel's buffers and the caller's writes stall) and the answer, which says
 * `connection: close`, is written whole at once but ended only when the caller goes away or after LINGER_MS:
 * closing a connection with unread bytes resets it, and a caller still sending would often lose the answer
 * (measured: 14 of 100 concurrent 31 MB posts got no answer when closed at once; reading and dropping the rest
 * instead cost the process 76 MiB; this way none was lost and nothing read).
 */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, error: ErrorCode, message: string): void {
  const pending = !req.complete && (req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0);
  if (!pending) return reply(res, status, { error, message });
  req.socket.pause();
  const text = JSON.stringify({ error, message });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), connection: 'close' });
  res.write(text);
  const end = setTimeout(() => res.end(), LINGER_MS);
  end.unref();
  res.once('close', () => clearTimeout(end));
}

/** Store failures that are not WeftErrors (a dropped etcd connection, a locked file) become STORE_FAILED. */
function asWeftError(err: unknown): WeftError {
  if (err instanceof WeftError) return err;
  return new WeftError(ErrorCodes.STORE_FAILED, (err as Error).message);
}

/** The dashboard's session cookie stands for the token on reads, and on the writes marked `ui` when the page says it sent them. */
function dashboardMay(req: IncomingMessage, route: Route, token: string): boolean {
  if (req.method !== 'GET' && !(route.ui && req.headers['x-weft-ui'] === '1')) return false;
  return hasSession(req.headers, token, Date.now());
}

function planeHandler(plane: Plane, token: string): RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://plane');
    const route = routes.find((r) => r.method === req.method && r.pattern.test(url.pathname));
    if (!route) {
      const known = routes.some((r) => r.pattern.test(url.pathname));
      refuse(req, res, known ? 405 : 404, ErrorCodes.PLANE_NOT_FOUND, `no ${req.method} ${url.pathname}`);
      return;
    }
    const bearer = authorized(req.headers.authorization, token);
    // A browser's write without the bearer token (a form, the abort button) must come from the plane's own pages.
    const forged = req.method !== 'GET' && !bearer && (route.form || route.ui) ? crossSite(req.headers) : null;
    if (forged) {
      refuse(req, res, 403, ErrorCodes.PLANE_CROSS_SITE, `refused ${req.method} ${url.pathname} from another site's page (${forged}): the dashboard's forms and buttons work only from the plane's own pages`);
      return;
    }
    if (!route.open && !bearer && !dashboardMay(req, route, token)) {
      const message = req.headers.authorization ? "the plane refused the bearer token: it is not this plane's token" : 'a bearer token is required (--token or WEFT_TOKEN)';
      refuse(req, res, 401, ErrorCodes.PLANE_UNAUTHORIZED, message);
      return;
    }
    const maxBody = route.maxBody ?? (route.open ? OPEN_BODY_MAX : JSON_BODY_MAX);
    if (Number(req.headers['content-length'] ?? 0) > maxBody) {
      const e = tooLarge(maxBody);
      refuse(req, res, 413, e.code, e.message);
      return;
    }
    const params = route.pattern.exec(url.pathname)!.slice(1);
    const run = async () => {
      const body = await route.handler(plane, { req, res, params, query: url.searchParams, maxBody, token });
      if (route.publishes) await plane.rebuild();
      return body;
    };
    run().then(
      (body) => { if (body !== undefined) reply(res, res.statusCode, body); },
      (err: unknown) => {
        const e = asWeftError(err);
        const status = STATUS_OF[e.code] ?? 500;
        if (status === 413) return refuse(req, res, status, e.code, e.message);
        if (status === 500) plane.log.error({ err: e.message, path: url.pathname }, 'request failed');
        reply(res, status, { error: e.code, message: e.message });
      },
    );
  };
}

/**
 * The plane's HTTP server. It binds before the plane opens its store, makes or publishes its CA roots or builds a
 * snapshot, so a port in use stops start-up with nothing touched; requests that arrive before serve() wait for it.
 */
export class PlaneServer {
  readonly server: Server;
  #handle: RequestListener;
  readonly #waiting: [IncomingMessage, ServerResponse][] = [];

  constructor() {
    this.#handle = (req, res) => { this.#waiting.push([req, res]); };
    this.server = createServer((req, res) => this.#handle(req, res));
    // Watch streams are long-lived by design; the default request timeouts would cut them.
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 10_000;
    this.server.keepAliveTimeout = 5_000;
  }

  /** Binds HOST:PORT (port 0 picks one); the port it got. */
  async listen(host: string, port: number): Promise<number> {
    this.server.listen(port, host);
    try {
      await once(this.server, 'listening');
    } catch (err) {
      throw new WeftError(ErrorCodes.LISTEN_FAILED, `cannot listen on ${host}:${port}: ${(err as Error).message}`);
    }
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : port;
  }

  /** From now on requests reach the plane, the ones that waited first. */
  serve(plane: Plane, token: string): void {
    const handle = planeHandler(plane, token);
    this.#handle = handle;
    for (const [req, res] of this.#waiting.splice(0)) handle(req, res);
  }

  close(): void {
    this.server.closeAllConnections();
    this.server.close();
  }
}

// The plane's HTTP API (JSON; module bytes raw): every route in one table, all but health and metrics behind the bearer token.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { ErrorCodes, WeftError } from '../core/errors.ts';
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
import { isLive, loadState } from './state.ts';
import { keys } from './model.ts';
import type { AckReport } from './status.ts';
import type { RolloutRequest } from './rollout.ts';
import type { VersionCount } from '../core/control/snapshot.ts';
import { authorized } from './token.ts';

/** Pushed modules travel in one request body; 32 MiB is far above any filter and well below memory trouble. */
const MAX_BODY = 32 << 20;

const STATUS_OF: Partial<Record<ErrorCode, number>> = {
  [ErrorCodes.PLANE_UNAUTHORIZED]: 401,
  [ErrorCodes.PLANE_NOT_FOUND]: 404,
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
};

interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  params: string[];
  query: URLSearchParams;
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
  handler: Handler;
}

function badRequest(message: string): WeftError {
  return new WeftError(ErrorCodes.USAGE, message, 2);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw badRequest(`request body over ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function readJson<T>(req: IncomingMessage): Promise<T> {
  const body = await readBody(req);
  try {
    return JSON.parse(body.toString('utf8') || '{}') as T;
  } catch (err) {
    throw badRequest(`request body is not JSON: ${(err as Error).message}`);
  }
}

const NAME = '([A-Za-z0-9_.-]+)';
const VERSION = '([A-Za-z0-9_.+-]+)';

const routes: Route[] = [
  { method: 'GET', pattern: /^\/v1\/watch$/, async handler(plane, { res, query }) {
    const node = query.get('node');
    if (!node) throw badRequest('watch needs ?node=NAME');
    plane.hub.add(node, query.get('version') ?? '', res);
    return undefined;
  } },
  { method: 'GET', pattern: /^\/v1\/modules\/([0-9a-f]{64})$/, async handler(plane, { res, params }) {
    const bytes = await plane.registry.moduleBytes(params[0]);
    if (!bytes) throw new WeftError(ErrorCodes.PLANE_NOT_FOUND, `no module ${params[0]}`);
    res.writeHead(200, { 'content-type': 'application/wasm', 'content-length': bytes.length, 'cache-control': 'public, max-age=31536000, immutable' });
    res.end(bytes);
    return undefined;
  } },
  { method: 'POST', pattern: new RegExp(`^/v1/nodes/${NAME}/ack$`), async handler(plane, { req, params }) {
    const report = await readJson<AckReport>(req);
    if (typeof report.version !== 'string' || typeof report.ok !== 'boolean') throw badRequest('ack needs {version, ok, error?}');
    return plane.status.ack(params[0], report, Date.now());
  } },
  { method: 'POST', pattern: new RegExp(`^/v1/nodes/${NAME}/stats$`), async handler(plane, { req, params }) {
    const { counts } = await readJson<{ counts: VersionCount[] }>(req);
    if (!Array.isArray(counts)) throw badRequest('stats needs {counts: [{filter, version, requests, errors}]}');
    await plane.status.stats(params[0], counts, Date.now());
    return { ok: true };
  } },
  { method: 'GET', pattern: /^\/v1\/status$/, async handler(plane) {
    return plane.status.report(plane.snapshot, plane.hub.connected(), plane.hub.size, Date.now());
  } },
  { method: 'GET', pattern: /^\/v1\/snapshot$/, async handler(plane) {
    return plane.snapshot;
  } },
  { method: 'PUT', pattern: new RegExp(`^/v1/filters/${NAME}/versions/${VERSION}$`), publishes: true, async handler(plane, { req, res, params, query }) {
    const bytes = await readBody(req);
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
  { method: 'PUT', pattern: /^\/v1\/mesh$/, async handler(plane, { req, query }) {
    return plane.apply(await readJson<unknown>(req), query.get('source') ?? 'mesh');
  } },
  { method: 'GET', pattern: /^\/v1\/mesh\/([a-z]+)$/, async handler(plane, { params }) {
    const kind = params[0];
    if (!isMeshKind(kind)) throw new WeftError(ErrorCodes.PLANE_NOT_FOUND, `no resource kind "${kind}" (clusters, routes, filters)`);
    const mesh = (await loadState(plane.store)).mesh;
    return { kind, revision: mesh?.revisions[kind] ?? 0, items: mesh?.[kind] ?? [] };
  } },
  { method: 'PUT', pattern: /^\/v1\/policies$/, publishes: true, async handler(plane, { req, query }) {
    return applyPolicy(plane.store, await readJson<unknown>(req), query.get('source') ?? 'policy', plane.ca.trustDomain, Date.now());
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
  { method: 'PUT', pattern: new RegExp(`^/v1/services/${NAME}/instances$`), publishes: true, async handler(plane, { req, params }) {
    return register(plane.store, params[0], await readJson<Registration>(req), Date.now(), plane.ca.trustDomain);
  } },
  { method: 'POST', pattern: new RegExp(`^/v1/services/${NAME}/heartbeat$`), publishes: true, async handler(plane, { req, params }) {
    return heartbeat(plane.store, params[0], (await readJson<{ endpoint: string }>(req)).endpoint, Date.now());
  } },
  { method: 'DELETE', pattern: new RegExp(`^/v1/services/${NAME}/instances$`), publishes: true, async handler(plane, { params, query }) {
    await deregister(plane.store, params[0], query.get('endpoint') ?? '');
    return { deregistered: query.get('endpoint') };
  } },
  { method: 'GET', pattern: /^\/v1\/services$/, async handler(plane) {
    const now = Date.now();
    return (await loadState(plane.store)).services.filter((i) => isLive(i, now));
  } },
  { method: 'POST', pattern: /^\/v1\/rollout$/, async handler(plane, { req }) {
    await plane.startRollout(await readJson<RolloutRequest>(req));
    return JSON.parse((await plane.store.get(keys.rollout))!);
  } },
  { method: 'POST', pattern: /^\/v1\/rollout\/abort$/, async handler(plane) {
    await plane.abortRollout();
    return JSON.parse((await plane.store.get(keys.rollout))!);
  } },
  { method: 'GET', pattern: /^\/v1\/rollout$/, async handler(plane) {
    const raw = await plane.store.get(keys.rollout);
    if (!raw) throw new WeftError(ErrorCodes.PLANE_NOT_FOUND, 'no rollout has run');
    return JSON.parse(raw);
  } },
  { method: 'POST', pattern: new RegExp(`^${JOIN_PATH}$`), open: true, async handler(plane, { req }) {
    return join(plane.ca, plane.store, await readJson(req), plane.snapshot.trustBundle ?? [], Date.now());
  } },
  { method: 'POST', pattern: new RegExp(`^${RENEW_PATH}$`), open: true, async handler(plane, { req }) {
    return renew(plane.ca, await readJson(req), plane.snapshot.trustBundle ?? [], Date.now());
  } },
  { method: 'GET', pattern: new RegExp(`^${BUNDLE_PATH}$`), open: true, async handler(plane) {
    return { trustDomain: plane.ca.trustDomain, bundle: plane.snapshot.trustBundle ?? [] };
  } },
  { method: 'POST', pattern: /^\/v1\/identity\/tokens$/, async handler(plane, { req }) {
    const { service, namespace = DEFAULT_NAMESPACE, ttlMs } = await readJson<{ service?: string; namespace?: string; ttlMs?: number }>(req);
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
    res.end(await plane.status.metrics.metrics());
    return undefined;
  } },
  { method: 'GET', pattern: /^\/healthz$/, open: true, async handler(plane) {
    return { ok: true, version: plane.snapshot.version, store: plane.store.description };
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

/** Store failures that are not WeftErrors (a dropped etcd connection, a locked file) become STORE_FAILED. */
function asWeftError(err: unknown): WeftError {
  if (err instanceof WeftError) return err;
  return new WeftError(ErrorCodes.STORE_FAILED, (err as Error).message);
}

export function createPlaneServer(plane: Plane, token: string): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://plane');
    const route = routes.find((r) => r.method === req.method && r.pattern.test(url.pathname));
    if (!route) {
      const known = routes.some((r) => r.pattern.test(url.pathname));
      reply(res, known ? 405 : 404, { error: ErrorCodes.PLANE_NOT_FOUND, message: `no ${req.method} ${url.pathname}` });
      return;
    }
    if (!route.open && !authorized(req.headers.authorization, token)) {
      req.resume();
      const message = req.headers.authorization ? "the plane refused the bearer token: it is not this plane's token" : 'a bearer token is required (--token or WEFT_TOKEN)';
      reply(res, 401, { error: ErrorCodes.PLANE_UNAUTHORIZED, message });
      return;
    }
    const params = route.pattern.exec(url.pathname)!.slice(1);
    const run = async () => {
      const body = await route.handler(plane, { req, res, params, query: url.searchParams });
      if (route.publishes) await plane.rebuild();
      return body;
    };
    run().then(
      (body) => { if (body !== undefined) reply(res, res.statusCode, body); },
      (err: unknown) => {
        const e = asWeftError(err);
        if (!STATUS_OF[e.code]) plane.log.error({ err: e.message, path: url.pathname }, 'request failed');
        reply(res, STATUS_OF[e.code] ?? 500, { error: e.code, message: e.message });
      },
    );
  });
}

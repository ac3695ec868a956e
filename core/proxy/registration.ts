// Keeps a sidecar's listener in the plane's service registry: registered under its workload's service, heartbeated, deregistered on stop.
import { planeRequest } from '../control/plane-request.ts';
import type { Logger } from '../observe/log.ts';
import type { AppProtocol } from '../config/settings.ts';

export interface RegistrationOptions {
  /** Plane URLs, tried in order. */
  planes: string[];
  token?: string;
  service: string;
  /** http://HOST:PORT of the listener: peers reach it there (the registry holds addresses; mTLS is the caller's side). */
  endpoint: string;
  ttlMs: number;
  /** The SPIFFE ID the sidecar's certificate carries: callers accept only it from this endpoint. */
  identity?: string;
  /** What the app speaks (`--app-protocol`), so callers' sidecars know a TCP service from an HTTP one. */
  protocol?: AppProtocol;
  /** Registration waits until this says yes (the app accepts connections); checked on each beat until then. */
  ready?: () => Promise<boolean>;
  log: Logger;
}

const REQUEST_TIMEOUT_MS = 5_000;

/** The status of the first plane that answers; throws when none does. */
async function callPlane(o: RegistrationOptions, method: 'PUT' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<number> {
  const failures: string[] = [];
  for (const plane of o.planes) {
    try {
      const res = await planeRequest(`${plane.replace(/\/$/, '')}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(o.token ? { authorization: `Bearer ${o.token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
        headersTimeout: REQUEST_TIMEOUT_MS, bodyTimeout: REQUEST_TIMEOUT_MS,
      });
      await res.body.dump();
      return res.statusCode;
    } catch (err) {
      failures.push(`${plane}: ${(err as Error).message}`);
    }
  }
  throw new Error(failures.join('; '));
}

/**
 * Registers with a TTL and heartbeats three times per TTL, so a sidecar that dies drops out by itself; a heartbeat
 * the plane no longer knows (expired, or a plane that lost it) registers again.
 */
export function keepRegistered(o: RegistrationOptions): { close(): Promise<void> } {
  const base = `/v1/services/${encodeURIComponent(o.service)}`;
  let registered = false;
  const beat = async () => {
    try {
      if (registered && await callPlane(o, 'POST', `${base}/heartbeat`, { endpoint: o.endpoint }) < 300) return;
      if (!registered && o.ready && !await o.ready()) {
        o.log.info({ service: o.service }, 'waiting for the app before registering');
        return;
      }
      const body = { endpoint: o.endpoint, tags: {}, ttlMs: o.ttlMs, ...(o.identity ? { identity: o.identity } : {}), ...(o.protocol ? { protocol: o.protocol } : {}) };
      const status = await callPlane(o, 'PUT', `${base}/instances`, body);
      registered = status < 300;
      if (registered) o.log.info({ service: o.service, endpoint: o.endpoint }, 'registered in the service registry');
      else o.log.warn({ service: o.service, endpoint: o.endpoint, status }, 'the plane refused the registration');
    } catch (err) {
      registered = false;
      o.log.warn({ err: (err as Error).message, service: o.service }, 'service registration failed; retrying');
    }
  };
  const first = beat();
  const timer = setInterval(() => void beat(), Math.max(100, Math.floor(o.ttlMs / 3)));
  return {
    async close() {
      clearInterval(timer);
      await first;
      await callPlane(o, 'DELETE', `${base}/instances?endpoint=${encodeURIComponent(o.endpoint)}`).catch(() => undefined);
    },
  };
}

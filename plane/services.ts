// The service registry: endpoints registered under a service name, kept alive by heartbeats, dropped when their TTL passes.
import { ErrorCodes, WeftError } from '../core/errors.ts';
import { keys, NAME_PATTERN, REGISTRY_PROTOCOLS } from './model.ts';
import type { RegistryProtocol, ServiceInstance } from './model.ts';
import { liveInstances } from './state.ts';
import type { Store } from './store/store.ts';
import { parseSpiffeId } from '../core/identity/spiffe.ts';

export interface Registration {
  endpoint: string;
  tags?: Record<string, string>;
  ttlMs?: number;
  /** A sidecar's SPIFFE ID: callers' sidecars accept only this identity from the endpoint's certificate. */
  identity?: string;
  /** What the app speaks: http1 or http2 (h2c; gRPC). */
  protocol?: string;
}

const ENDPOINT_PATTERN = /^http:\/\/[^/\s]+\/?$/;

function checkName(name: string): void {
  if (!NAME_PATTERN.test(name)) throw new WeftError(ErrorCodes.USAGE, `service name must match ${NAME_PATTERN.source}, got "${name}"`, 2);
}

/**
 * A sidecar may only claim an identity of its own service in the plane's trust domain: the registry is what
 * callers learn which certificate to expect from, so it must not let one service vouch for another.
 */
function checkIdentity(identity: unknown, service: string, trustDomain: string): void {
  const id = typeof identity === 'string' ? parseSpiffeId(identity) : undefined;
  if (!id || id.trustDomain !== trustDomain || id.service !== service) {
    throw new WeftError(ErrorCodes.USAGE, `identity must be a SPIFFE ID spiffe://${trustDomain}/ns/NS/sa/${service}, got "${String(identity)}"`, 2);
  }
}

export async function register(store: Store, service: string, r: Registration, now: number, trustDomain: string): Promise<ServiceInstance> {
  checkName(service);
  if (r.identity !== undefined) checkIdentity(r.identity, service, trustDomain);
  if (typeof r.endpoint !== 'string' || !ENDPOINT_PATTERN.test(r.endpoint)) {
    throw new WeftError(ErrorCodes.USAGE, `endpoint must be http://HOST:PORT, got "${String(r.endpoint)}"`, 2);
  }
  const ttlMs = r.ttlMs ?? 0;
  if (!Number.isInteger(ttlMs) || ttlMs < 0) throw new WeftError(ErrorCodes.USAGE, `ttl must be a whole number of ms, got ${ttlMs}`, 2);
  const tags = r.tags ?? {};
  if (typeof tags !== 'object' || !Object.values(tags).every((v) => typeof v === 'string')) {
    throw new WeftError(ErrorCodes.USAGE, 'tags must map names to strings', 2);
  }
  if (r.protocol !== undefined && !REGISTRY_PROTOCOLS.includes(r.protocol as RegistryProtocol)) {
    throw new WeftError(ErrorCodes.USAGE, `protocol must be one of ${REGISTRY_PROTOCOLS.join(', ')}, got "${String(r.protocol)}"`, 2);
  }
  const endpoint = r.endpoint.replace(/\/$/, '');
  const instance: ServiceInstance = {
    service, endpoint, tags, ttlMs, lastHeartbeat: now, heardSince: now,
    ...(r.identity ? { identity: r.identity } : {}), ...(r.protocol ? { protocol: r.protocol as RegistryProtocol } : {}),
  };
  await store.put(keys.service(service, endpoint), JSON.stringify(instance));
  return instance;
}

export async function heartbeat(store: Store, service: string, endpoint: string, now: number): Promise<ServiceInstance> {
  const key = keys.service(service, endpoint.replace(/\/$/, ''));
  const raw = await store.get(key);
  // An instance the sweep removed must register again: its tags and TTL are gone with it.
  if (!raw) throw new WeftError(ErrorCodes.PLANE_NOT_FOUND, `${endpoint} is not registered in service "${service}"`);
  const prev = JSON.parse(raw) as ServiceInstance;
  // A silence as long as the TTL (the instance's, or the plane's own while it was cut off) starts a new streak.
  const heardSince = now - prev.lastHeartbeat >= prev.ttlMs ? now : prev.heardSince ?? prev.lastHeartbeat;
  const instance: ServiceInstance = { ...prev, lastHeartbeat: now, heardSince };
  if (!await store.swap(key, raw, JSON.stringify(instance))) return heartbeat(store, service, endpoint, now);
  return instance;
}

export async function deregister(store: Store, service: string, endpoint: string): Promise<void> {
  if (!await store.delete(keys.service(service, endpoint.replace(/\/$/, '')))) {
    throw new WeftError(ErrorCodes.PLANE_NOT_FOUND, `${endpoint} is not registered in service "${service}"`);
  }
}

/** Deletes instances that no longer count; any replica may do it, and a heartbeat that raced in wins the swap. */
export async function sweep(store: Store, instances: ServiceInstance[]): Promise<void> {
  const live = new Set(liveInstances(instances));
  for (const i of instances) {
    if (live.has(i)) continue;
    await store.swap(keys.service(i.service, i.endpoint), JSON.stringify(i), undefined);
  }
}

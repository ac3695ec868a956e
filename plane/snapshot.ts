// Turns the mesh state into the one snapshot every proxy is sent: filter refs resolved, services resolved to endpoints.
import { createHash } from 'node:crypto';
import type { FilterRef, MeshService, RawCluster, Snapshot } from '../core/control/snapshot.ts';
import { parseFilterRef } from './model.ts';
import type { FilterVersion, MeshFilter, ServiceInstance } from './model.ts';
import { findVersion, liveInstances } from './state.ts';
import type { MeshState } from './state.ts';

/** How often proxies report per-version counts while a rollout runs. */
export const ROLLOUT_STATS_INTERVAL_MS = 1000;

/** The version an entry runs: its pin, or the filter's head (undefined when neither resolves). */
export function resolveEntry(state: MeshState, entry: MeshFilter): FilterVersion | undefined {
  const { name, pin } = parseFilterRef(entry.name);
  const version = pin ?? state.heads.get(name);
  return version === undefined ? undefined : findVersion(state, name, version);
}

function filterRefs(state: MeshState): FilterRef[] {
  const rollout = state.rollout?.phase === 'running' ? state.rollout : null;
  const refs: FilterRef[] = [];
  for (const entry of state.mesh?.filters ?? []) {
    const { name, pin } = parseFilterRef(entry.name);
    const inRollout = rollout && rollout.filter === name && pin === undefined;
    const base = inRollout ? findVersion(state, name, rollout.from) : resolveEntry(state, entry);
    // An entry whose version is gone (deleted by hand in the store) is left out rather than sent unresolvable.
    if (!base) continue;
    const ref: FilterRef = { name, version: base.version, sha256: base.sha256 };
    if (base.signature) ref.signature = base.signature;
    if (entry.config !== undefined) ref.config = entry.config;
    if (entry.root !== undefined) ref.root = entry.root;
    if (entry.vmId !== undefined) ref.vmId = entry.vmId;
    if (entry.fail !== undefined) ref.fail = entry.fail;
    const next = inRollout ? findVersion(state, name, rollout.to) : undefined;
    if (next) ref.canary = { version: next.version, sha256: next.sha256, percent: rollout!.percent, ...(next.signature ? { signature: next.signature } : {}) };
    refs.push(ref);
  }
  return refs;
}

function clusters(state: MeshState, live: ServiceInstance[]): RawCluster[] {
  return (state.mesh?.clusters ?? []).map((c) => {
    const { service, tags, endpoints, ...rest } = c;
    if (service === undefined) return { ...rest, endpoints: endpoints ?? [] };
    const chosen = withIdentityFirst(live
      .filter((i) => i.service === service && Object.entries(tags ?? {}).every(([k, v]) => i.tags[k] === v)));
    // The service name stays, so a sidecar dials these endpoints with mTLS to the identities the registry holds.
    return { ...rest, service, endpoints: chosen.map((i) => i.endpoint).sort() };
  });
}

/**
 * Once any instance of a service registered an identity, instances without one are left out: a caller's sidecar
 * must never fall back to plain text for a service that speaks mTLS.
 */
function withIdentityFirst(instances: ServiceInstance[]): ServiceInstance[] {
  const secured = instances.filter((i) => i.identity !== undefined);
  return secured.length ? secured : instances;
}

/** The registry as sidecars route to it: per service its live endpoints and the SPIFFE IDs their certificates carry. */
function meshServices(live: ServiceInstance[]): MeshService[] {
  const by = new Map<string, ServiceInstance[]>();
  for (const i of live) {
    const list = by.get(i.service);
    if (list) list.push(i);
    else by.set(i.service, [i]);
  }
  return [...by].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, all]) => {
    const chosen = withIdentityFirst(all);
    const service: MeshService = { name, endpoints: chosen.map((i) => i.endpoint).sort(), identities: [...new Set(chosen.flatMap((i) => (i.identity ? [i.identity] : [])))].sort() };
    // The protocol its instances declared, when they agree (instances mid-migration say nothing for the service).
    const protocols = new Set(chosen.flatMap((i) => (i.protocol ? [i.protocol] : [])));
    if (protocols.size === 1) service.protocol = [...protocols][0];
    return service;
  });
}

/** The snapshot for this state; `createdAt` is the caller's (it is not part of the version). */
export function buildSnapshot(state: MeshState, createdAt: number, reportIntervalMs?: number): Snapshot {
  const live = liveInstances(state.services);
  const body = {
    clusters: clusters(state, live),
    routes: state.mesh?.routes ?? [],
    filters: filterRefs(state),
    ...(state.rollout?.phase === 'running' ? { statsIntervalMs: ROLLOUT_STATS_INTERVAL_MS } : {}),
    ...(reportIntervalMs === undefined ? {} : { reportIntervalMs }),
    trustBundle: state.trustBundle,
    policies: state.policies.map((r) => r.policy),
    services: meshServices(live),
  };
  const version = createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 12);
  return { version, createdAt, ...body };
}

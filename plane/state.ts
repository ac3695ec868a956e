// Everything that decides what proxies are sent, read from the store in one pass, plus the lookups the API needs.
import type { Store } from './store/store.ts';
import { keys, parseFilterRef } from './model.ts';
import type { CaRootRecord, FilterHead, FilterVersion, MeshRecord, PolicyRecord, RolloutRecord, ServiceInstance } from './model.ts';

export interface MeshState {
  /** name → versions in push order. */
  filters: Map<string, FilterVersion[]>;
  heads: Map<string, string>;
  mesh: MeshRecord | null;
  services: ServiceInstance[];
  rollout: RolloutRecord | null;
  /** Every trusted root, PEM, oldest first (plane/ca/authority.ts publishes them). */
  trustBundle: string[];
  /** One per service, sorted by service so every replica builds the same snapshot. */
  policies: PolicyRecord[];
}

export async function loadState(store: Store): Promise<MeshState> {
  const [versions, heads, mesh, services, rollout, roots, policies] = await Promise.all([
    store.list('filters/'), store.list('heads/'), store.get(keys.mesh), store.list('services/'), store.get(keys.rollout), store.list(keys.caRoots),
    store.list(keys.policies),
  ]);
  const filters = new Map<string, FilterVersion[]>();
  for (const e of versions) {
    const v = JSON.parse(e.value) as FilterVersion;
    const list = filters.get(v.name) ?? [];
    list.push(v);
    filters.set(v.name, list);
  }
  for (const list of filters.values()) list.sort((a, b) => a.pushedAt - b.pushedAt || a.version.localeCompare(b.version));
  return {
    filters,
    heads: new Map(heads.map((e) => [e.key.slice('heads/'.length), (JSON.parse(e.value) as FilterHead).version])),
    mesh: mesh ? JSON.parse(mesh) as MeshRecord : null,
    services: services.map((e) => JSON.parse(e.value) as ServiceInstance),
    rollout: rollout ? JSON.parse(rollout) as RolloutRecord : null,
    trustBundle: roots.map((e) => JSON.parse(e.value) as CaRootRecord).sort((a, b) => a.addedAt - b.addedAt || a.pem.localeCompare(b.pem)).map((r) => r.pem),
    policies: policies.map((e) => JSON.parse(e.value) as PolicyRecord).sort((a, b) => (a.policy.service < b.policy.service ? -1 : a.policy.service > b.policy.service ? 1 : 0)),
  };
}

export function findVersion(state: MeshState, name: string, version: string): FilterVersion | undefined {
  return state.filters.get(name)?.find((v) => v.version === version);
}

/**
 * The instances that count. One drops out once the registry has gone on hearing others for a whole TTL of its own since
 * it was last heard. The clock is the heartbeats', not the wall's: a plane cut off from its sidecars, or from its store,
 * judges no one while it hears no one, and when heartbeats come back each instance has a full TTL from then to be heard
 * again, so a plane that returns never sends proxies a registry emptied by its own absence. Liveness is a function of
 * the stored records alone, so every replica reaches the same answer and it changes only when something is written.
 */
export function liveInstances(instances: ServiceInstance[]): ServiceInstance[] {
  // The latest stretch of time during which heartbeats kept coming: each instance's streak, merged in order of start.
  const streaks = instances.filter((i) => i.ttlMs > 0).map((i) => [i.heardSince ?? i.lastHeartbeat, i.lastHeartbeat]).sort((a, b) => a[0] - b[0]);
  let from = -Infinity;
  let to = -Infinity;
  for (const [since, last] of streaks) {
    if (since > to) from = since;
    to = Math.max(to, last);
  }
  return instances.filter((i) => i.ttlMs === 0 || to - Math.max(from, i.lastHeartbeat) < i.ttlMs);
}

/** Versions of `name` that something still refers to, with the reason for each. */
export function versionsInUse(state: MeshState, name: string): Map<string, string> {
  const used = new Map<string, string>();
  const head = state.heads.get(name);
  if (head) used.set(head, 'the current version');
  for (const [i, f] of (state.mesh?.filters ?? []).entries()) {
    const ref = parseFilterRef(f.name);
    if (ref.name === name && ref.pin !== undefined) used.set(ref.pin, `pinned by filters[${i}]`);
  }
  const r = state.rollout;
  if (r && r.phase === 'running' && r.filter === name) {
    used.set(r.from, 'the base of the running rollout');
    used.set(r.to, 'the version of the running rollout');
  }
  return used;
}

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

/** An instance counts until its TTL passes without a heartbeat. */
export function isLive(i: ServiceInstance, now: number): boolean {
  return i.ttlMs === 0 || i.lastHeartbeat + i.ttlMs > now;
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

// The records the plane keeps in its store, one JSON value per key, and the key each lives under.
import type { AuthorizationPolicy } from '../core/authz/policy.ts';
import type { Counts, FailPolicy, RawRoute, VersionCount } from '../core/control/snapshot.ts';

/** One immutable pushed version of a filter: `filters/NAME/versions/VERSION`. */
export interface FilterVersion {
  name: string;
  version: string;
  sha256: string;
  size: number;
  signature?: string;
  pushedAt: number;
}

/** Which version unpinned chain entries follow: `heads/NAME`. Pushing moves it; rollback moves it back. */
export interface FilterHead {
  version: string;
}

/** A chain entry as written in mesh config: `name` follows the head, `name@version` is pinned. */
export interface MeshFilter {
  name: string;
  config?: string | Record<string, unknown>;
  root?: string;
  vmId?: string;
  fail?: FailPolicy;
}

/** A cluster either lists endpoints or names a service (optionally narrowed by instance tags). */
export type MeshCluster = Record<string, unknown> & { name: string; endpoints?: string[]; service?: string; tags?: Record<string, string> };

/** The applied mesh config: `mesh`. Each kind carries the revision at which it last changed. */
export interface MeshRecord {
  revision: number;
  appliedAt: number;
  clusters: MeshCluster[];
  routes: RawRoute[];
  filters: MeshFilter[];
  revisions: { clusters: number; routes: number; filters: number };
}

/** A service's authorization policy, validated with its defaults filled in: `policies/SERVICE`. Applying again replaces it. */
export interface PolicyRecord {
  policy: AuthorizationPolicy;
  /** 1 for the first apply, then one more for each apply that changed it. */
  revision: number;
  appliedAt: number;
  /** The file it was applied from, as the client named it. */
  source: string;
}

/** One registered endpoint of a service: `services/NAME/<endpoint, URI-encoded>`. */
export interface ServiceInstance {
  service: string;
  endpoint: string;
  tags: Record<string, string>;
  /** 0: never expires; otherwise it drops out once the registry heard others this long while it was silent (plane/state.ts). */
  ttlMs: number;
  lastHeartbeat: number;
  /**
   * Since when it has been heard with no silence as long as its TTL: its registration, or the heartbeat that ended such
   * a silence. Absent in records written before it was kept (the last heartbeat stands in).
   */
  heardSince?: number;
  /** Set by sidecars: the SPIFFE ID their certificate carries (plane/services.ts checks it names this service). */
  identity?: string;
  /** What the instance's app speaks (a sidecar's --app-protocol, `weft service register --protocol`). */
  protocol?: RegistryProtocol;
}

/** The protocols a registered instance may declare: its app's, which its sidecar then speaks to it. */
export const REGISTRY_PROTOCOLS = ['http1', 'http2', 'tcp'] as const;
export type RegistryProtocol = typeof REGISTRY_PROTOCOLS[number];

/** What a proxy last told the plane: `nodes/NAME`. */
export interface NodeRecord {
  node: string;
  /** The version the proxy serves (its last ACKed one). */
  version: string;
  filters: { name: string; version: string }[];
  appliedAt: number;
  /** Seconds from the version's publication to its application, when the node was watching at publication. */
  propagationSeconds?: number;
  /** The node connected after its version was published and applied it on joining: no propagation time is measured for it. */
  joinedLate?: boolean;
  last: { version: string; ok: boolean; error?: string; at: number };
  lastSeen: number;
  /** A sidecar's workload certificate as of its last report. */
  identity?: { spiffeId: string; notAfter: number };
}

/** Per-version request and error counts of one proxy, cumulative since it started: `stats/NAME`. */
export interface NodeStats {
  at: number;
  counts: VersionCount[];
}


/** A trusted root in the store: `ca/roots/SHA256`; `addedAt` orders the bundle (oldest first) the same on every replica. */
export interface CaRootRecord {
  pem: string;
  addedAt: number;
}

export type RolloutPhase = 'running' | 'promoted' | 'rolled_back' | 'aborted';

/** Both versions side by side over the same window: `canary` is the new version, `stable` the one it replaces. */
export interface Comparison {
  canary: Counts;
  stable: Counts;
}

/** A decision of the controller, with the figures it was made on. */
export interface RolloutEvent {
  at: number;
  percent: number;
  event: string;
  reason: string;
  /** The step's figures, when the decision judged them. */
  figures?: Comparison;
}

/** The one rollout of the mesh (finished ones stay until the next starts): `rollout`. */
export interface RolloutRecord {
  filter: string;
  from: string;
  to: string;
  percent: number;
  step: number;
  intervalMs: number;
  /** How far above the stable version's error rate the new version's may be. */
  maxErrorRate: number;
  /** Fewer requests than this on a version in a step tell nothing about its error rate. */
  minRequests: number;
  phase: RolloutPhase;
  reason: string;
  startedAt: number;
  stepStartedAt: number;
  /**
   * Per node, both versions' cumulative counts when the step began, or at the node's first report of the
   * rollout if it came later: what the node served before that is not the step's.
   */
  baseline: Record<string, Comparison>;
  /** The stable version's figures from the last step it served enough requests in: a step at 100% is compared with them. */
  reference?: Counts;
  history: RolloutEvent[];
}

export const keys = {
  version: (name: string, version: string) => `filters/${name}/versions/${version}`,
  versions: (name: string) => `filters/${name}/versions/`,
  head: (name: string) => `heads/${name}`,
  mesh: 'mesh',
  service: (name: string, endpoint: string) => `services/${name}/${encodeURIComponent(endpoint)}`,
  node: (name: string) => `nodes/${name}`,
  stats: (name: string) => `stats/${name}`,
  rollout: 'rollout',
  /** A one-time join token, stored by its sha256 only (plane/ca/tokens.ts). */
  joinToken: (sha256: string) => `identity/tokens/${sha256}`,
  joinTokens: 'identity/tokens/',
  /** A root the mesh trusts, published by the replica that holds it: {pem, addedAt}. Every replica's roots form the bundle. */
  caRoot: (sha256: string) => `ca/roots/${sha256}`,
  caRoots: 'ca/roots/',
  policy: (service: string) => `policies/${service}`,
  policies: 'policies/',
  /** A plane replica's advertised API URL, refreshed every few seconds (plane/peers.ts). */
  replica: (id: string) => `replicas/${id}`,
  replicas: 'replicas/',
} as const;

/** Key prefixes whose changes alter what proxies are sent. */
export const SNAPSHOT_PREFIXES = ['filters/', 'heads/', 'mesh', 'services/', 'rollout', 'ca/roots/', 'policies/'];

export const NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;
export const VERSION_PATTERN = /^[A-Za-z0-9_.+-]+$/;

/** "auth@1.2" → { name: "auth", pin: "1.2" }; "auth" → { name: "auth" }. */
export function parseFilterRef(ref: string): { name: string; pin?: string } {
  const at = ref.indexOf('@');
  return at < 0 ? { name: ref } : { name: ref.slice(0, at), pin: ref.slice(at + 1) };
}

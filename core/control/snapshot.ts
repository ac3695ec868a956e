// The snapshot a plane sends each proxy: mesh config in the proxy's own config-file format plus content-addressed filter refs.
import type { AuthorizationPolicy } from '../authz/policy.ts';
import type { AppProtocol } from '../config/settings.ts';

export type FailPolicy = 'closed' | 'open' | 'reload';

/** A second version of one chain entry that serves `percent` of requests while a rollout runs. */
export interface CanaryRef {
  version: string;
  sha256: string;
  /** base64 ed25519 signature over the module bytes, when the version was pushed signed. */
  signature?: string;
  percent: number;
}

/** One filter chain entry, in chain order: which pushed version runs and how it is configured. */
export interface FilterRef {
  name: string;
  version: string;
  sha256: string;
  signature?: string;
  /** As in a config file: a string reaches the filter as is, an object as JSON text. */
  config?: string | Record<string, unknown>;
  root?: string;
  vmId?: string;
  fail?: FailPolicy;
  canary?: CanaryRef;
}

/**
 * Raw config-file entries (core/config/schema.ts); clusters are always given with endpoints, possibly none, and
 * `service` when the registry filled them (not a config-file field: a sidecar uses it to dial them over mTLS).
 */
export type RawCluster = Record<string, unknown> & { name: string; endpoints: string[]; service?: string };
export type RawRoute = Record<string, unknown> & { cluster: string };

/** How often a proxy posts its traffic summary when the snapshot does not say (`reportIntervalMs`). */
export const DEFAULT_REPORT_INTERVAL_MS = 5_000;

export interface Snapshot {
  /** Content digest of everything below except createdAt: equal on every plane replica for equal state. */
  version: string;
  /** When the plane first published this version (ms since the epoch); propagation is measured from it. */
  createdAt: number;
  clusters: RawCluster[];
  routes: RawRoute[];
  filters: FilterRef[];
  /** Set while a rollout runs: how often the proxy reports per-version request and error counts. */
  statsIntervalMs?: number;
  /** How often the proxy posts its traffic summary (core/observe/summary.ts); 5 s when absent. */
  reportIntervalMs?: number;
  /** Every root certificate (PEM) the mesh trusts for workload identities: two while a root rotation overlaps. */
  trustBundle?: string[];
  /** Authorization policies, one per service, validated with defaults filled in; each sidecar enforces its own service's (core/authz). */
  policies?: AuthorizationPolicy[];
  /** The service registry, for sidecars' outbound side (plane/snapshot.ts meshServices). */
  services?: MeshService[];
}

/** One service as a sidecar calls it: its sidecars' inbound endpoints and the SPIFFE IDs they may present (none: plain HTTP). */
export interface MeshService {
  name: string;
  endpoints: string[];
  identities: string[];
  /** What the service's apps speak, when its instances registered it (`--app-protocol`, `weft service register --protocol`): `tcp` makes callers' bound ports tunnels. */
  protocol?: AppProtocol;
}

/**
 * Requests that ran a chain, and its 5xx answers told apart by cause: the ones the chain's filters made (a trap
 * under a closed policy, a filter's own 5xx local reply or reset, a request held past its timeout) and all
 * the others (the upstream's 5xx, Weft's answers for upstream failures). A canary's chain differs from the
 * stable one only in the version rolled out, so a rollout compares the two (plane/rollout.ts).
 */
export interface Counts {
  requests: number;
  filterErrors: number;
  upstreamErrors: number;
}

/** Per filter version, cumulative since the proxy started: what a rollout judges a new version by (POST /v1/nodes/N/stats). */
export interface VersionCount extends Counts {
  filter: string;
  version: string;
}

/** Adds counts to those of one filter version in `into` (keyed "filter@version"). */
export function addCounts(into: Map<string, VersionCount>, filter: string, version: string, c: Counts): void {
  const key = `${filter}@${version}`;
  const sum = into.get(key) ?? { filter, version, requests: 0, filterErrors: 0, upstreamErrors: 0 };
  sum.requests += c.requests;
  sum.filterErrors += c.filterErrors;
  sum.upstreamErrors += c.upstreamErrors;
  into.set(key, sum);
}

/** Every module digest a snapshot needs, canaries included. */
export function moduleDigests(s: Snapshot): string[] {
  const out = new Set<string>();
  for (const f of s.filters) {
    out.add(f.sha256);
    if (f.canary) out.add(f.canary.sha256);
  }
  return [...out];
}

/** The signature the module with this digest was pushed with, as the snapshot carries it. */
export function signatureOf(s: Snapshot, sha256: string): string | undefined {
  for (const f of s.filters) {
    if (f.sha256 === sha256 && f.signature) return f.signature;
    if (f.canary?.sha256 === sha256 && f.canary.signature) return f.canary.signature;
  }
  return undefined;
}

// What each proxy applied and when: ACK/NACK records, per-version counts for rollouts, the propagation metric, and forgetting proxies gone for good.
import { Histogram, Registry as MetricRegistry, Gauge } from 'prom-client';
import { ErrorCodes, WeftError } from '../core/errors.ts';
import { keys } from './model.ts';
import type { VersionCount } from '../core/control/snapshot.ts';
import type { NodeRecord, NodeStats } from './model.ts';
import type { Store } from './store/store.ts';

export interface AckReport {
  version: string;
  ok: boolean;
  error?: string;
  /** When the proxy finished applying (ms since the epoch, the proxy's clock). */
  appliedAt?: number;
  filters?: { name: string; version: string }[];
  /** A sidecar's workload certificate: its SPIFFE ID and when it expires. */
  identity?: { spiffeId: string; notAfter: number };
}

/** Only the two fields shown, and only when well-formed: the report comes from the network. */
function validIdentity(x: unknown): { spiffeId: string; notAfter: number } | undefined {
  const i = x as { spiffeId?: unknown; notAfter?: unknown } | undefined;
  return typeof i?.spiffeId === 'string' && typeof i.notAfter === 'number' ? { spiffeId: i.spiffeId, notAfter: i.notAfter } : undefined;
}

export interface NodeStatus extends NodeRecord {
  connected: boolean;
  /** Seconds the node has been behind the current version; 0 when it serves it. */
  lagSeconds: number;
}

export interface StatusReport {
  version: string;
  createdAt: number;
  nodes: NodeStatus[];
  /** The node that took longest to apply the current version, among those watching when it was published. */
  slowest: { node: string; seconds: number } | null;
  watchers: number;
}

/** Versions this plane published and when: propagation is measured from there. */
const REMEMBERED_VERSIONS = 256;

export class StatusBook {
  readonly metrics = new MetricRegistry();
  readonly #store: Store;
  readonly #published = new Map<string, number>();
  readonly #propagation: Histogram;

  constructor(store: Store, watchers: () => number) {
    this.#store = store;
    this.#propagation = new Histogram({
      name: 'weft_config_propagation_seconds',
      help: 'Time from a snapshot version being published to a proxy reporting it applied',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers: [this.metrics],
    });
    new Gauge({ name: 'weft_plane_watchers', help: 'Open proxy watch streams on this plane', registers: [this.metrics], collect() { this.set(watchers()); } });
  }

  /** A version published again (a rollback to an earlier state) is measured from its latest publication. */
  published(version: string, at: number): void {
    this.#published.delete(version);
    this.#published.set(version, at);
    if (this.#published.size > REMEMBERED_VERSIONS) this.#published.delete(this.#published.keys().next().value!);
  }

  publishedAt(version: string): number | undefined {
    return this.#published.get(version);
  }

  /**
   * Records an ACK or NACK. Only a node that is watching this plane (`connectedSince`, when its stream opened) or
   * that has a record may report: anyone with the token could otherwise fill `weft status` with names. Its time
   * from publication to application is a propagation time only if it was watching when the version was published;
   * one that connected later applied it on joining, and is marked so instead.
   */
  async ack(node: string, report: AckReport, now: number, connectedSince: number | undefined): Promise<NodeRecord> {
    const raw = await this.#store.get(keys.node(node));
    if (!raw && connectedSince === undefined) throw notWatching(node);
    const prev = raw ? JSON.parse(raw) as NodeRecord : null;
    const last = { version: report.version, ok: report.ok, at: now, ...(report.ok ? {} : { error: report.error ?? 'rejected' }) };
    const identity = validIdentity(report.identity) ?? prev?.identity;
    let record: NodeRecord;
    if (report.ok) {
      const appliedAt = report.appliedAt ?? now;
      // The same version reported again (a renewed certificate, a reconnection) keeps how it first arrived.
      const arrival = prev?.version === report.version
        ? { propagationSeconds: prev.propagationSeconds, joinedLate: prev.joinedLate }
        : this.#arrival(report.version, appliedAt, connectedSince);
      record = { node, version: report.version, filters: report.filters ?? [], appliedAt, last, lastSeen: now, ...arrival };
    } else {
      record = prev ? { ...prev, last, lastSeen: now } : { node, version: '', filters: [], appliedAt: 0, last, lastSeen: now };
    }
    if (identity) record.identity = identity;
    await this.#store.put(keys.node(node), JSON.stringify(record));
    return record;
  }

  /** How a version reached a node: timed from its publication if the node was watching then, else a late join (or not known). */
  #arrival(version: string, appliedAt: number, connectedSince: number | undefined): Pick<NodeRecord, 'propagationSeconds' | 'joinedLate'> {
    const publishedAt = this.#published.get(version);
    if (publishedAt === undefined || connectedSince === undefined) return {};
    if (connectedSince > publishedAt) return { joinedLate: true };
    // Clocks of plane and proxy may differ slightly; a negative span is reported as zero rather than dropped.
    const propagationSeconds = Math.max(0, appliedAt - publishedAt) / 1000;
    this.#propagation.observe(propagationSeconds);
    return { propagationSeconds };
  }

  async seen(node: string, now: number): Promise<void> {
    const raw = await this.#store.get(keys.node(node));
    if (raw) await this.#store.swap(keys.node(node), raw, JSON.stringify({ ...JSON.parse(raw) as NodeRecord, lastSeen: now }));
  }

  /** Whether the plane has a record of the node (it ACKed or NACKed a snapshot and has not expired). */
  async known(node: string): Promise<boolean> {
    return (await this.#store.get(keys.node(node))) !== undefined;
  }

  /** Refuses a report (counts, a traffic summary) from a node that neither watches this plane nor has a record. */
  async mayReport(node: string, watching: boolean): Promise<void> {
    if (!watching && !await this.known(node)) throw notWatching(node);
  }

  /** Per-version counts during a rollout; like an ACK, only from a node that is watching or known. */
  async stats(node: string, counts: VersionCount[], now: number, watching: boolean): Promise<void> {
    await this.mayReport(node, watching);
    const record: NodeStats = { at: now, counts };
    await this.#store.put(keys.stats(node), JSON.stringify(record));
  }

  /**
   * Forgets nodes that stopped watching more than `ttlMs` ago (their record and counts), and keeps the records of
   * nodes watching this replica fresh, so that no replica forgets a node another one serves. Every replica runs
   * it; each write is a compare-and-set, so an ACK that lands meanwhile wins.
   */
  async expire(connected: ReadonlySet<string>, now: number, ttlMs: number): Promise<void> {
    for (const e of await this.#store.list('nodes/')) {
      const r = JSON.parse(e.value) as NodeRecord;
      if (connected.has(r.node)) {
        if (now - r.lastSeen > ttlMs / 2) await this.#store.swap(e.key, e.value, JSON.stringify({ ...r, lastSeen: now }));
      } else if (now - r.lastSeen > ttlMs && await this.#store.swap(e.key, e.value, undefined)) {
        await this.#store.delete(keys.stats(r.node));
      }
    }
  }

  async report(current: { version: string; createdAt: number }, connected: ReadonlySet<string>, watchers: number, now: number): Promise<StatusReport> {
    const nodes = (await this.#store.list('nodes/')).map((e) => {
      const r = JSON.parse(e.value) as NodeRecord;
      const behind = r.version !== current.version;
      return {
        ...r,
        connected: connected.has(r.node),
        lastSeen: connected.has(r.node) ? now : r.lastSeen,
        lagSeconds: behind ? Math.max(0, now - current.createdAt) / 1000 : 0,
      };
    });
    let slowest: StatusReport['slowest'] = null;
    for (const n of nodes) {
      if (n.version !== current.version || n.propagationSeconds === undefined) continue;
      if (!slowest || n.propagationSeconds > slowest.seconds) slowest = { node: n.node, seconds: n.propagationSeconds };
    }
    return { version: current.version, createdAt: current.createdAt, nodes, slowest, watchers };
  }
}

function notWatching(node: string): WeftError {
  return new WeftError(ErrorCodes.PLANE_NOT_FOUND, `node "${node}" is not watching this plane and has no record: a proxy reports on the snapshots its watch was sent`);
}

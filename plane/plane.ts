// One plane replica: keeps the current snapshot in step with the store, serves it to watchers, runs the TTL sweep and the rollout controller.
import type { Snapshot } from '../core/control/snapshot.ts';
import { ErrorCodes, WeftError } from '../core/errors.ts';
import type { Logger } from '../core/observe/log.ts';
import type { Authority } from './ca/authority.ts';
import { invalidMesh, storeMesh, validateMesh } from './mesh.ts';
import type { MeshFilter, MeshRecord } from './model.ts';
import { keys, parseFilterRef, SNAPSHOT_PREFIXES } from './model.ts';
import { Registry } from './registry.ts';
import { abortRollout, commitRollout, planRollout, tickRollout } from './rollout.ts';
import type { RolloutRequest } from './rollout.ts';
import { sweep } from './services.ts';
import { buildSnapshot, resolveEntry } from './snapshot.ts';
import { loadState } from './state.ts';
import type { MeshState } from './state.ts';
import { DEFAULT_STATS_WINDOW_MS, StatsWindow } from './stats.ts';
import { StatusBook } from './status.ts';
import type { Store } from './store/store.ts';
import { WatchHub } from './watch.ts';
import { Asks } from './explain.ts';
import { Peers } from './peers.ts';

/** How often a replica looks at the rollout's numbers and sweeps expired service instances. */
const CONTROL_TICK_MS = 250;
/** Writes usually come in bursts (a push writes module, version and head): rebuild once after them. */
const REBUILD_DELAY_MS = 5;
/** A proxy that stopped watching stays in `weft status` this long by default (`--node-ttl`). */
const DEFAULT_NODE_TTL_MS = 3600_000;

export interface PlaneOptions {
  /** How long a node that stopped watching keeps its record (and `weft status` lists it). */
  nodeTtlMs?: number;
  /** How long proxies' traffic reports are kept for GET /v1/stats (`--stats-window`, 15 min). */
  statsWindowMs?: number;
  /** How often proxies post them (`--report-interval`; the proxies' own 5 s when not given). */
  reportIntervalMs?: number;
  /**
   * Where the other replicas reach this one's API (`--advertise`) and the token they present: advertised in the
   * store, so that stats and request stories cover the proxies of every replica. Without it, this replica's only.
   */
  advertise?: { url: string; token: string };
}

export class Plane {
  readonly store: Store;
  readonly registry: Registry;
  readonly status: StatusBook;
  /** The proxies' traffic reports of the last window (plane/stats.ts). */
  readonly stats: StatsWindow;
  readonly reportIntervalMs: number | undefined;
  readonly hub: WatchHub;
  /** Questions about requests put to the proxies watching this replica (`weft explain`). */
  readonly asks: Asks;
  /** The other replicas on the store, asked for their part of GET /v1/stats and request stories (plane/peers.ts). */
  readonly peers: Peers | null;
  readonly log: Logger;
  /** Issues workload certificates; the roots it publishes to the store go out in every snapshot as the trust bundle. */
  readonly ca: Authority;
  state: MeshState | null = null;
  snapshot: Snapshot;
  #unwatch: () => void;
  #rebuild: NodeJS.Timeout | null = null;
  #tick: NodeJS.Timeout;
  #ticking = false;
  readonly #nodeTtlMs: number;
  /** Node records are swept a few times per TTL (at most once a minute), not on every tick: a sweep lists them all. */
  #nextNodeSweep = 0;
  #rebuilding: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(store: Store, log: Logger, ca: Authority, options: PlaneOptions = {}) {
    this.store = store;
    this.#nodeTtlMs = options.nodeTtlMs ?? DEFAULT_NODE_TTL_MS;
    this.log = log;
    this.ca = ca;
    this.registry = new Registry(store);
    this.hub = new WatchHub((node, connected) => {
      if (!connected) this.status.seen(node, Date.now()).catch((err: unknown) => this.#storeError(err));
    });
    this.asks = new Asks(this.hub);
    this.peers = options.advertise ? new Peers(store, options.advertise.url, options.advertise.token, log) : null;
    this.status = new StatusBook(store, () => this.hub.size);
    this.stats = new StatsWindow(options.statsWindowMs ?? DEFAULT_STATS_WINDOW_MS, this.status.metrics);
    this.reportIntervalMs = options.reportIntervalMs;
    this.snapshot = { version: '', createdAt: 0, clusters: [], routes: [], filters: [] };
    this.#unwatch = store.watch((key) => {
      if (SNAPSHOT_PREFIXES.some((p) => key.startsWith(p))) this.#scheduleRebuild();
    });
    this.#tick = setInterval(() => this.#control(), CONTROL_TICK_MS);
  }

  /** Reads the store and publishes the first snapshot. */
  async start(): Promise<void> {
    this.registry.sandbox.warm();
    await this.rebuild();
    await this.peers?.start();
  }

  /** Rebuilds one at a time: a slow read finishing after a newer one must not publish older state. */
  rebuild(): Promise<void> {
    const run = this.#rebuilding.then(() => this.#rebuildNow());
    this.#rebuilding = run.catch(() => undefined);
    return run;
  }

  async #rebuildNow(): Promise<void> {
    const state = await loadState(this.store);
    this.state = state;
    // An instance judged gone is deleted at once, not at the next tick: liveness is relative to the others' heartbeats,
    // so one left in the store would count again if every instance that outlived it left before the sweep.
    sweep(this.store, state.services).catch((err: unknown) => this.#storeError(err));
    const next = buildSnapshot(state, Date.now(), this.reportIntervalMs);
    if (next.version !== this.snapshot.version) {
      this.snapshot = next;
      this.status.published(next.version, next.createdAt);
      this.hub.publish(next);
      this.log.info({ version: next.version, filters: next.filters.map((f) => `${f.name}@${f.version}${f.canary ? `+${f.canary.version}:${f.canary.percent}%` : ''}`) }, 'snapshot published');
    }
  }

  /** Validates, sandboxes each chain entry with its config, stores. */
  async apply(doc: unknown, source: string): Promise<MeshRecord> {
    const state = await loadState(this.store);
    const mesh = validateMesh(doc, source, state);
    const problems: string[] = [];
    // Each chain entry with its config, and each route's config override with the entry it overrides.
    const cases: { path: string; entry: MeshFilter }[] = mesh.filters.map((entry, i) => ({ path: `filters[${i}]`, entry }));
    mesh.routes.forEach((route, r) => {
      for (const [name, override] of Object.entries((route.filters ?? {}) as Record<string, { config?: MeshFilter['config'] }>)) {
        const entry = mesh.filters.find((f) => parseFilterRef(f.name).name === name);
        if (entry && override.config !== undefined) cases.push({ path: `routes[${r}].filters.${name}`, entry: { ...entry, config: override.config } });
      }
    });
    for (const { path, entry } of cases) {
      const record = resolveEntry(state, entry)!;
      try {
        await this.registry.checkEntry(record, { label: path, entry });
      } catch (err) {
        problems.push(`${path}.config: ${record.name}@${record.version} does not start with it: ${(err as Error).message}`);
      }
    }
    if (problems.length) throw invalidMesh(source, problems);
    const record = await storeMesh(this.store, mesh, Date.now());
    await this.rebuild();
    return record;
  }

  async startRollout(req: RolloutRequest): Promise<void> {
    const state = await loadState(this.store);
    const record = planRollout(state, req, Date.now());
    // A version pushed with --hold has not met the chain's configs yet.
    const target = state.filters.get(req.filter)!.find((v) => v.version === req.version)!;
    for (const [i, entry] of (state.mesh?.filters ?? []).entries()) {
      if (parseFilterRef(entry.name).name === req.filter && resolveEntry(state, entry)) await this.registry.checkEntry(target, { label: `filters[${i}]`, entry });
    }
    const raw = await this.store.get(keys.rollout);
    if (!await commitRollout(this.store, raw as string, record)) {
      throw new WeftError(ErrorCodes.ROLLOUT_CONFLICT, 'another rollout started at the same time');
    }
    await this.rebuild();
  }

  async abortRollout(): Promise<void> {
    await abortRollout(this.store, Date.now());
    await this.rebuild();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#unwatch();
    clearInterval(this.#tick);
    if (this.#rebuild) clearTimeout(this.#rebuild);
    this.hub.close();
    await this.peers?.close();
    await this.registry.sandbox.close();
  }

  #scheduleRebuild(): void {
    if (this.#rebuild || this.#closed) return;
    this.#rebuild = setTimeout(() => {
      this.#rebuild = null;
      this.rebuild().catch((err: unknown) => this.#storeError(err));
    }, REBUILD_DELAY_MS);
  }

  #control(): void {
    if (this.#ticking || this.#closed) return;
    this.#ticking = true;
    const now = Date.now();
    const sweepNodes = now >= this.#nextNodeSweep;
    if (sweepNodes) this.#nextNodeSweep = now + Math.min(Math.max(this.#nodeTtlMs / 4, CONTROL_TICK_MS), 60_000);
    Promise.all([
      tickRollout(this.store, now),
      this.state ? sweep(this.store, this.state.services) : undefined,
      sweepNodes ? this.status.expire(this.hub.connected(), now, this.#nodeTtlMs) : undefined,
    ]).catch((err: unknown) => this.#storeError(err)).finally(() => { this.#ticking = false; });
  }

  #storeError(err: unknown): void {
    if (!this.#closed) this.log.error({ err: (err as Error).message }, 'store operation failed');
  }
}

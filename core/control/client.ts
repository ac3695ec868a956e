// The proxy's control-plane client: watch with failover, modules by digest (checked, signed, cached), apply, ACK/NACK, last known good.
import type { KeyObject } from 'node:crypto';
import { PlaneAgent, planeRequest } from './plane-request.ts';
import { ErrorCodes, WeftError } from '../errors.ts';
import type { Logger } from '../observe/log.ts';
import { mergeSummary } from '../observe/summary.ts';
import type { TrafficSummary } from '../observe/summary.ts';
import { ControlDisk } from './disk.ts';
import { DEFAULT_REPORT_INTERVAL_MS, moduleDigests, signatureOf } from './snapshot.ts';
import type { Snapshot, VersionCount } from './snapshot.ts';
import type { StoryAnswer, StoryAsk } from '../observe/story.ts';
import { checkSignature, sha256Hex } from './signature.ts';

export type { VersionCount } from './snapshot.ts';

export interface ControlClientOptions {
  /** Plane URLs; the watch fails over to the next when one stops answering. */
  planes: string[];
  node: string;
  dataDir: string;
  /** The plane's bearer token: every call but health and metrics needs it. */
  token?: string;
  /** ed25519 public keys: when given, every module must carry a signature one of them verifies. */
  trustKeys?: KeyObject[];
  /**
   * Builds and swaps in the snapshot's chain; a rejection NACKs the version with its message and changes nothing.
   * `disk` holds every module of the snapshot as a file: settingsFromSnapshot(snapshot, disk) names them.
   */
  apply: (snapshot: Snapshot, modules: Map<string, Uint8Array>, disk: ControlDisk) => Promise<void>;
  /**
   * Per-version counts, read at each report while the plane asks for them (during a rollout). Read then, not kept
   * from an earlier read: the first report of a rollout is its baseline, and must not be older than the rollout.
   */
  stats?: () => Promise<VersionCount[]> | VersionCount[];
  /** Answers the plane's questions about recent requests (`weft explain`), put on the watch stream. */
  stories?: (ask: StoryAsk) => Promise<StoryAnswer>;
  /**
   * What the proxy served since the last call (deltas, core/observe/summary.ts), posted to the plane every
   * snapshot's `reportIntervalMs` (default 5 s); a report the plane did not take is merged into the next one.
   */
  summary?: () => Promise<TrafficSummary>;
  /**
   * The roots (PEM) workload certificates must chain to, from each served snapshot that carries them
   * (IdentityManager.updateTrustBundle): a root rotation reaches listeners with the config.
   */
  trustBundle?: (pems: string[]) => void;
  /** The workload certificate the proxy serves, reported with each ACK so `weft status` shows who each proxy is. */
  identity?: () => { spiffeId: string; notAfter: number } | undefined;
  log?: Logger;
}

export interface ControlState {
  /** The version being served, '' before the first. */
  version: string;
  /** Whether it came from disk (last known good) or from a plane. */
  source: 'disk' | 'plane' | 'none';
  /** The plane the watch is connected to, '' while disconnected. */
  connectedTo: string;
  /** The error of the last NACK, or of the last failed connection. */
  lastError: string;
}

/** No line (snapshot or ping) for this long means the plane or the path to it is gone. */
const WATCH_IDLE_MS = 15_000;
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 3_000;

export class ControlClient {
  readonly state: ControlState = { version: '', source: 'none', connectedTo: '', lastError: '' };
  current: Snapshot | null = null;
  readonly #o: ControlClientOptions;
  /** Module files and the last known good snapshot; settingsFromSnapshot(snapshot, client.disk) reads modules from here. */
  readonly disk: ControlDisk;
  readonly #agent = new PlaneAgent({ connections: 4, keepAliveMs: 10_000 });
  readonly #abort = new AbortController();
  #pending: { snapshot: Snapshot; plane: string } | null = null;
  #applying = false;
  /** The apply loop now running (or the last one): close() waits for it, so nothing is scheduled after close. */
  #drained: Promise<void> = Promise.resolve();
  #statsTimer: NodeJS.Timeout | null = null;
  #summaryTimer: NodeJS.Timeout | null = null;
  #summaryEvery = 0;
  /** A summary the plane has not taken yet (unreachable, or refused): the next report carries it. */
  #unsent: TrafficSummary | null = null;
  #reporting = false;
  #loop: Promise<void> | null = null;
  #firstApplied: () => void = () => undefined;
  /** Settles once a snapshot (from disk or a plane) is being served. */
  readonly ready: Promise<void>;

  constructor(options: ControlClientOptions) {
    if (!options.planes.length) throw new WeftError(ErrorCodes.USAGE, 'the control client needs at least one plane URL', 2);
    this.#o = { ...options, planes: options.planes.map((p) => p.replace(/\/$/, '')) };
    this.disk = new ControlDisk(options.dataDir);
    this.ready = new Promise((resolve) => { this.#firstApplied = resolve; });
  }

  /**
   * Serves the last known good snapshot from disk (if any), then watches the planes. Both run after start()
   * returns, so an `apply` that refers to the client it was created with sees it assigned; `ready` says when.
   */
  start(): void {
    this.#loop = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#applyLastGood())
      .then(() => this.#watchLoop());
  }

  /**
   * Reports the served version again, with the identity as it is now: after a renewal between two snapshots, and on
   * each new watch stream.
   */
  reportServed(): void {
    const plane = this.state.connectedTo;
    if (this.current && plane && !this.#applying) void this.#ack(plane, this.current, true, '').catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.#abort.signal.aborted) return;
    this.#abort.abort();
    await this.#loop;
    // An apply under way when the proxy was told to stop finishes first; its stats timer (a rollout's) would
    // otherwise start after this and keep the process alive.
    await this.#drained;
    if (this.#statsTimer) clearInterval(this.#statsTimer);
    if (this.#summaryTimer) clearInterval(this.#summaryTimer);
    this.#agent.close();
  }

  async #applyLastGood(): Promise<void> {
    const snapshot = this.disk.readLastGood();
    if (!snapshot) return;
    try {
      const modules = new Map<string, Uint8Array>();
      for (const sha of moduleDigests(snapshot)) {
        const bytes = this.disk.readModule(sha);
        if (!bytes) throw new Error(`cached module ${sha} is missing or corrupt`);
        checkSignature(bytes, signatureOf(snapshot, sha), this.#o.trustKeys ?? [], sha);
        modules.set(sha, bytes);
      }
      await this.#o.apply(snapshot, modules, this.disk);
      this.#served(snapshot, 'disk');
      this.#o.log?.info({ version: snapshot.version }, 'serving the last known good snapshot from disk');
    } catch (err) {
      this.#o.log?.warn({ err: (err as Error).message }, 'last known good snapshot not usable; waiting for a plane');
    }
  }

  async #watchLoop(): Promise<void> {
    let delay = RETRY_MIN_MS;
    let failuresInRound = 0;
    for (let i = 0; !this.#abort.signal.aborted; i = (i + 1) % this.#o.planes.length) {
      const plane = this.#o.planes[i];
      const gotData = await this.#watch(plane).catch((err: unknown) => {
        if (!this.#abort.signal.aborted) {
          this.state.lastError = `${plane}: ${(err as Error).message}`;
          this.#o.log?.warn({ plane, err: (err as Error).message }, 'watch failed');
        }
        return false;
      });
      this.state.connectedTo = '';
      if (gotData) {
        delay = RETRY_MIN_MS;
        failuresInRound = 0;
        // The plane that served us just went away: try the next one at once.
        continue;
      }
      // Try each plane once before waiting, then back off while none answers.
      if (++failuresInRound < this.#o.planes.length) continue;
      failuresInRound = 0;
      await sleep(delay, this.#abort.signal);
      delay = Math.min(delay * 2, RETRY_MAX_MS);
    }
  }

  /** One watch stream until it ends; true when the plane answered. */
  async #watch(plane: string): Promise<boolean> {
    const url = `${plane}/v1/watch?node=${encodeURIComponent(this.#o.node)}&version=${encodeURIComponent(this.state.version)}`;
    const res = await planeRequest(url, {
      agent: this.#agent, signal: this.#abort.signal, headersTimeout: 5_000, bodyTimeout: WATCH_IDLE_MS,
      headers: this.#auth(),
    });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new Error(`watch answered ${res.statusCode}`);
    }
    this.state.connectedTo = plane;
    this.#o.log?.info({ plane }, 'watching plane');
    let buffered = '';
    let first = true;
    try {
      for await (const chunk of res.body) {
        buffered += (chunk as Buffer).toString('utf8');
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (!line) continue;
          const snapshot = this.#message(line, plane);
          // A plane that has our version opens with a ping, not a snapshot: the ACK tells it (and `weft status`) that
          // this node is back and current, after a reconnection or a failover.
          if (first && !snapshot) this.reportServed();
          first = false;
        }
      }
    } catch (err) {
      if (!this.#abort.signal.aborted) this.#o.log?.warn({ plane, err: (err as Error).message }, 'watch stream broke');
    }
    return true;
  }

  /** Queues a snapshot for applying, or answers an ask; false for any other message (a ping). */
  #message(line: string, plane: string): boolean {
    const msg = JSON.parse(line) as { type: string; snapshot?: Snapshot } & StoryAsk;
    if (msg.type === 'ask') {
      void this.#answer(msg, plane);
      return false;
    }
    if (msg.type !== 'snapshot' || !msg.snapshot) return false;
    // Only the newest snapshot matters: one that arrives during an apply replaces any still waiting.
    this.#pending = { snapshot: msg.snapshot, plane };
    if (!this.#applying) this.#drained = this.#drain();
    return true;
  }

  async #drain(): Promise<void> {
    this.#applying = true;
    while (this.#pending && !this.#abort.signal.aborted) {
      const { snapshot, plane } = this.#pending;
      this.#pending = null;
      if (snapshot.version === this.state.version) {
        await this.#ack(plane, snapshot, true, '');
        continue;
      }
      try {
        const modules = await this.#modules(snapshot, plane);
        await this.#o.apply(snapshot, modules, this.disk);
      } catch (err) {
        const message = (err as Error).message;
        this.state.lastError = message;
        this.#o.log?.warn({ version: snapshot.version, err: message }, 'snapshot rejected (NACK); still serving the previous one');
        await this.#ack(plane, snapshot, false, message);
        continue;
      }
      this.disk.writeLastGood(snapshot);
      this.#served(snapshot, 'plane');
      await this.#ack(plane, snapshot, true, '');
    }
    this.#applying = false;
  }

  #served(snapshot: Snapshot, source: 'disk' | 'plane'): void {
    this.current = snapshot;
    this.state.version = snapshot.version;
    this.state.source = source;
    this.#scheduleStats(snapshot.statsIntervalMs);
    this.#scheduleSummary(snapshot.reportIntervalMs ?? DEFAULT_REPORT_INTERVAL_MS);
    if (snapshot.trustBundle?.length) this.#o.trustBundle?.(snapshot.trustBundle);
    this.#firstApplied();
  }

  /** Every module of the snapshot: from disk when cached, else fetched from the plane; digest and signature checked. */
  async #modules(snapshot: Snapshot, plane: string): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    for (const sha of moduleDigests(snapshot)) {
      let bytes = this.disk.readModule(sha);
      if (!bytes) {
        bytes = await this.#fetchModule(sha, plane);
        this.disk.writeModule(sha, bytes);
      }
      const ref = snapshot.filters.find((f) => f.sha256 === sha || f.canary?.sha256 === sha)!;
      const label = ref.sha256 === sha ? `${ref.name}@${ref.version}` : `${ref.name}@${ref.canary!.version}`;
      checkSignature(bytes, signatureOf(snapshot, sha), this.#o.trustKeys ?? [], label);
      out.set(sha, bytes);
    }
    return out;
  }

  async #fetchModule(sha: string, plane: string): Promise<Uint8Array> {
    const res = await planeRequest(`${plane}/v1/modules/${sha}`, { agent: this.#agent, signal: this.#abort.signal, headersTimeout: 10_000, bodyTimeout: 10_000, headers: this.#auth() });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new Error(`fetching module ${sha}: plane answered ${res.statusCode}`);
    }
    const bytes = new Uint8Array(await res.body.arrayBuffer());
    const got = sha256Hex(bytes);
    if (got !== sha) throw new WeftError(ErrorCodes.MODULE_DIGEST_MISMATCH, `module ${sha} arrived with sha256 ${got}`);
    return bytes;
  }

  async #ack(plane: string, snapshot: Snapshot, ok: boolean, error: string): Promise<void> {
    const body: Record<string, unknown> = { version: snapshot.version, ok, appliedAt: Date.now() };
    if (ok) body.filters = snapshot.filters.map((f) => ({ name: f.name, version: f.canary ? `${f.version}+${f.canary.version}` : f.version }));
    else body.error = error;
    const identity = this.#o.identity?.();
    if (identity) body.identity = { spiffeId: identity.spiffeId, notAfter: identity.notAfter };
    await this.#post(plane, `/v1/nodes/${encodeURIComponent(this.#o.node)}/ack`, body);
  }

  /** The plane waits for every node it asked: one that cannot answer says so with an empty answer. */
  async #answer(ask: StoryAsk, plane: string): Promise<void> {
    if (typeof ask.ask !== 'string') return;
    const answer = await Promise.resolve(this.#o.stories?.(ask)).catch((err: unknown) => {
      this.#o.log?.warn({ err: (err as Error).message }, 'reading request stories failed');
      return undefined;
    });
    await this.#post(plane, `/v1/nodes/${encodeURIComponent(this.#o.node)}/answers/${encodeURIComponent(ask.ask)}`, answer ?? {});
  }

  /** Whether the plane took the report. */
  async #post(plane: string, path: string, body: unknown): Promise<boolean> {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...this.#auth() };
    try {
      const res = await planeRequest(`${plane}${path}`, { method: 'POST', headers, body: JSON.stringify(body), agent: this.#agent, signal: this.#abort.signal, headersTimeout: 5_000 });
      await res.body.dump();
      if (res.statusCode < 300) return true;
      this.#o.log?.warn({ plane, path, status: res.statusCode }, 'plane refused a report');
    } catch (err) {
      if (!this.#abort.signal.aborted) this.#o.log?.warn({ plane, path, err: (err as Error).message }, 'report to the plane failed');
    }
    return false;
  }

  #auth(): Record<string, string> {
    return this.#o.token ? { authorization: `Bearer ${this.#o.token}` } : {};
  }

  #scheduleStats(intervalMs: number | undefined): void {
    if (this.#statsTimer) clearInterval(this.#statsTimer);
    this.#statsTimer = null;
    const stats = this.#o.stats;
    if (!intervalMs || !stats) return;
    this.#statsTimer = setInterval(() => {
      const plane = this.state.connectedTo;
      if (!plane) return;
      void Promise.resolve(stats()).then(
        (counts) => this.#post(plane, `/v1/nodes/${encodeURIComponent(this.#o.node)}/stats`, { counts }),
        (err: unknown) => this.#o.log?.warn({ err: (err as Error).message }, 'reading per-version counts failed'),
      );
    }, intervalMs);
  }

  #scheduleSummary(intervalMs: number): void {
    const summary = this.#o.summary;
    if (!summary || intervalMs === this.#summaryEvery) return;
    if (this.#summaryTimer) clearInterval(this.#summaryTimer);
    this.#summaryEvery = intervalMs;
    this.#summaryTimer = setInterval(() => {
      // A slow plane gets one report at a time: what the next tick reads waits in the workers' counters meanwhile.
      if (this.#reporting) return;
      this.#reporting = true;
      void this.#reportSummary(summary).finally(() => { this.#reporting = false; });
    }, intervalMs);
  }

  async #reportSummary(summary: () => Promise<TrafficSummary>): Promise<void> {
    let s: TrafficSummary;
    try {
      s = await summary();
    } catch (err) {
      this.#o.log?.warn({ err: (err as Error).message }, 'reading the traffic summary failed');
      return;
    }
    if (this.#unsent) s = mergeSummary(this.#unsent, s);
    this.#unsent = null;
    if (!s.traffic.length && !s.authz.length && !s.clusters.length) return;
    const plane = this.state.connectedTo;
    if (plane && await this.#post(plane, `/v1/nodes/${encodeURIComponent(this.#o.node)}/summary`, s)) return;
    this.#unsent = s;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}

/** Creates and starts the client: the last known good snapshot is applied right away, then the watch begins. */
export async function startControlClient(options: ControlClientOptions): Promise<ControlClient> {
  const client = new ControlClient(options);
  client.start();
  return client;
}

// The main thread of `weft proxy`: starts the workers (with --workers 1, serves on this thread), restarts any that die, serves admin, and drains on SIGTERM/SIGINT.
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import type { HostPort, ProxySettings } from '../config/settings.ts';
import { formatHostPort } from '../config/settings.ts';
import type { FromWorker, ToWorker, WorkerData, VersionCount } from './messages.ts';
import { createLogger } from '../observe/log.ts';
import type { Logger } from '../observe/log.ts';
import { startAdmin } from '../admin/server.ts';
import type { AdminServer } from '../admin/server.ts';
import { SupervisorMetrics } from '../observe/supervisor-metrics.ts';
import { ErrorCodes, WeftError } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import { addCounts } from '../control/snapshot.ts';
import type { Story, StoryLine } from '../observe/story.ts';
import { emptySummary, mergeSummary } from '../observe/summary.ts';
import type { TrafficSummary } from '../observe/summary.ts';
import { loadFilters } from './filter-loader.ts';
import type { LoadedFilter } from './filter-loader.ts';
import { SharedState } from '../wasm/shared-data.ts';
import type { IdentityManager } from '../identity/manager.ts';
import { listenerPlans, listenerRoutes } from './listeners.ts';
import { allocateBreakerTable, BREAKER_SLOTS, BreakerSlots } from '../upstream/breaker-table.ts';
import { entryUrl } from '../runtime/assets.ts';
import { claimListen, HeldAddress } from './listen-claim.ts';
import type { Holder, ListenClaim } from './listen-claim.ts';
import { requestHandover, serveHandover } from './handover.ts';
import type { Handover, HandoverServer } from './handover.ts';
import { reexec, startStandIn } from './upgrade.ts';
import type { InProcessWorker, WorkerHandle } from './in-process.ts';

const WORKER_URL = entryUrl(new URL('./worker.ts', import.meta.url), 'proxy-worker');
const RESTART_BACKOFF_MS = 200;
/**
 * After a handover, how long connections idle at its start stay open (each closes after its next response, which
 * says Connection: close): a client in a steady loop sends on them within it, and never onto one closing under it.
 */
const HANDOVER_IDLE_GRACE_MS = 1000;
/** How long an upgrade's stand-in may take to start and take over before the upgrade is given up (it logs why). */
const STAND_IN_TIMEOUT_MS = 120_000;

/** One worker slot: the thread that fills it now, replaced when it dies (a worker thread; the main thread's is not). */
interface Slot { index: number; worker: WorkerHandle; listening: boolean; exited: boolean }

export class Supervisor {
  /** The settings being served; replaced by apply(). */
  settings: ProxySettings;
  /** Names what is being served: "local" until a reload or the plane says otherwise. */
  version = 'local';
  readonly log: Logger;
  readonly metrics = new SupervisorMetrics();
  private readonly slots: Slot[] = [];
  /** By listener (core/proxy/listeners.ts order): the configured ports until worker 0 resolves any 0 to a real one. */
  private ports: number[] = [];
  private stopping = false;
  private filters: LoadedFilter[] = [];
  /** Filters' shared data: created once, so it outlives any worker's restart. */
  private readonly shared = SharedState.allocate();
  /** Circuit breaker counts, per cluster for the whole process: created once, a row per worker slot. */
  private readonly breakers: SharedArrayBuffer;
  private readonly breakerRows: number;
  private readonly breakerSlots = new BreakerSlots();
  private nextRequestId = 1;
  /** Replies awaited from workers, by "type:id". */
  private readonly pending = new Map<string, { left: number; results: FromWorker[]; resolve: (r: FromWorker[]) => void }>();
  private applying: Promise<unknown> = Promise.resolve();
  /** The workload identity the listeners serve mTLS with; a restarted worker takes the current one. */
  private identityManager: IdentityManager | undefined;
  /** This process's hold on each listen address, kept while any worker may listen there (a restart rebinds it). */
  private readonly claims: ListenClaim[] = [];
  /** Addresses another weft process serves and hands over (--takeover): their locks are claimed once it lets go. */
  private readonly held: { listen: HostPort; label: string }[] = [];
  /** This process's handover socket, which its locks name. */
  private handoverPath: string | undefined;
  private drained: Promise<void> | undefined;
  /**
   * With --workers 1, what serves on this thread (core/proxy/in-process.ts), imported at start: a supervisor of
   * worker threads never loads the serving code (the request path, the filter host, the upstream clients).
   */
  private inProcess: typeof InProcessWorker | undefined;

  constructor(settings: ProxySettings, log: Logger) {
    this.settings = settings;
    this.log = log;
    this.breakerRows = settings.workers;
    this.breakers = allocateBreakerTable(settings.workers);
  }

  /** The breaker slots of every cluster `settings` builds (sidecars derive some), assigned by name. */
  private slotsFor(settings: ProxySettings): Record<string, number> {
    return this.breakerSlots.assign(listenerRoutes(settings).clusters.map((c) => c.name), (cluster) => {
      this.log.warn({ cluster, slots: BREAKER_SLOTS }, 'breaker table full: this cluster\'s circuit breakers count per worker');
    });
  }

  /** Every worker listens and a config with routes is applied (a plane-fed proxy has none until its first snapshot). */
  get ready(): boolean {
    const configured = this.settings.sidecar ? this.settings.sidecar.services !== undefined : this.settings.routes.length > 0;
    return !this.stopping && configured && this.slots.length === this.settings.workers && this.slots.every((s) => s.listening);
  }

  get identity(): IdentityManager | undefined {
    return this.identityManager;
  }

  /** Serves mTLS with this identity from start() on, and hands every renewal and new bundle to every worker. */
  useIdentity(manager: IdentityManager): void {
    this.identityManager = manager;
    this.metrics.identityExpiry(() => manager.current().notAfter);
    manager.on('change', (identity) => {
      // Workers still starting too: one spawned with the previous certificate and not yet listening would
      // otherwise serve it until the next renewal, past its expiry (its message waits in the queue until then).
      for (const s of this.slots) s.worker.postMessage({ type: 'identity', identity } satisfies ToWorker);
    });
  }

  /** The live workers, for embedding and tests that exercise a worker's death. */
  get threads(): readonly WorkerHandle[] {
    return this.slots.map((s) => s.worker);
  }

  get listenPort(): number {
    return this.ports[0];
  }

  /** Every listener's address, by name (inbound, outbound, bind:SERVICE). */
  listenAddresses(): Record<string, string> {
    const out: Record<string, string> = {};
    listenerPlans(this.settings, this.identityManager !== undefined).forEach((p, i) => {
      out[p.name] = formatHostPort({ host: p.listen.host, port: this.ports[i] });
    });
    return out;
  }

  /** Where each listener is and what it is called in errors: one label for a plain proxy, a sidecar's names otherwise. */
  private listenAt(): { listen: HostPort; label: string }[] {
    // Addresses do not depend on the identity, which may not have joined yet.
    const plans = listenerPlans(this.settings, this.identityManager !== undefined);
    return plans.map((p) => ({ listen: p.listen, label: plans.length > 1 ? ` (${p.name})` : '' }));
  }

  /**
   * Claims every listen address with a fixed port (core/proxy/listen-claim.ts): before a join token is spent, a
   * filter compiled or a worker started, so a second proxy on a served address fails at once and changes nothing.
   * With `takeover`, addresses another weft process serves are asked of it instead (core/proxy/handover.ts); the
   * accepted handover is returned, for this process to say when it serves too.
   */
  async claimAddresses(handoverPath: string, takeover = false): Promise<Handover | undefined> {
    this.handoverPath = handoverPath;
    let holder: Holder | undefined;
    for (const { listen, label } of this.listenAt()) {
      if (listen.port === 0) continue;
      try {
        this.claims.push(await claimListen(listen, true, label, handoverPath));
      } catch (err) {
        if (!takeover || !(err instanceof HeldAddress)) throw err;
        const { pid, handover } = err.holder;
        const cannot = `cannot take ${formatHostPort(listen)}${label} over from weft${pid === undefined ? '' : ` pid ${pid}`}`;
        if (pid === undefined || handover === undefined) throw new WeftError(ErrorCodes.LISTEN_FAILED, `${cannot}: it offers no handover (a weft from before --takeover?)`);
        if (holder && holder.handover !== handover) throw new WeftError(ErrorCodes.LISTEN_FAILED, `${cannot}: pid ${holder.pid} serves another of the addresses, and one takeover replaces one process`);
        holder = err.holder;
        this.held.push({ listen, label });
      }
    }
    if (!holder) return undefined;
    return requestHandover(holder.handover!, holder.pid!, this.held.map((h) => formatHostPort(h.listen)));
  }

  /** The holder let go of the addresses it handed over: their locks are this process's now (no probe: our workers hold the ports). */
  async claimHandedOver(): Promise<void> {
    for (const { listen, label } of this.held.splice(0)) this.claims.push(await claimListen(listen, false, label, this.handoverPath));
  }

  /** Why this process cannot start its successor with its own flags: a listen port 0 would be another port there. */
  upgradeRefusal(): string | undefined {
    const chosen = this.listenAt().filter((l) => l.listen.port === 0).map((l) => `${l.listen.host}:0${l.label}`);
    return chosen.length ? `it listens on ${chosen.join(', ')}, a port the kernel chose, which the new executable would not know: give fixed ports` : undefined;
  }

  /** Why a new process asking for `addresses` cannot replace this one: it would leave one of ours unserved. */
  handoverRefusal(addresses: string[]): string | undefined {
    const asked = new Set(addresses.map((a) => a.toLowerCase()));
    const missing = Object.entries(this.listenAddresses()).filter(([, a]) => !asked.has(a.toLowerCase()));
    if (missing.length === 0) return undefined;
    return `it serves ${missing.map(([name, a]) => `${a} (${name})`).join(', ')}, which the new process would not: give it the same addresses`;
  }

  /** Starts worker 0 on the configured ports (some may be 0), claims the ports it got for those, then starts the rest. */
  async start(): Promise<void> {
    warnUnverified(this.log, this.settings);
    const at = this.listenAt();
    this.ports = at.map((l) => l.listen.port);
    this.filters = await loadFilters(this.settings.filters, this.settings.filterLimits);
    if (this.settings.workers === 1) this.inProcess = (await import('./in-process.ts')).InProcessWorker;
    await this.spawn(0);
    for (const [i, { listen, label }] of at.entries()) {
      if (listen.port === 0) this.claims.push(await claimListen({ host: listen.host, port: this.ports[i] }, false, label, this.handoverPath));
    }
    await Promise.all(Array.from({ length: this.settings.workers - 1 }, (_, i) => this.spawn(i + 1)));
  }

  /** Lets the listen addresses go, once no worker listens there any more. */
  async releaseAddresses(): Promise<void> {
    await Promise.all(this.claims.splice(0).map((c) => c.release()));
  }

  private spawn(index: number): Promise<void> {
    const data: WorkerData = {
      index, settings: this.settings, ports: this.ports, filters: this.filters, shared: this.shared, identity: this.identityManager?.current(),
      breakers: this.breakers, breakerRows: this.breakerRows, breakerSlots: this.slotsFor(this.settings),
    };
    // One worker is served by the main thread: a second V8 isolate would cost more memory than the rest of the
    // proxy (ARCHITECTURE.md, "Memory budget"); a crash then ends the process, for its service manager to restart.
    const inProcess = this.inProcess !== undefined;
    const worker = this.inProcess ? new this.inProcess(data, this.log) : new Worker(WORKER_URL, { workerData: data, name: `weft-worker-${index}` });
    const slot: Slot = { index, worker, listening: false, exited: false };
    this.slots[index] = slot;
    return new Promise((resolve, reject) => {
      worker.on('message', (m: FromWorker) => {
        switch (m.type) {
          case 'listening':
            slot.listening = true;
            if (index === 0) this.ports = m.ports;
            resolve();
            break;
          case 'start-error':
            reject(new WeftError(m.code as ErrorCode, m.message));
            break;
          case 'metrics':
          case 'stats':
          case 'stories':
          case 'summary':
          case 'prepared':
          case 'committed':
            this.collect(`${m.type}:${m.id}`, m);
            break;
          case 'drained':
            void worker.terminate();
            break;
        }
      });
      worker.on('error', (err) => this.log.error({ err, worker: index }, 'worker failed'));
      worker.on('exit', (code: number) => {
        slot.listening = false;
        slot.exited = true;
        // The main thread's serving ends only with a start that failed, which rejected the start already.
        if (this.stopping || this.slots[index] !== slot || inProcess) return;
        this.metrics.workerRestarted();
        this.log.error({ worker: index, code, error: ErrorCodes.WORKER_DIED }, 'worker died; restarting it');
        reject(new WeftError(ErrorCodes.WORKER_DIED, `worker ${index} exited with code ${code} while starting`));
        setTimeout(() => {
          if (!this.stopping) this.spawn(index).catch((err) => this.log.error({ err }, 'worker restart failed'));
        }, RESTART_BACKOFF_MS).unref();
      });
    });
  }

  /** Every worker's metrics as prom-client JSON, gathered by message off the request path. */
  async workerMetrics(): Promise<unknown[]> {
    const id = this.nextRequestId++;
    const replies = await this.ask(this.liveSlots(), { type: 'metrics', id }, `metrics:${id}`, 2000);
    return replies.map((r) => (r as { metrics: unknown }).metrics);
  }

  /** Requests and 5xx answers (by cause) per filter version, summed over the workers (what a rollout judges versions by). */
  async versionCounts(): Promise<VersionCount[]> {
    const id = this.nextRequestId++;
    const replies = await this.ask(this.liveSlots(), { type: 'stats', id }, `stats:${id}`, 2000);
    const sum = new Map<string, VersionCount>();
    for (const r of replies) {
      for (const c of (r as { counts: VersionCount[] }).counts) addCounts(sum, c.filter, c.version, c);
    }
    return [...sum.values()];
  }

  /** Every worker's kept stories of request `requestId` (core/observe/story.ts). */
  async stories(requestId: string): Promise<Story[]> {
    const id = this.nextRequestId++;
    const replies = await this.ask(this.liveSlots(), { type: 'stories', id, requestId }, `stories:${id}`, 2000);
    return replies.flatMap((r) => (r as { stories: Story[] }).stories);
  }

  /** The newest `limit` stories across the workers, newest first. */
  async recentRequests(limit: number): Promise<StoryLine[]> {
    const id = this.nextRequestId++;
    const replies = await this.ask(this.liveSlots(), { type: 'stories', id, tail: limit }, `stories:${id}`, 2000);
    return replies.flatMap((r) => (r as { lines: StoryLine[] }).lines).sort((a, b) => b.start - a.start).slice(0, limit);
  }

  /** What every worker served since the last call, merged: the summary the control client reports to the plane. */
  async summary(): Promise<TrafficSummary> {
    const id = this.nextRequestId++;
    const replies = await this.ask(this.liveSlots(), { type: 'summary', id }, `summary:${id}`, 2000);
    const merged = emptySummary(this.settings.sidecar?.service);
    for (const r of replies) mergeSummary(merged, (r as { summary: TrafficSummary }).summary);
    return merged;
  }

  /**
   * Swaps every worker to new routing settings (clusters, routes, filters) with no request lost: filters are
   * compiled and smoke-started off-thread, every worker prepares the new generation beside the serving one, and
   * only when all succeeded do they switch. Any failure rejects with its reason and changes nothing.
   */
  apply(next: ProxySettings, version: string): Promise<void> {
    const run = this.applying.then(() => this.applyNow(next, version));
    this.applying = run.catch(() => undefined);
    return run;
  }

  private async applyNow(next: ProxySettings, version: string): Promise<void> {
    const filters = await loadFilters(next.filters, next.filterLimits, this.filters);
    const id = this.nextRequestId++;
    const live = this.liveSlots();
    const prepared = await this.ask(live, { type: 'prepare', id, settings: next, filters, breakerSlots: this.slotsFor(next) }, `prepared:${id}`, 30_000);
    const failure = prepared.find((r) => r.type === 'prepared' && r.error !== undefined) as { error: string } | undefined;
    if (failure || prepared.length < live.length) {
      for (const s of live) s.worker.postMessage({ type: 'abort', id } satisfies ToWorker);
      throw new WeftError(ErrorCodes.WASM_START_FAILED, failure?.error ?? 'a worker did not prepare the new config in time');
    }
    await this.ask(live, { type: 'commit', id }, `committed:${id}`, 30_000);
    warnUnverified(this.log, next, this.settings);
    this.settings = next;
    this.filters = filters;
    this.version = version;
  }

  /** sha256 of the module serving filter `name`. */
  filterDigest(name: string): string | undefined {
    return this.filters.find((f) => f.settings.name === name)?.sha256;
  }

  private liveSlots(): Slot[] {
    return this.slots.filter((s) => s.listening);
  }

  /** Posts `message` to each slot and resolves with the replies that came within the timeout. */
  private ask(slots: Slot[], message: ToWorker, key: string, timeoutMs: number): Promise<FromWorker[]> {
    if (slots.length === 0) return Promise.resolve([]);
    return new Promise((resolve) => {
      this.pending.set(key, { left: slots.length, results: [], resolve });
      for (const s of slots) s.worker.postMessage(message);
      setTimeout(() => this.settle(key), timeoutMs).unref();
    });
  }

  private collect(key: string, reply: FromWorker): void {
    const p = this.pending.get(key);
    if (!p) return;
    p.results.push(reply);
    if (--p.left === 0) this.settle(key);
  }

  private settle(key: string): void {
    const p = this.pending.get(key);
    if (!p) return;
    this.pending.delete(key);
    p.resolve(p.results);
  }

  /** Stops accepting, lets in-flight requests finish up to the drain timeout, then ends every worker (once, however often asked). */
  drain(handover = false): Promise<void> {
    this.drained ??= this.drainWorkers(handover);
    return this.drained;
  }

  private async drainWorkers(handover: boolean): Promise<void> {
    this.stopping = true;
    const timeoutMs = this.settings.drainTimeoutMs;
    const keepIdleMs = handover ? Math.min(HANDOVER_IDLE_GRACE_MS, timeoutMs) : 0;
    await Promise.all(this.slots.map(async (s) => {
      if (s.exited) return;
      const exited = once(s.worker, 'exit');
      s.worker.postMessage({ type: 'drain', timeoutMs, keepIdleMs } satisfies ToWorker);
      const timer = setTimeout(() => void s.worker.terminate(), timeoutMs + 1000);
      await exited;
      clearTimeout(timer);
    }));
  }
}

/** Said once, when a config starts serving a cluster that skips verifying its endpoints' certificates. */
function warnUnverified(log: Logger, next: ProxySettings, previous?: ProxySettings): void {
  const before = new Set(previous?.clusters.filter((c) => c.tls?.insecureSkipVerify).map((c) => c.name));
  for (const c of next.clusters) {
    if (!c.tls?.insecureSkipVerify || before.has(c.name)) continue;
    log.warn({ cluster: c.name, endpoints: c.endpoints }, 'tls.insecureSkipVerify: the certificates of this cluster\'s endpoints are not verified; anyone on the path can pose as them');
  }
}

export interface SupervisorHooks {
  /** The proxy's data dir (0700): its handover socket lives there. */
  dataDir: string;
  /** Take the listen addresses over from the weft process serving them (`--takeover`) instead of being refused them. */
  takeover?: boolean;
  /** Re-reads the config file: SIGHUP applies it to every worker without dropping a request. */
  reload?: () => ProxySettings;
  /** Starts what feeds the supervisor configs (the control-plane client) once the workers listen; returns how to stop it. */
  feed?: (sup: Supervisor, log: Logger) => Promise<{ close(): Promise<void> }>;
  /** The workload identity (`--join-token`): started before the workers, so they listen with mTLS from the first connection. */
  identity?: (log: Logger) => IdentityManager;
}

/** SIGHUP re-reads the config file and applies its routing part live; a failure is logged and changes nothing. */
function onSighupReload(sup: Supervisor, log: Logger, reload: () => ProxySettings): void {
  let generation = 0;
  process.on('SIGHUP', () => {
    let next: ProxySettings;
    try {
      next = reload();
    } catch (err) {
      log.error({ err: (err as Error).message }, 'config reload refused; still serving the previous config');
      return;
    }
    // Process settings (listen, admin, workers, limits) need a restart; the rest swaps live.
    const applied: ProxySettings = { ...sup.settings, clusters: next.clusters, routes: next.routes, filters: next.filters, filterLimits: next.filterLimits };
    sup.apply(applied, `reload-${++generation}`).then(
      () => log.info({ version: sup.version }, 'config reloaded'),
      (err: Error) => log.error({ err: err.message }, 'config reload refused; still serving the previous config'),
    );
  });
}

export async function startSupervisor(settings: ProxySettings, hooks: SupervisorHooks): Promise<number> {
  const { reload } = hooks;
  const log = createLogger(settings.logLevel);
  const sup = new Supervisor(settings, log);
  let admin: AdminServer | undefined;
  let identity: IdentityManager | undefined;
  let handover: Handover | undefined;
  let handoverServer: HandoverServer | undefined;
  let started = false;
  const closeAdmin = () => {
    admin?.close();
    admin = undefined;
  };
  const stopAll = async () => {
    handover?.abort();
    await sup.drain();
    await sup.releaseAddresses();
    closeAdmin();
    identity?.close();
    await handoverServer?.close();
  };
  // Signal handlers go in before the ready line: a supervisor may signal as soon as it reads it, and Node's
  // default for SIGHUP and SIGTERM is to die on the spot. A handover to a new process ends this one as they do.
  let stop!: (why: Record<string, unknown>) => void;
  const stopped = new Promise<Record<string, unknown>>((resolve) => {
    stop = (why) => {
      log.info({ ...why, drainTimeoutMs: settings.drainTimeoutMs }, 'draining');
      resolve(why);
    };
  });
  try {
    handoverServer = await serveHandover(hooks.dataDir, {
      refusal: (addresses) => (started ? sup.handoverRefusal(addresses) : 'it is still starting'),
      release: async (pid) => {
        // The new process serves every address: from here on, new connections go to it alone.
        void sup.drain(true);
        await sup.releaseAddresses();
        closeAdmin();
        stop({ handover: pid });
      },
    });
    // Addresses first: a proxy that cannot have them must not spend its one-time join token.
    handover = await sup.claimAddresses(handoverServer.path, hooks.takeover);
    if (handover) log.info({ from: handover.pid }, 'taking the listen addresses over');
    // Taking over, the admin address is the old process's until it lets go.
    admin = settings.admin && !handover ? await startAdmin(settings.admin, sup) : undefined;
    identity = hooks.identity?.(log);
    if (identity) {
      await identity.start();
      sup.useIdentity(identity);
    }
    await sup.start();
    if (handover) {
      await handover.serving();
      handover = undefined;
      await sup.claimHandedOver();
      admin = settings.admin ? await startAdmin(settings.admin, sup) : undefined;
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  process.once('SIGTERM', () => stop({ signal: 'SIGTERM' }));
  process.once('SIGINT', () => stop({ signal: 'SIGINT' }));
  const upgrade = onSigusr2Upgrade(sup, log);
  if (reload) onSighupReload(sup, log, reload);
  // A service manager's reload (ExecReload) must never end a proxy that has no file to re-read.
  else process.on('SIGHUP', () => log.info(hooks.feed ? 'SIGHUP: the plane feeds this proxy\'s config; nothing to re-read' : 'SIGHUP: no --config file to re-read'));

  const { inbound: listen, ...others } = sup.listenAddresses();
  started = true;
  log.info({ listen, ...others, admin: admin ? formatHostPort(admin.address) : 'off', workers: settings.workers }, 'weft proxy ready');
  let feed: { close(): Promise<void> } | undefined;
  try {
    feed = await hooks.feed?.(sup, log);
  } catch (err) {
    await stopAll();
    throw err;
  }

  const why = await stopped;
  clearTimeout(upgrade.timer);
  await feed?.close();
  await stopAll();
  log.info('stopped');
  if (upgrade.underWay && why.handover !== undefined) {
    log.info({ standIn: why.handover }, 'upgrade: becoming the weft executable on disk, to take the addresses back from the stand-in');
    reexec();
  }
  return 0;
}

/**
 * SIGUSR2 (`systemctl kill -s SIGUSR2 --kill-whom=main`): upgrade to the executable on disk under this pid. A
 * stand-in started from it takes the addresses over; this process drains, then becomes that executable
 * (core/proxy/upgrade.ts) and takes them back. A stand-in that never takes over leaves this process serving.
 */
function onSigusr2Upgrade(sup: Supervisor, log: Logger): { underWay: boolean; timer?: NodeJS.Timeout } {
  const state: { underWay: boolean; timer?: NodeJS.Timeout } = { underWay: false };
  process.on('SIGUSR2', () => {
    if (state.underWay) return void log.warn('SIGUSR2: an upgrade is already under way');
    const refusal = sup.upgradeRefusal();
    if (refusal) return void log.error({ error: ErrorCodes.LISTEN_FAILED }, `SIGUSR2: cannot upgrade: ${refusal}; still serving`);
    state.underWay = true;
    log.info('SIGUSR2: upgrading to the weft executable on disk; a stand-in takes over meanwhile');
    startStandIn();
    state.timer = setTimeout(() => {
      state.underWay = false;
      log.error({ error: ErrorCodes.LISTEN_FAILED }, `upgrade given up: the stand-in did not take over within ${STAND_IN_TIMEOUT_MS / 1000} s (its log says why); still serving`);
    }, STAND_IN_TIMEOUT_MS).unref();
  });
  return state;
}

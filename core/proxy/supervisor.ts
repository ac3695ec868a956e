// The main thread of `weft proxy`: starts the workers, restarts any that die, serves admin, and drains on SIGTERM/SIGINT.
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import type { ProxySettings } from '../config/settings.ts';
import { formatHostPort } from '../config/settings.ts';
import type { FromWorker, ToWorker, WorkerData } from './messages.ts';
import { createLogger } from '../observe/log.ts';
import type { Logger } from '../observe/log.ts';
import { startAdmin } from '../admin/server.ts';
import { SupervisorMetrics } from '../observe/supervisor-metrics.ts';
import { ErrorCodes, WeftError } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import { FilterLoader } from './filter-loader.ts';
import type { LoadedFilter } from './filter-loader.ts';
import { SharedState } from '../wasm/shared-data.ts';

const WORKER_URL = new URL('./worker.ts', import.meta.url);
const RESTART_BACKOFF_MS = 200;

/** One worker slot: the thread that fills it now, replaced when it dies. */
interface Slot { index: number; worker: Worker; listening: boolean }

export class Supervisor {
  readonly settings: ProxySettings;
  readonly log: Logger;
  readonly metrics = new SupervisorMetrics();
  private readonly slots: Slot[] = [];
  private port = 0;
  private stopping = false;
  private filters: LoadedFilter[] = [];
  private readonly loader = new FilterLoader();
  /** Filters' shared data: created once, so it outlives any worker's restart. */
  private readonly shared = SharedState.allocate();
  private nextRequestId = 1;
  private readonly pending = new Map<number, { left: number; results: unknown[]; resolve: (r: unknown[]) => void }>();

  constructor(settings: ProxySettings, log: Logger) {
    this.settings = settings;
    this.log = log;
  }

  get ready(): boolean {
    return !this.stopping && this.slots.length === this.settings.workers && this.slots.every((s) => s.listening);
  }

  /** The live worker threads, for embedding and tests that exercise a worker's death. */
  get threads(): readonly Worker[] {
    return this.slots.map((s) => s.worker);
  }

  get listenPort(): number {
    return this.port;
  }

  /** Starts worker 0 on the configured port (which may be 0), then the rest on the port it got. */
  async start(): Promise<void> {
    this.port = this.settings.listen.port;
    this.filters = await this.loader.load(this.settings.filters, this.settings.filterLimits);
    await this.loader.close();
    await this.spawn(0);
    await Promise.all(Array.from({ length: this.settings.workers - 1 }, (_, i) => this.spawn(i + 1)));
  }

  private spawn(index: number): Promise<void> {
    const data: WorkerData = { index, settings: this.settings, port: this.port, filters: this.filters, shared: this.shared };
    const worker = new Worker(WORKER_URL, { workerData: data, name: `weft-worker-${index}` });
    const slot: Slot = { index, worker, listening: false };
    this.slots[index] = slot;
    return new Promise((resolve, reject) => {
      worker.on('message', (m: FromWorker) => {
        switch (m.type) {
          case 'listening':
            slot.listening = true;
            if (this.port === 0) this.port = m.port;
            resolve();
            break;
          case 'start-error':
            reject(new WeftError(m.code as ErrorCode, m.message));
            break;
          case 'metrics':
            this.collect(m.id, m.metrics);
            break;
          case 'drained':
            void worker.terminate();
            break;
        }
      });
      worker.on('error', (err) => this.log.error({ err, worker: index }, 'worker failed'));
      worker.on('exit', (code) => {
        slot.listening = false;
        if (this.stopping || this.slots[index] !== slot) return;
        this.metrics.workerRestarts.inc();
        this.log.error({ worker: index, code, error: ErrorCodes.WORKER_DIED }, 'worker died; restarting it');
        reject(new WeftError(ErrorCodes.WORKER_DIED, `worker ${index} exited with code ${code} while starting`));
        setTimeout(() => {
          if (!this.stopping) this.spawn(index).catch((err) => this.log.error({ err }, 'worker restart failed'));
        }, RESTART_BACKOFF_MS).unref();
      });
    });
  }

  /** Every worker's metrics as prom-client JSON, gathered by message off the request path. */
  workerMetrics(): Promise<unknown[]> {
    const live = this.slots.filter((s) => s.listening);
    if (live.length === 0) return Promise.resolve([]);
    const id = this.nextRequestId++;
    return new Promise((resolve) => {
      this.pending.set(id, { left: live.length, results: [], resolve });
      for (const s of live) s.worker.postMessage({ type: 'metrics', id } satisfies ToWorker);
      setTimeout(() => this.settle(id), 2000).unref();
    });
  }

  private collect(id: number, metrics: unknown): void {
    const p = this.pending.get(id);
    if (!p) return;
    p.results.push(metrics);
    if (--p.left === 0) this.settle(id);
  }

  private settle(id: number): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.resolve(p.results);
  }

  /** Stops accepting, lets in-flight requests finish up to the drain timeout, then ends every worker. */
  async drain(): Promise<void> {
    this.stopping = true;
    const timeoutMs = this.settings.drainTimeoutMs;
    await Promise.all(this.slots.map(async (s) => {
      const exited = once(s.worker, 'exit');
      s.worker.postMessage({ type: 'drain', timeoutMs } satisfies ToWorker);
      const timer = setTimeout(() => void s.worker.terminate(), timeoutMs + 1000);
      await exited;
      clearTimeout(timer);
    }));
  }
}

export async function startSupervisor(settings: ProxySettings): Promise<number> {
  const log = createLogger(settings.logLevel);
  const sup = new Supervisor(settings, log);
  const admin = settings.admin ? await startAdmin(settings.admin, sup) : undefined;
  try {
    await sup.start();
  } catch (err) {
    await sup.drain();
    admin?.close();
    throw err;
  }
  const listen = formatHostPort({ host: settings.listen.host, port: sup.listenPort });
  log.info({ listen, admin: admin ? formatHostPort(admin.address) : 'off', workers: settings.workers }, 'weft proxy ready');

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal, drainTimeoutMs: settings.drainTimeoutMs }, 'draining');
      resolve();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await sup.drain();
  admin?.close();
  log.info('stopped');
  return 0;
}

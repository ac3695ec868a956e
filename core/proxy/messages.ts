// The messages between the supervisor and its worker threads: a closed set, each handled in one switch.
import type { ProxySettings } from '../config/settings.ts';
import type { LoadedFilter } from './filter-loader.ts';
import type { Identity } from '../identity/identity.ts';
import type { VersionCount } from '../control/snapshot.ts';
import type { Story, StoryLine } from '../observe/story.ts';
import type { TrafficSummary } from '../observe/summary.ts';

export type { VersionCount };

/** What a worker serves: the routing part of the settings and the compiled filters, swapped whole. */
export interface Generation {
  settings: ProxySettings;
  /** Compiled filter modules, in chain order (a WebAssembly.Module crosses threads without recompiling). */
  filters: LoadedFilter[];
  /** Each cluster's slot in the breaker table, by name: the supervisor's, the same in every worker and kept across swaps. */
  breakerSlots: Record<string, number>;
}

export interface WorkerData extends Generation {
  index: number;
  /** By listener, the ports every worker binds (the first worker resolves each 0 to a real one). */
  ports: number[];
  /** Filters' shared data and queues: one buffer for the whole process. */
  shared: SharedArrayBuffer;
  /** Circuit breaker counts (core/upstream/breaker-table.ts): one buffer for the whole process, a row per worker. */
  breakers: SharedArrayBuffer;
  /** The workers the breaker table has rows for. */
  breakerRows: number;
  /** With a workload identity the listener is mTLS (`--join-token`). */
  identity?: Identity;
}

export type ToWorker =
  | { type: 'metrics'; id: number }
  | { type: 'stats'; id: number }
  /** The worker's kept stories of one request, or (`tail`) its newest ones (core/observe/story.ts). */
  | { type: 'stories'; id: number; requestId?: string; tail?: number }
  /** What the worker served since the last summary (deltas), for the plane. */
  | { type: 'summary'; id: number }
  | { type: 'drain'; timeoutMs: number; keepIdleMs: number }
  /** Build the next generation beside the serving one (filters started, pools ready); serve nothing from it yet. */
  | ({ type: 'prepare'; id: number } & Generation)
  /** Swap to the prepared generation: new requests take it, in-flight ones finish on the old. */
  | { type: 'commit'; id: number }
  | { type: 'abort'; id: number }
  /** A renewed certificate or a new trust bundle: new connections take it, open ones keep theirs. */
  | { type: 'identity'; identity: Identity };

export type FromWorker =
  | { type: 'listening'; ports: number[] }
  | { type: 'start-error'; message: string; code: string }
  | { type: 'metrics'; id: number; metrics: unknown }
  | { type: 'stats'; id: number; counts: VersionCount[] }
  | { type: 'stories'; id: number; stories: Story[]; lines: StoryLine[] }
  | { type: 'summary'; id: number; summary: TrafficSummary }
  | { type: 'prepared'; id: number; error?: string }
  | { type: 'committed'; id: number }
  | { type: 'drained' };

// The messages between the supervisor and its worker threads: a closed set, each handled in one switch.
import type { ProxySettings } from '../config/settings.ts';
import type { LoadedFilter } from './filter-loader.ts';

export interface WorkerData {
  index: number;
  settings: ProxySettings;
  /** The port every worker binds (the first worker resolves port 0 to a real one). */
  port: number;
  /** Compiled filter modules, in chain order (a WebAssembly.Module crosses threads without recompiling). */
  filters: LoadedFilter[];
  /** Filters' shared data and queues: one buffer for the whole process. */
  shared: SharedArrayBuffer;
}

export type ToWorker =
  | { type: 'metrics'; id: number }
  | { type: 'drain'; timeoutMs: number };

export type FromWorker =
  | { type: 'listening'; port: number }
  | { type: 'start-error'; message: string; code: string }
  | { type: 'metrics'; id: number; metrics: unknown }
  | { type: 'drained' };

// The messages between the supervisor and its worker threads: a closed set, each handled in one switch.
import type { ProxySettings } from '../config/settings.ts';

export interface WorkerData {
  index: number;
  settings: ProxySettings;
  /** The port every worker binds (the first worker resolves port 0 to a real one). */
  port: number;
}

export type ToWorker =
  | { type: 'metrics'; id: number }
  | { type: 'drain'; timeoutMs: number };

export type FromWorker =
  | { type: 'listening'; port: number }
  | { type: 'listen-error'; message: string; code: string }
  | { type: 'metrics'; id: number; metrics: unknown }
  | { type: 'drained' };

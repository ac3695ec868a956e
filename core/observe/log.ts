// Loggers: pino JSON to stderr for events, and the access log written asynchronously by the worker's own sonic-boom stream; both stamp `time` in ISO 8601 UTC.
import pino from 'pino';
import type { Logger } from 'pino';

export type { Logger };

/** `"time":"2026-01-02T03:04:05.678Z"` on every line of both logs: ISO 8601 in UTC with milliseconds, what log pipelines parse without configuration. */
const TIME = pino.stdTimeFunctions.isoTime;

export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { pid: process.pid, ...bindings }, timestamp: TIME }, pino.destination({ fd: 2, sync: true }));
}

/**
 * The access log: JSON lines serialized here and written by sonic-boom through libuv's
 * asynchronous writes, so a slow disk never stalls a worker. Not pino's transport: that costs a
 * thread per worker (memory on every sidecar) and loses its last lines when the worker ends before
 * the thread has flushed. Undefined when the log is off.
 */
export function createAccessLog(target: string): Logger | undefined {
  if (target === 'off') return undefined;
  const destination = target === 'stdout'
    ? pino.destination({ fd: 1, sync: false })
    : pino.destination({ dest: target, sync: false, mkdir: true });
  return pino({ base: undefined, timestamp: TIME, messageKey: 'msg' }, destination);
}

/** Writes what the access log still holds; resolves once it is on its file (or at once when the log is off). */
export function flushAccessLog(log: Logger | undefined): Promise<void> {
  if (!log) return Promise.resolve();
  return new Promise((resolve) => log.flush(() => resolve()));
}

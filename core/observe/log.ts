// Loggers: pino JSON to stderr for events, and the access log written by a pino transport off the request path; both stamp `time` in ISO 8601 UTC.
import pino from 'pino';
import type { Logger } from 'pino';

export type { Logger };

/** `"time":"2026-01-02T03:04:05.678Z"` on every line of both logs: ISO 8601 in UTC with milliseconds, what log pipelines parse without configuration. */
const TIME = pino.stdTimeFunctions.isoTime;

export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { pid: process.pid, ...bindings }, timestamp: TIME }, pino.destination({ fd: 2, sync: true }));
}

/**
 * The access log: JSON lines serialized here and written by pino's file transport in its own thread,
 * so a slow disk never stalls a worker. Undefined when the log is off.
 */
export function createAccessLog(target: string): Logger | undefined {
  if (target === 'off') return undefined;
  const destination = target === 'stdout' ? 1 : target;
  const transport = pino.transport({ target: 'pino/file', options: { destination, mkdir: true } });
  return pino({ base: undefined, timestamp: TIME, messageKey: 'msg' }, transport);
}

// Loggers: pino JSON to stderr for events, and the access log written by a pino transport off the request path.
import pino from 'pino';
import type { Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { pid: process.pid, ...bindings } }, pino.destination({ fd: 2, sync: true }));
}

/**
 * The access log: JSON lines serialized here and written by pino's file transport in its own thread,
 * so a slow disk never stalls a worker. Undefined when the log is off.
 */
export function createAccessLog(target: string): Logger | undefined {
  if (target === 'off') return undefined;
  const destination = target === 'stdout' ? 1 : target;
  const transport = pino.transport({ target: 'pino/file', options: { destination, mkdir: true } });
  return pino({ base: undefined, timestamp: pino.stdTimeFunctions.isoTime, messageKey: 'msg' }, transport);
}

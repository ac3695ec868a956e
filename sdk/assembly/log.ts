// Logging through the host, which owns the log level and where the lines go.
import { proxyGetLogLevel, proxyLog } from "./abi/imports";
import { outSize, room, stage, stageBegin, stagedSize } from "./abi/memory";
import { LogLevel } from "./types";

/** Writes one log line at the given level; the host drops it if its level is higher. */
export function log(level: LogLevel, message: string): void {
  stageBegin(room(message));
  const bytes = stage(message);
  proxyLog(level, bytes, stagedSize);
}

/** Writes a trace line. */
export function logTrace(message: string): void { log(LogLevel.Trace, message); }

/** Writes a debug line. */
export function logDebug(message: string): void { log(LogLevel.Debug, message); }

/** Writes an info line. */
export function logInfo(message: string): void { log(LogLevel.Info, message); }

/** Writes a warning line. */
export function logWarn(message: string): void { log(LogLevel.Warn, message); }

/** Writes an error line. */
export function logError(message: string): void { log(LogLevel.Error, message); }

/** Writes a critical line. */
export function logCritical(message: string): void { log(LogLevel.Critical, message); }

/**
 * The host's current log level, so a filter can skip building costly messages nobody will read.
 * Falls back to Trace when the host does not implement `proxy_get_log_level` (ABI 0.2.0 hosts).
 */
export function getLogLevel(): LogLevel {
  store<u32>(outSize, 0);
  if (proxyGetLogLevel(outSize) != 0) return LogLevel.Trace;
  return <LogLevel>load<u32>(outSize);
}

// The per-plugin context: configuration, timers, and the factory of per-stream contexts.
import { proxySetTickPeriodMilliseconds } from "./abi/imports";
import { Context } from "./context";
import { HttpContext } from "./httpContext";
import { Status } from "./types";

/**
 * One per plugin configuration. Subclass it to read the configuration, run periodic work and make
 * the HTTP context of each stream; every callback has a default that accepts and does nothing.
 */
export class RootContext extends Context {
  /** Called once when the VM starts, with the VM configuration (often empty). Return false to fail the start. */
  onVmStart(_vmConfiguration: string): bool {
    return true;
  }

  /**
   * Called with the plugin configuration (JSON for Weft; see `parseJson`) before any stream, and
   * again whenever it changes. Return false to reject it: the host keeps the last good one.
   */
  onConfigure(_configuration: string): bool {
    return true;
  }

  /** Called every tick period once `setTickPeriod` started the timer. */
  onTick(): void {}

  /** Called when a shared queue this root registered has items to dequeue. */
  onQueueReady(_queueId: u32): void {}

  /** Makes the context of a new HTTP stream; the default lets every stream through untouched. */
  createHttpContext(contextId: u32): HttpContext {
    return new HttpContext(contextId, this);
  }

  /** Starts (or, with 0, stops) the timer that calls `onTick`. Call it from `onConfigure` or another root callback. */
  setTickPeriod(milliseconds: u32): Status {
    return proxySetTickPeriodMilliseconds(milliseconds);
  }
}

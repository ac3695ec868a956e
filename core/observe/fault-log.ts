// A filter's faults in the event log: one error line each, up to a burst per filter per window; the rest are counted and told in one line when the window ends.
import type { Logger } from 'pino';
import type { TrapEvent } from '../wasm/stream-host.ts';

/** Lines a filter's faults may write per window, in each worker; a trapping filter on a busy route would otherwise flood the log. */
export const FAULT_LINES_PER_WINDOW = 5;
export const FAULT_WINDOW_MS = 5_000;

interface Window {
  logged: number;
  suppressed: number;
  last: TrapEvent | null;
}

export class FaultLog {
  readonly #log: Logger;
  /** Open windows by filter name; a window opens at a filter's first fault and closes FAULT_WINDOW_MS later. */
  readonly #windows = new Map<string, Window>();

  constructor(log: Logger) {
    this.#log = log;
  }

  report(e: TrapEvent): void {
    let w = this.#windows.get(e.filter);
    if (w === undefined) {
      w = { logged: 0, suppressed: 0, last: null };
      this.#windows.set(e.filter, w);
      setTimeout(closeWindow, FAULT_WINDOW_MS, this, e.filter).unref();
    }
    if (w.logged < FAULT_LINES_PER_WINDOW) {
      w.logged++;
      this.#write(e);
      return;
    }
    w.suppressed++;
    w.last = e;
  }

  /** The window ends: the faults it did not log are told as one line, with the last of them. */
  close(filter: string): void {
    const w = this.#windows.get(filter);
    this.#windows.delete(filter);
    if (w === undefined || w.last === null) return;
    const e = w.last;
    this.#log.error({ filter, version: e.version, suppressed: w.suppressed, lastCallback: e.callback, lastCause: e.cause, lastMessage: e.message },
      'filter faults not logged');
  }

  #write(e: TrapEvent): void {
    const at = { filter: e.filter, version: e.version, callback: e.callback, policy: e.policy };
    if (e.cause === 'invalid_header') this.#log.error({ ...at, header: e.header, reason: e.message }, 'filter set an invalid header');
    else if (e.cause === 'reload_failed') this.#log.error({ ...at, reason: e.message }, 'filter reload failed');
    else this.#log.error({ ...at, cause: e.cause, trap: e.message, said: e.said }, 'filter trapped');
  }
}

function closeWindow(log: FaultLog, filter: string): void {
  log.close(filter);
}

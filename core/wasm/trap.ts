// The error a VM callback throws when the module traps, runs out of fuel, exits or hands the host an invalid header: one type the chain's fail policies catch.
import type { StreamContext } from './context.ts';

/** What made a callback fail: a wasm trap (or an exit), fuel running out, or an invalid header refused by a host call. */
export type FaultKind = 'trap' | 'fuel' | 'invalid_header';

export class WasmTrap extends Error {
  readonly callback: string;
  readonly fuelExhausted: boolean;
  /** The message without the callback: the engine's, the exit's, or why a header was refused. */
  readonly reason: string;
  readonly kind: FaultKind;
  /** invalid_header: the header's name. */
  readonly header: string;
  /** What the module logged at critical level in the failing callback (a Rust panic's message, an AssemblyScript abort's). */
  said = '';
  /** The stream the callback acted for (its own, or one made effective by a root callback), if any. */
  stream: StreamContext | null = null;
  constructor(callback: string, message: string, fuelExhausted: boolean, cause?: unknown) {
    super(`${callback}: ${message}`, { cause });
    this.name = 'WasmTrap';
    this.callback = callback;
    this.fuelExhausted = fuelExhausted;
    this.reason = message;
    this.kind = fuelExhausted ? 'fuel' : cause instanceof InvalidHeader ? 'invalid_header' : 'trap';
    this.header = cause instanceof InvalidHeader ? cause.header : '';
  }

  /** The message, with what the filter said before it trapped. */
  describe(): string {
    return this.said ? `${this.message} (the filter said: ${this.said})` : this.message;
  }
}

/**
 * Thrown by a host call refusing a header a filter handed over (a name or value that cannot go on the wire): the
 * callback unwinds like a trap, so the header is never applied and the request fails per the filter's fail policy.
 */
export class InvalidHeader extends Error {
  readonly header: string;
  constructor(header: string, why: string) {
    super(`invalid header ${JSON.stringify(header)}: ${why}`);
    this.name = 'InvalidHeader';
    this.header = header;
  }
}

/** Thrown by proc_exit and AssemblyScript's abort so the call unwinds like a trap. */
export class ModuleExit extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.name = 'ModuleExit';
    this.code = code;
  }
}

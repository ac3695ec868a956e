// The error a VM callback throws when the module traps, runs out of fuel or exits: one type the chain's fail policies catch.

export class WasmTrap extends Error {
  readonly callback: string;
  readonly fuelExhausted: boolean;
  constructor(callback: string, message: string, fuelExhausted: boolean, cause?: unknown) {
    super(`${callback}: ${message}`, { cause });
    this.name = 'WasmTrap';
    this.callback = callback;
    this.fuelExhausted = fuelExhausted;
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

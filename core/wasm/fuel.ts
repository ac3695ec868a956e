// The fuel global's name and start budget, apart from instrument.ts so a worker reading them does not load binaryen.

/** Name of the exported mutable i64 global holding the fuel left in the current callback. */
export const FUEL_GLOBAL = '__weft_fuel';

/** Fuel available to start functions, which run inside `new WebAssembly.Instance` before the host can set a budget. */
export const START_FUEL = 100_000_000n;

// The fuel globals' and refuelling exports' names and the start budget, apart from instrument.ts so a worker reading them does not load binaryen.

/** Name of the exported mutable i64 global holding the fuel left in the current callback. */
export const FUEL_GLOBAL = '__weft_fuel';

/** Fuel available to start functions, which run inside `new WebAssembly.Instance` before the host can set a budget. */
export const START_FUEL = 100_000_000n;

/** Name of the exported mutable i64 global the host sets once to the budget of each callback. */
export const BUDGET_GLOBAL = '__weft_fuel_budget';

/**
 * Prefix of the exports that refill the fuel from the budget, then call the proxy_on_* callback the rest of their
 * name gives. The host calls these, so no callback costs a write of the fuel global from JS (a BigInt conversion
 * in the engine, ~30 a request in the built-in chain); the module's own code cannot reach them (they are in no table).
 */
export const REFUELLED_PREFIX = '__weft_refuelled:';

// When garbage is collected: the minimal runtime's collector runs only when called, so the SDK calls it where no frame of the module can hold a reference.

/**
 * How many SDK callbacks are running, nested ones included (a host may call back into the module
 * from inside a host call). Exported as `weft_callback_depth`: a trap unwinds the frames without
 * running `leave`, so a host that keeps the instance after a trap sets it back to 0.
 */
export let callbackDepth: i32 = 0;

// A collection marks everything reachable from the globals, so it runs every few callbacks rather
// than after each; at once when the heap had to grow meanwhile, which keeps memory near the live
// set plus what those callbacks left behind.
// @ts-ignore: decorator
@inline const collectEvery: u32 = 256;
let callbacksSinceCollect: u32 = 0;
let pagesAtCollect: i32 = 0;

/** Marks the start of a callback; returns the depth to hand to `leave`. */
// @ts-ignore: decorator
@inline export function enter(): i32 {
  const depth = callbackDepth;
  callbackDepth = depth + 1;
  return depth;
}

/**
 * Marks the end of a callback that began at `depth`: restoring it (not decrementing) also repairs
 * the count after a nested callback trapped and the host went on. The outermost callback, having
 * returned everything it computed, collects: no frame of the module is left to hold a reference.
 */
export function leave(depth: i32): void {
  callbackDepth = depth;
  if (depth != 0) return;
  if (++callbacksSinceCollect < collectEvery && memory.size() == pagesAtCollect) return;
  callbacksSinceCollect = 0;
  __collect();
  pagesAtCollect = memory.size();
}

// Peak-EWMA latency (as Linkerd's balancer): a latency estimate that jumps to a slower sample at once and decays toward faster ones.

/** How fast the estimate forgets, in ms: Linkerd's default decay. */
const DECAY_MS = 10_000;
/** The estimate of an endpoint nothing was measured on yet: guessed slow enough not to flood a new endpoint. */
export const DEFAULT_RTT_MS = 30;

export interface Latency {
  /** The estimate in ms and when it was last moved. */
  ewmaMs: number;
  ewmaAt: number;
}

/** Folds one measured time to the response headers into the estimate. */
export function observeLatency(e: Latency, ms: number, now: number): void {
  if (ms > e.ewmaMs) {
    e.ewmaMs = ms;
  } else {
    const keep = Math.exp(-(now - e.ewmaAt) / DECAY_MS);
    e.ewmaMs = e.ewmaMs * keep + ms * (1 - keep);
  }
  e.ewmaAt = now;
}

/**
 * A failed attempt fails fast, which must not make the endpoint look fast: it counts as at least twice the current
 * estimate, so repeated failures push traffic away quickly (outlier detection then ejects the endpoint).
 */
export function observeFailure(e: Latency, ms: number, now: number): void {
  observeLatency(e, Math.max(ms, 2 * e.ewmaMs, DEFAULT_RTT_MS), now);
}

/** The estimate as of `now`: it decays toward zero while nothing is measured, so an idle endpoint is tried again. */
export function currentLatency(e: Latency, now: number): number {
  return e.ewmaMs * Math.exp(-(now - e.ewmaAt) / DECAY_MS);
}

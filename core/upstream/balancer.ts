// Load-balancing policies: pick one of a cluster's available endpoints for one attempt, honouring endpoint weights.
import type { LbPolicy } from '../config/settings.ts';
import { currentLatency } from './peak-ewma.ts';
import type { Latency } from './peak-ewma.ts';

export interface Balanced extends Latency {
  /** Attempts in flight to this endpoint from this worker. */
  active: number;
  weight: number;
}

/** Picks an endpoint, another than `avoid` (the one a retry just failed on) when there is another. */
export type Pick<T extends Balanced> = (avoid: T | undefined) => T;

/**
 * A picker over `eps` (never empty), built again whenever the available endpoints change. ring_hash is the
 * cluster's own (it needs the request's key); here it is the fallback for requests without one: random.
 */
export function balancer<T extends Balanced>(policy: LbPolicy, eps: T[]): Pick<T> {
  if (eps.length === 1) return () => eps[0];
  const weighted = eps.some((e) => e.weight !== eps[0].weight);
  switch (policy) {
    case 'round_robin': return weighted ? smoothWeighted(eps) : roundRobin(eps);
    case 'least_request': return twoChoices(eps, (e) => (e.active + 1) / e.weight);
    // Linkerd's cost: the latency estimate times the work already queued there.
    case 'peak_ewma': return twoChoices(eps, (e, now) => (currentLatency(e, now) * (e.active + 1)) / e.weight);
    case 'random':
    case 'ring_hash':
      return weighted ? weightedRandom(eps) : random(eps);
  }
}

function roundRobin<T extends Balanced>(eps: T[]): Pick<T> {
  let next = 0;
  return (avoid) => {
    let e = eps[next];
    next = (next + 1) % eps.length;
    if (e === avoid) {
      e = eps[next];
      next = (next + 1) % eps.length;
    }
    return e;
  };
}

/** nginx's smooth weighted round robin: weights 5,1,1 give a a b a c a a, not a a a a a b c. O(n) a pick. */
function smoothWeighted<T extends Balanced>(eps: T[]): Pick<T> {
  const current = new Float64Array(eps.length);
  let total = 0;
  for (const e of eps) total += e.weight;
  return (avoid) => {
    let best = -1;
    for (let i = 0; i < eps.length; i++) {
      current[i] += eps[i].weight;
      if (eps[i] !== avoid && (best < 0 || current[i] > current[best])) best = i;
    }
    current[best] -= total;
    return eps[best];
  };
}

function random<T extends Balanced>(eps: T[]): Pick<T> {
  return (avoid) => {
    const i = (Math.random() * eps.length) | 0;
    return eps[i] === avoid ? eps[(i + 1) % eps.length] : eps[i];
  };
}

function weightedRandom<T extends Balanced>(eps: T[]): Pick<T> {
  const upTo = new Float64Array(eps.length);
  let total = 0;
  eps.forEach((e, i) => (upTo[i] = total += e.weight));
  const once = (): T => {
    const r = Math.random() * total;
    let lo = 0;
    let hi = eps.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (upTo[mid] <= r) lo = mid + 1;
      else hi = mid;
    }
    return eps[lo];
  };
  return (avoid) => {
    const e = once();
    return e === avoid ? once() : e;
  };
}

/**
 * Power of two choices: two distinct endpoints at random, the cheaper wins. As good as a full scan in practice,
 * O(1), and no herding onto the one endpoint that looks best to every worker at once.
 */
function twoChoices<T extends Balanced>(eps: T[], cost: (e: T, now: number) => number): Pick<T> {
  const n = eps.length;
  return (avoid) => {
    const i = (Math.random() * n) | 0;
    let j = (Math.random() * (n - 1)) | 0;
    if (j >= i) j++;
    const a = eps[i];
    const b = eps[j];
    if (a === avoid) return b;
    if (b === avoid) return a;
    const now = performance.now();
    return cost(b, now) < cost(a, now) ? b : a;
  };
}

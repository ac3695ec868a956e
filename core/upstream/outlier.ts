// Passive outlier detection (as Envoy's): an endpoint that fails N attempts in a row is ejected for a time that grows each time.
import type { ClusterState } from './cluster-state.ts';

export interface Ejectable {
  readonly state: ClusterState;
  /** Failed attempts in a row (5xx answers, connect failures, resets, timeouts). */
  failures: number;
  /** Ejections so far; the next lasts base × (this + 1), up to the maximum. */
  ejections: number;
  /** Until when (the worker's performance clock, ms) the endpoint is out; in the past when it is in. */
  ejectedUntil: number;
}

export function attemptSucceeded(e: Ejectable): void {
  e.failures = 0;
}

export function attemptFailed(e: Ejectable, now: number): void {
  const od = e.state.outlier;
  if (od === undefined || ++e.failures < od.consecutiveFailures || e.ejectedUntil > now) return;
  const members = e.state.members;
  let out = 0;
  for (const m of members) if (m.ejectedUntil > now) out++;
  // Never more than the configured share, but always one: a cluster of two may still eject its bad half.
  if (out >= Math.max(1, Math.floor((members.length * od.maxEjectionPercent) / 100))) return;
  // An endpoint that behaved for longer than the longest ejection since it was last let back starts over.
  if (now - e.ejectedUntil > od.maxEjectionMs) e.ejections = 0;
  e.ejections++;
  e.ejectedUntil = now + Math.min(od.baseEjectionMs * e.ejections, od.maxEjectionMs);
  e.failures = 0;
  e.state.ejections++;
  e.state.epoch++;
}

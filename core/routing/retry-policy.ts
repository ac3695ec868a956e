// A route's retry policy compiled into flags, so the hot path asks "retry this outcome?" with a few bit tests.
import type { RetrySettings } from '../config/settings.ts';

export const Outcome = {
  connectFailure: 1,
  reset: 2,
  timeout: 4,
  status502: 8,
  status503: 16,
  status504: 32,
  status5xx: 64,
} as const;

export interface RetryPolicy {
  readonly attempts: number;
  readonly perTryTimeoutMs: number | undefined;
  readonly nonIdempotent: boolean;
  /** Bit set of Outcome values that are retried. */
  readonly on: number;
}

const CONDITION_BITS: Record<string, number> = {
  'connect-failure': Outcome.connectFailure,
  reset: Outcome.reset,
  timeout: Outcome.timeout,
  '502': Outcome.status502,
  '503': Outcome.status503,
  '504': Outcome.status504,
  '5xx': Outcome.status5xx | Outcome.status502 | Outcome.status503 | Outcome.status504,
  // As Envoy's gateway-error: the upstream's own gateway answers, plus failing to reach it at all.
  'gateway-error': Outcome.status502 | Outcome.status503 | Outcome.status504 | Outcome.connectFailure | Outcome.timeout,
};

export function compileRetryPolicy(s: RetrySettings): RetryPolicy {
  let on = 0;
  for (const c of s.on) on |= CONDITION_BITS[c] ?? 0;
  return { attempts: s.attempts, perTryTimeoutMs: s.perTryTimeoutMs, nonIdempotent: s.nonIdempotent, on };
}

export function statusOutcome(status: number): number {
  if (status === 502) return Outcome.status502;
  if (status === 503) return Outcome.status503;
  if (status === 504) return Outcome.status504;
  return status >= 500 ? Outcome.status5xx : 0;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method);
}

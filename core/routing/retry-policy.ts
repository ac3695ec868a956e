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
  /** gRPC UNAVAILABLE (grpc-status 14) in the response headers: a trailers-only answer, before any body. */
  grpcUnavailable: 128,
} as const;

/** What a gRPC call, which is never idempotent to HTTP, may be retried on: UNAVAILABLE, and a connection never made. */
export const GRPC_RETRY = Outcome.grpcUnavailable | Outcome.connectFailure;

export interface RetryPolicy {
  readonly attempts: number;
  readonly perTryTimeoutMs: number | undefined;
  readonly nonIdempotent: boolean;
  /** Bit set of Outcome values that are retried. */
  readonly on: number;
  /** Retry n waits a random time in [0, min(backoffMaxMs, backoffBaseMs × 2^(n-1))] ("full jitter"). */
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
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
  'grpc-unavailable': Outcome.grpcUnavailable,
};

export function compileRetryPolicy(s: RetrySettings): RetryPolicy {
  let on = 0;
  for (const c of s.on) on |= CONDITION_BITS[c] ?? 0;
  return {
    attempts: s.attempts, perTryTimeoutMs: s.perTryTimeoutMs, nonIdempotent: s.nonIdempotent, on,
    backoffBaseMs: s.backoffBaseMs, backoffMaxMs: s.backoffMaxMs,
  };
}

/** The outcome of a response's head; grpc-status is only looked at when the policy retries on it. */
export function responseOutcome(status: number, headers: Record<string, string | string[] | undefined>, on: number): number {
  if (status === 502) return Outcome.status502;
  if (status === 503) return Outcome.status503;
  if (status === 504) return Outcome.status504;
  if (status >= 500) return Outcome.status5xx;
  return (on & Outcome.grpcUnavailable) !== 0 && headers['grpc-status'] === '14' ? Outcome.grpcUnavailable : 0;
}

/** The wait before retry number `retry` (1 for the first retry). */
export function backoffMs(p: RetryPolicy, retry: number): number {
  return Math.random() * Math.min(p.backoffMaxMs, p.backoffBaseMs * 2 ** (retry - 1));
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method);
}

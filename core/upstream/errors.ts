// Classifies an undici failure into the proxy's error codes and retry outcomes.
import { ErrorCodes } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import { Outcome } from '../routing/retry-policy.ts';
import { isTlsFailure } from './upstream-tls.ts';

export interface Classified { code: ErrorCode; outcome: number }

/**
 * undici refused to send the request at all: its method, path or a header is not valid HTTP/1.1. That is the
 * request's fault (what the listener's checks let through), never the endpoint's.
 */
const UNSENDABLE = 'UND_ERR_INVALID_ARG';

const CONNECT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);

export function classifyUpstreamError(err: unknown): Classified {
  const code = (err as { code?: string }).code ?? '';
  if (isTlsFailure(code)) return { code: ErrorCodes.UPSTREAM_TLS, outcome: Outcome.connectFailure };
  if (code === 'WEFT_UPSTREAM_OVERFLOW') return { code: ErrorCodes.UPSTREAM_OVERFLOW, outcome: 0 };
  if (code === UNSENDABLE) return { code: ErrorCodes.BAD_REQUEST, outcome: 0 };
  if (CONNECT_CODES.has(code)) return { code: ErrorCodes.UPSTREAM_CONNECT, outcome: Outcome.connectFailure };
  if (code === 'WEFT_ATTEMPT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return { code: ErrorCodes.UPSTREAM_TIMEOUT, outcome: Outcome.timeout };
  if (code.startsWith('HPE_') || code === 'UND_ERR_INFO') return { code: ErrorCodes.UPSTREAM_PROTOCOL, outcome: 0 };
  return { code: ErrorCodes.UPSTREAM_RESET, outcome: Outcome.reset };
}

/** Whether a failed try says anything about the endpoint: a full breaker and an unsendable request do not. */
export function endpointAtFault(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code !== 'WEFT_UPSTREAM_OVERFLOW' && code !== UNSENDABLE;
}

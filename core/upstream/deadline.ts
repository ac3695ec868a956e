// Deadline propagation: the time a caller still waits (x-weft-deadline in ms, or gRPC's grpc-timeout) bounds the request and travels upstream.

/** Milliseconds per grpc-timeout unit (gRPC over HTTP/2: Hours, Minutes, Seconds, milli, micro, nano). */
const GRPC_UNIT_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001 };

/**
 * The time left that the downstream announced, in ms; Infinity when it announced none. x-weft-deadline is relative
 * (ms left), as grpc-timeout is, so clocks that disagree between hosts do not matter.
 */
export function announcedDeadline(headers: string[]): number {
  let ms = Infinity;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i];
    if (name === 'x-weft-deadline') {
      const v = headers[i + 1];
      if (/^[0-9]{1,10}$/.test(v)) ms = Math.min(ms, Number(v));
    } else if (name === 'grpc-timeout') {
      const v = headers[i + 1];
      const unit = GRPC_UNIT_MS[v.charAt(v.length - 1)];
      if (unit !== undefined && /^[0-9]{1,8}$/.test(v.slice(0, -1))) ms = Math.min(ms, Number(v.slice(0, -1)) * unit);
    }
  }
  return ms;
}

/**
 * Tells the upstream how long this try may take: x-weft-deadline is set (added when absent, so the next Weft hop
 * knows too) and a grpc-timeout the caller sent is rewritten to the time left.
 */
export function stampDeadline(headers: string[], ms: number): void {
  const left = String(Math.max(1, Math.floor(ms)));
  let stamped = false;
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i] === 'x-weft-deadline') {
      headers[i + 1] = left;
      stamped = true;
    } else if (headers[i] === 'grpc-timeout') {
      headers[i + 1] = `${left}m`;
    }
  }
  if (!stamped) headers.push('x-weft-deadline', left);
}

// gRPC over HTTP/2 as the proxy needs it: recognising a call, and answering one itself with a status instead of an HTTP error.
import type { HeaderList } from '../wasm/stream-host.ts';

/** Status codes of the gRPC protocol the proxy's own answers use. */
export const GrpcStatus = {
  UNKNOWN: 2,
  DEADLINE_EXCEEDED: 4,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** The highest status code gRPC defines; a filter's grpc_status above it (or -1) means "none given". */
const MAX_GRPC_STATUS = 16;

/** application/grpc, application/grpc+proto, application/grpc+json…, but not application/grpc-web. */
export function isGrpcContentType(value: string | undefined): boolean {
  if (value === undefined || !value.startsWith('application/grpc')) return false;
  const next = value.charCodeAt(16);
  return Number.isNaN(next) || next === 43 /* + */ || next === 59 /* ; */;
}

export function isGrpcRequest(headers: HeaderList): boolean {
  for (const [name, value] of headers) if (name === 'content-type') return isGrpcContentType(value);
  return false;
}

/**
 * The status a gRPC client gets for what would have been an HTTP error: the meaning of the proxy's answer
 * (a timeout is a deadline, a rate limit exhausts a resource) rather than the transport's.
 */
export function grpcStatusOf(httpStatus: number): number {
  switch (httpStatus) {
    case 400: return GrpcStatus.INTERNAL;
    case 401: return GrpcStatus.UNAUTHENTICATED;
    case 403: return GrpcStatus.PERMISSION_DENIED;
    case 404: return GrpcStatus.UNIMPLEMENTED;
    case 408: case 504: return GrpcStatus.DEADLINE_EXCEEDED;
    case 429: case 431: return GrpcStatus.RESOURCE_EXHAUSTED;
    case 502: case 503: return GrpcStatus.UNAVAILABLE;
    default: return GrpcStatus.UNKNOWN;
  }
}

/** A filter's proxy_send_local_response grpc_status argument, when it gave one (the SDKs pass -1 for none). */
export function givenGrpcStatus(value: number): number | undefined {
  return value >= 0 && value <= MAX_GRPC_STATUS ? value : undefined;
}

/** grpc-message is percent-encoded UTF-8 (gRPC over HTTP/2, "Responses"): printable ASCII but % passes as is. */
export function encodeGrpcMessage(message: string): string {
  let out = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The headers of a trailers-only gRPC answer (HTTP 200, no body): the status and message travel in the one
 * HEADERS frame that also ends the stream. `extra` keeps headers such as x-weft-error.
 */
export function grpcReplyHeaders(status: number, message: string, extra: HeaderList): HeaderList {
  const headers: HeaderList = [[':status', '200'], ['content-type', 'application/grpc'], ['grpc-status', String(status)]];
  if (message) headers.push(['grpc-message', encodeGrpcMessage(message)]);
  for (const pair of extra) {
    const name = pair[0];
    if (name.charCodeAt(0) === 58 || name === 'content-type' || name === 'content-length' || name.startsWith('grpc-')) continue;
    headers.push(pair);
  }
  return headers;
}

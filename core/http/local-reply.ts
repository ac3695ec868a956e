// Responses Weft writes itself (no route, upstream failures, overload): one status and one stable error code each.
import type { ServerResponse } from 'node:http';
import { ErrorCodes } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import { encodeGrpcMessage, grpcStatusOf, isGrpcContentType } from './grpc.ts';

/** HTTP status each proxy-path error code is answered with; the one place where errors become responses. */
export const STATUS_OF: Partial<Record<ErrorCode, number>> = {
  [ErrorCodes.NO_ROUTE]: 404,
  [ErrorCodes.NO_HEALTHY_UPSTREAM]: 503,
  [ErrorCodes.UPSTREAM_CONNECT]: 503,
  [ErrorCodes.UPSTREAM_OVERFLOW]: 503,
  [ErrorCodes.UPSTREAM_TIMEOUT]: 504,
  [ErrorCodes.UPSTREAM_RESET]: 502,
  [ErrorCodes.UPSTREAM_TLS]: 503,
  [ErrorCodes.UPSTREAM_PROTOCOL]: 502,
  [ErrorCodes.DRAINING]: 503,
  [ErrorCodes.BAD_REQUEST]: 400,
  [ErrorCodes.METHOD_NOT_ALLOWED]: 405,
  [ErrorCodes.HEADERS_TOO_LARGE]: 431,
  [ErrorCodes.REQUEST_TIMEOUT]: 408,
  [ErrorCodes.FILTER_TIMEOUT]: 504,
  [ErrorCodes.AUTHZ_DENIED]: 403,
};

const MESSAGE_OF: Partial<Record<ErrorCode, string>> = {
  [ErrorCodes.NO_ROUTE]: 'no route matches this request',
  [ErrorCodes.NO_HEALTHY_UPSTREAM]: 'no upstream endpoint available',
  [ErrorCodes.UPSTREAM_CONNECT]: 'upstream connect error',
  [ErrorCodes.UPSTREAM_OVERFLOW]: 'upstream circuit breaker open',
  [ErrorCodes.UPSTREAM_TIMEOUT]: 'upstream request timeout',
  [ErrorCodes.UPSTREAM_RESET]: 'upstream reset before response',
  [ErrorCodes.UPSTREAM_TLS]: 'upstream TLS handshake failed',
  [ErrorCodes.UPSTREAM_PROTOCOL]: 'upstream sent an invalid response',
  [ErrorCodes.DRAINING]: 'proxy is shutting down',
  [ErrorCodes.BAD_REQUEST]: 'bad request',
  [ErrorCodes.METHOD_NOT_ALLOWED]: 'method not allowed',
  [ErrorCodes.HEADERS_TOO_LARGE]: 'request header fields too large',
  [ErrorCodes.REQUEST_TIMEOUT]: 'request timeout',
  [ErrorCodes.FILTER_TIMEOUT]: 'a filter held the request past the route timeout',
  [ErrorCodes.AUTHZ_DENIED]: 'denied by authorization policy',
};

const NO_BODY = Buffer.alloc(0);

/**
 * The status, headers and body Weft answers `code` with. A gRPC call gets a trailers-only answer instead:
 * HTTP 200 with grpc-status and grpc-message, which its client reports as the call's status.
 */
export function localReplyParts(code: ErrorCode, detail?: string, grpc = false): { status: number; headers: Record<string, string>; body: Buffer } {
  const message = `${MESSAGE_OF[code] ?? code}${detail ? `: ${detail}` : ''}`;
  const status = STATUS_OF[code] ?? 500;
  if (grpc) {
    return {
      status: 200,
      headers: { 'content-type': 'application/grpc', 'grpc-status': String(grpcStatusOf(status)), 'grpc-message': encodeGrpcMessage(message), 'x-weft-error': code },
      body: NO_BODY,
    };
  }
  const body = Buffer.from(`${message}\n`);
  return {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(body.length), 'x-weft-error': code },
    body,
  };
}

/** Writes the local reply for `code` (shaped for gRPC when the request is a gRPC call) and returns its status. */
export function localReply(res: ServerResponse, code: ErrorCode, detail?: string): number {
  const { status, headers, body } = localReplyParts(code, detail, isGrpcContentType(res.req.headers['content-type']));
  res.writeHead(status, headers);
  res.end(body.length ? body : undefined);
  return status;
}

/** The raw answer for a request Node's parser refused: written on the socket, then the connection is closed. */
export function rawReject(status: number, reason: string, code: ErrorCode): string {
  return `HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-length: 0\r\nx-weft-error: ${code}\r\n\r\n`;
}

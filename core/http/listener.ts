// The downstream HTTP/1.1 listener: Node's strict parser, limits and timeouts, and clean refusals of bad requests.
import http from 'node:http';
import type { Socket } from 'node:net';
import type { LimitSettings } from '../config/settings.ts';
import { ErrorCodes } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import { rawReject } from './local-reply.ts';
import { handleRequest, type WorkerContext } from './request-path.ts';
import { handleUpgrade } from './upgrade.ts';

/** Why Node's parser refused a request → what the client is told. */
function refusal(err: NodeJS.ErrnoException): { status: number; reason: string; code: ErrorCode } | undefined {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW': return { status: 431, reason: 'Request Header Fields Too Large', code: ErrorCodes.HEADERS_TOO_LARGE };
    case 'ERR_HTTP_REQUEST_TIMEOUT': return { status: 408, reason: 'Request Timeout', code: ErrorCodes.REQUEST_TIMEOUT };
    case 'ECONNRESET': case 'EPIPE': return undefined;
    default: return { status: 400, reason: 'Bad Request', code: ErrorCodes.BAD_REQUEST };
  }
}

export function createListener(limits: LimitSettings, getContext: () => WorkerContext): http.Server {
  const server = http.createServer({
    maxHeaderSize: limits.maxHeaderSize,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Slow-header clients must be checked often enough for headersTimeout to bite promptly.
    connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    noDelay: true,
    // The request path checks Host itself so the refusal carries x-weft-error like every other.
    requireHostHeader: false,
  }, (req, res) => handleRequest(getContext(), req, res));

  server.on('upgrade', (req, socket, head) => handleUpgrade(getContext(), req, socket, head));

  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const r = refusal(err);
    if (r) getContext().metrics.rejectedDownstream(r.code);
    // A body that turns malformed after its headers were routed still gets a 400 if nothing was answered yet.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent: boolean } })._httpMessage;
    if (r && socket.writable && !inFlight?.headersSent) {
      socket.end(rawReject(r.status, r.reason, r.code));
    } else {
      socket.destroy();
    }
  });
  return server;
}

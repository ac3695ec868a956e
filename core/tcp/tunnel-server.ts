// The inbound end of a TCP tunnel: an HTTP/2 CONNECT stream on the mTLS port, authorized by the caller's certificate, joined to the app's port.
import type * as http2 from 'node:http2';
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../observe/log.ts';
import type { WorkerMetrics } from '../observe/metrics.ts';
import type { Authorizer } from '../authz/authorizer.ts';
import { authzLogFields } from '../authz/authorizer.ts';
import { ErrorCodes } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import { STATUS_OF } from '../http/local-reply.ts';
import { peerIdentity } from '../identity/tls.ts';
import { splice } from './splice.ts';
import { loadHttp2 } from '../http/http2-lazy.ts';
import type { TcpApp } from './targets.ts';
import type { TcpConnection, TcpMetrics } from './tcp-metrics.ts';

/** What the inbound side needs now; read per stream, so a config swap applies to the next connection. */
export interface TunnelServerContext {
  /** The app when it speaks TCP; undefined: this sidecar's app is HTTP and a CONNECT is refused. */
  app: TcpApp | undefined;
  authz: Authorizer | undefined;
  metrics: WorkerMetrics;
  tcp: TcpMetrics;
  log: Logger;
}

/**
 * Tunnels open per session. Node destroys an HTTP/2 session that carries no frame for the server's timeout (the
 * keep-alive timeout), which would cut a quiet tunnel (a database connection waiting in a pool): a session with
 * a tunnel open has no session timeout; the tunnel's own idle timeout bounds it.
 */
const tunnels = new WeakMap<http2.Http2Session, number>();

function holdSession(session: http2.Http2Session): () => void {
  const n = tunnels.get(session) ?? 0;
  tunnels.set(session, n + 1);
  if (n === 0) session.setTimeout(0);
  return () => {
    const left = (tunnels.get(session) ?? 1) - 1;
    tunnels.set(session, left);
    if (left === 0 && !session.destroyed) session.setTimeout(keepAliveOf(session));
  };
}

/** The server's timeout, which Node gave the session when it accepted it. */
function keepAliveOf(session: http2.Http2Session): number {
  return (session as unknown as { server?: { timeout?: number } }).server?.timeout ?? 0;
}

function refuse(stream: http2.ServerHttp2Stream, ctx: TunnelServerContext, c: TcpConnection, code: ErrorCode, detail: string): void {
  ctx.tcp.refused(c, code, detail);
  if (stream.destroyed) return;
  if (!stream.headersSent) stream.respond({ ':status': STATUS_OF[code] ?? 503, 'x-weft-error': code, 'content-type': 'text/plain' });
  stream.end(`${detail}\n`);
}

/**
 * Serves one CONNECT stream: refused (405) unless the app speaks TCP, then checked against the service's policy by
 * the caller's principal (L4: principals and namespaces decide), then the app is dialled within its connect
 * timeout; 200 once it answers, and the bytes flow. Every outcome is counted and logged once.
 */
export function serveTunnel(stream: http2.ServerHttp2Stream, ctx: TunnelServerContext): void {
  const app = ctx.app;
  const socket = stream.session?.socket as TLSSocket | undefined;
  const principal = socket?.encrypted ? peerIdentity(socket) : undefined;
  const c: TcpConnection = { side: 'inbound', service: app?.service ?? '', peer: principal ?? '', upstream: '', startedAt: Date.now() };
  if (!app) {
    ctx.metrics.rejectedDownstream(ErrorCodes.METHOD_NOT_ALLOWED);
    return refuse(stream, ctx, c, ErrorCodes.METHOD_NOT_ALLOWED, 'this service speaks HTTP: CONNECT tunnels only reach TCP services (--app-protocol tcp)');
  }
  const authz = ctx.authz;
  if (authz) {
    const d = authz.checkConnection(principal);
    ctx.metrics.authz(authz.service, d);
    if (!(d.allowed && d.decision === 'allow')) {
      const fields = authzLogFields(authz.service, d, principal, 'CONNECT', '');
      if (d.allowed) ctx.log.warn(fields, 'authorization policy would deny this connection (audit mode)');
      else {
        ctx.log.info(fields, 'denied by authorization policy');
        return refuse(stream, ctx, c, ErrorCodes.AUTHZ_DENIED, `${d.reason} (rule ${d.rule})`);
      }
    }
  }
  c.upstream = `${app.host}:${app.port}`;
  const release = holdSession(stream.session!);
  const upstream = net.connect({ host: app.host, port: app.port, allowHalfOpen: true, noDelay: true });
  const timer = setTimeout(() => upstream.destroy(Object.assign(new Error(`no connection within ${app.connectTimeoutMs} ms`), { code: 'ETIMEDOUT' })), app.connectTimeoutMs);
  const giveUp = () => upstream.destroy();
  // The caller may give up (reset, or its own connect timeout) while the app is being dialled.
  stream.once('close', giveUp);
  upstream.once('error', (err: NodeJS.ErrnoException) => {
    clearTimeout(timer);
    release();
    stream.off('close', giveUp);
    const code = err.code === 'ETIMEDOUT' ? ErrorCodes.UPSTREAM_TIMEOUT : ErrorCodes.UPSTREAM_CONNECT;
    refuse(stream, ctx, c, code, `the app at ${c.upstream} did not accept the connection: ${err.message}`);
  });
  upstream.once('connect', () => {
    clearTimeout(timer);
    stream.off('close', giveUp);
    upstream.removeAllListeners('error');
    if (stream.destroyed) {
      release();
      return void upstream.destroy();
    }
    stream.respond({ ':status': 200 });
    const abort = () => stream.close(loadHttp2().constants.NGHTTP2_CONNECT_ERROR);
    // Bytes the app's socket writes came from the caller (upstream); those it reads go back (downstream).
    splice(upstream, stream, app.idleTimeoutMs, abort, (end) => {
      release();
      ctx.tcp.carried(c, end.bytesWritten, end.bytesRead, end);
    });
  });
}

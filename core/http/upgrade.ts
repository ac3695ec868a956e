// Tunnels HTTP/1.1 upgrades (WebSocket): the upgrade request goes upstream, a 101 comes back, then bytes flow both ways.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { authorize, countedCaller } from './inbound-authz.ts';
import type { WorkerContext } from './request-path.ts';
import { upstreamRequestHeaders } from './headers.ts';
import { rawReject } from './local-reply.ts';
import { classifyUpstreamError } from '../upstream/errors.ts';
import { ErrorCodes } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import { STATUS_OF } from './local-reply.ts';
import { STATUS_CODES } from './node-http.ts';

function reject(socket: Duplex, code: ErrorCode): void {
  const status = STATUS_OF[code] ?? 502;
  socket.end(rawReject(status, STATUS_CODES[status]!, code));
}

export function handleUpgrade(ctx: WorkerContext, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  if (ctx.authz !== undefined && !authorize(ctx.authz, req, ctx.metrics, ctx.log).allowed) return reject(socket, ErrorCodes.AUTHZ_DENIED);
  const route = ctx.routes.match(req.method!, req.url!, req.rawHeaders);
  if (!route) return reject(socket, ErrorCodes.NO_ROUTE);
  const endpoint = route.cluster.pick();
  if (!endpoint) return reject(socket, ErrorCodes.NO_HEALTHY_UPSTREAM);
  const protocol = req.headers.upgrade ?? 'websocket';
  const facts = upstreamRequestHeaders(req.rawHeaders, req.socket.remoteAddress ?? '', 'http');
  socket.once('error', () => socket.destroy());
  endpoint.upgrade({ path: req.url!, method: req.method as 'GET', headers: facts.headers, protocol }).then(
    ({ headers, socket: upstream }) => {
      let head101 = 'HTTP/1.1 101 Switching Protocols\r\n';
      for (const [k, v] of Object.entries(headers)) {
        for (const one of Array.isArray(v) ? v : [v]) head101 += `${k}: ${one}\r\n`;
      }
      socket.write(`${head101}\r\n`);
      if (head.length) upstream.write(head);
      // A tunnel keeps no half-open side: when either end finishes or fails, both sockets go.
      const teardown = () => { socket.destroy(); upstream.destroy(); };
      for (const s of [socket, upstream]) {
        s.once('end', teardown);
        s.once('close', teardown);
        s.on('error', teardown);
      }
      upstream.pipe(socket).pipe(upstream);
      route.traffic.cell(undefined, route.cluster, countedCaller(ctx.traffic, req)).record(101, 0, '', undefined, 0, 0, 0);
    },
    (err: unknown) => {
      const { code } = classifyUpstreamError(err);
      if (code === ErrorCodes.BAD_REQUEST) ctx.metrics.rejectedDownstream(code);
      else ctx.metrics.upstreamError(route.cluster.name, code);
      reject(socket, code);
    },
  );
}

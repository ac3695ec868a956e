// Real upstream HTTP servers on 127.0.0.1:0 for end-to-end tests, each recording what reached it.
import http from 'node:http';
import type http2 from 'node:http2';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { startProxy } from './proxy.ts';
import type { RunningProxy } from './proxy.ts';
import { writeConfig } from './config.ts';

export interface Upstream {
  url: string;
  port: number;
  server: http.Server;
  /** Requests as they reached the upstream: method, url, headers (lowercased) and the body length. */
  seen: { method: string; url: string; headers: http.IncomingHttpHeaders; rawHeaders: string[] }[];
  /** Stops listening and destroys every connection, upgraded ones too, so it never waits on a client; for `t.after(up.close)`. */
  close(): Promise<void>;
}

export async function startUpstream(handler?: (req: IncomingMessage, res: ServerResponse) => void): Promise<Upstream> {
  const seen: Upstream['seen'] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, rawHeaders: req.rawHeaders });
    if (handler) return handler(req, res);
    let n = 0;
    req.on('data', (c: Buffer) => (n += c.length));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ port: (server.address() as AddressInfo).port, method: req.method, url: req.url, bodyBytes: n }));
    });
  });
  // Every socket, not only those node:http still tracks: an upgraded one (a WebSocket tunnel) would hold close() open.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    seen,
    close: () => new Promise((r) => {
      server.close(() => r());
      for (const socket of sockets) socket.destroy();
    }),
  };
}

/** A free port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Sends raw bytes on a fresh TCP connection and collects everything until the server closes it (or the timeout). */
export async function rawExchange(port: number, bytes: string, timeoutMs = 3000): Promise<{ response: string; closed: boolean }> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let response = '';
    const timer = setTimeout(() => { sock.destroy(); resolve({ response, closed: false }); }, timeoutMs);
    sock.on('data', (d) => (response += d.toString('latin1')));
    sock.on('error', () => {});
    sock.on('close', () => { clearTimeout(timer); resolve({ response, closed: true }); });
    sock.write(bytes);
  });
}

/** A node:http2 upstream on 127.0.0.1:0 and a one-worker proxy whose only route goes to it as a `protocol: http2` cluster; both stopped by `t.after`. */
export async function startH2UpstreamProxy(t: { after(fn: () => unknown): void }, server: http2.Http2Server): Promise<{ proxy: RunningProxy; sessions: Set<http2.ServerHttp2Session> }> {
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => sessions.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => { for (const s of sessions) s.destroy(); server.close(() => r()); }));
  const port = (server.address() as AddressInfo).port;
  const proxy = await startProxy(['--config', writeConfig(`
listen: 127.0.0.1:0
workers: 1
clusters:
  - { name: h2, endpoints: ["http://127.0.0.1:${port}"], protocol: http2 }
routes:
  - cluster: h2
`)]);
  t.after(() => proxy.stop());
  return { proxy, sessions };
}

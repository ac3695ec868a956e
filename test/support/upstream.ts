// Real upstream HTTP servers on 127.0.0.1:0 for end-to-end tests, each recording what reached it.
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

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

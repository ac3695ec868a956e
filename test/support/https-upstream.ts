// A real HTTPS upstream on 127.0.0.1:0 for TLS-origination tests: node:http2's secure server, which speaks HTTP/2 or HTTP/1.1 as ALPN decides (or node:https, HTTP/1.1 alone), answering what reached it.
import http2 from 'node:http2';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Issued } from './test-ca.ts';

/** One request as the server saw it, and what it answers with (as JSON). */
export interface Seen {
  method: string;
  path: string;
  host: string;
  /** '2.0' or '1.1': what ALPN chose. */
  httpVersion: string;
  /** The SNI the client sent, or false for none. */
  servername: string | false;
  /** The CN of the client certificate, when one was asked for and given. */
  client?: string;
  /** The client's port: requests on one connection share it. */
  clientPort: number;
}

export interface HttpsUpstream {
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}

/**
 * Serves `cert`; with `clientCa`, every client must present a certificate that CA issued, or the handshake fails
 * (TLS 1.3: the server's "certificate required" alert). `http1Only`: a server that answers no ALPN (node:https).
 */
export async function startHttpsUpstream(cert: Issued, clientCa?: string, { http1Only = false } = {}): Promise<HttpsUpstream> {
  const seen: Seen[] = [];
  const options = { cert: cert.cert, key: cert.key, ...(clientCa ? { ca: clientCa, requestCert: true, rejectUnauthorized: true } : {}) };
  const answer = (req: Http2ServerRequest | IncomingMessage, res: Http2ServerResponse | ServerResponse) => {
    const socket = req.socket as unknown as TLSSocket;
    const peer = clientCa ? socket.getPeerCertificate() : undefined;
    const s: Seen = {
      method: req.method!, path: req.url!, host: String(req.headers[':authority'] ?? req.headers.host), httpVersion: req.httpVersion,
      servername: socket.servername ?? false, clientPort: socket.remotePort!, ...(peer?.subject ? { client: String(peer.subject.CN) } : {}),
    };
    seen.push(s);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(s));
  };
  const server = http1Only ? https.createServer(options, answer) : http2.createSecureServer({ ...options, allowHTTP1: true }, answer);
  const sockets = new Set<Socket>();
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // Refused handshakes are what several tests are about: they must not crash the test process.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

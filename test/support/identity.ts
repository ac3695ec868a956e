// Test helpers for identities: a join token from the real CLI, and one TLS 1.3 exchange between two endpoints on loopback.
import { once } from 'node:events';
import { connect, createServer } from 'node:tls';
import type { ConnectionOptions, Server, TLSSocket, TlsOptions } from 'node:tls';
import type { RunningPlane } from '../../plane/test/support.ts';
import { peerIdentity } from '../../core/identity/tls.ts';

export async function joinToken(plane: RunningPlane, service: string, extra: string[] = []): Promise<string> {
  const r = await plane.weft(['identity', 'token', '--service', service, ...extra]);
  if (r.code !== 0) throw new Error(`weft identity token failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** An echo server that answers each connection with the client's SPIFFE ID (or "anonymous") then echoes. */
export async function echoServer(options: TlsOptions): Promise<{ server: Server; port: number }> {
  const server = createServer(options, (socket) => {
    socket.write(`${peerIdentity(socket) ?? 'anonymous'}\n`);
    socket.pipe(socket);
  });
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port };
}

/** Connects, reads the server's first line; resolves with the socket and that line, or rejects with the handshake's error. */
export async function dial(port: number, options: ConnectionOptions): Promise<{ socket: TLSSocket; line: string }> {
  const socket = connect({ host: '127.0.0.1', port, ...options });
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (d: Buffer) => {
      text += d.toString();
      const nl = text.indexOf('\n');
      if (nl < 0) return;
      socket.off('data', onData);
      resolve({ socket, line: text.slice(0, nl) });
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`closed before a line (got "${text}")`)));
  });
}

/** Sends text and waits for its echo (the socket stays open). */
export function echo(socket: TLSSocket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const onData = (d: Buffer) => {
      got += d.toString();
      if (got.length < text.length) return;
      socket.off('data', onData);
      socket.off('error', reject);
      resolve(got);
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(text);
  });
}

// Keeps a listen address to one weft process: a lock named after it keeps other weft processes off, and a kernel probe proves no other process holds it.
import { once } from 'node:events';
import net from 'node:net';
import type { HostPort } from '../config/settings.ts';
import { formatHostPort } from '../config/settings.ts';
import { ErrorCodes, WeftError } from '../errors.ts';

/** Held for the life of the process that claimed the address; released once its workers no longer listen there. */
export interface ListenClaim {
  release(): Promise<void>;
}

/**
 * An abstract unix socket (Linux): no file to go stale, gone when the process dies however it dies, and scoped to
 * the network namespace as the port itself is. It answers who holds it, and is where a deliberate handover to a
 * new process (an upgrade) will be negotiated.
 */
const lockName = (address: string) => `\0weft/listen/${address.toLowerCase()}`;
/** How long a refused start waits for the holder to say its pid before saying it without. */
const HOLDER_TIMEOUT_MS = 1000;

function listen(server: net.Server, options: net.ListenOptions): Promise<void> {
  const listening = once(server, 'listening');
  server.listen(options);
  return listening.then(() => undefined);
}

/** The pid the lock's holder reports, or undefined when it does not say in time. */
function holderPid(name: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    let text = '';
    const socket = net.connect(name);
    socket.setTimeout(HOLDER_TIMEOUT_MS, () => socket.destroy());
    socket.on('data', (d) => (text += d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      try {
        const pid = (JSON.parse(text) as { pid?: unknown }).pid;
        resolve(typeof pid === 'number' ? pid : undefined);
      } catch {
        resolve(undefined);
      }
    });
  });
}

/**
 * Claims `at` for this process before its workers bind it with SO_REUSEPORT (which lets any socket of the same
 * user join the port's group and take a share of its connections). First the lock: another weft process that
 * serves the address holds it. Then, with `probe`, an exclusive bind (no SO_REUSEPORT) that the kernel refuses
 * while any socket, weft's or not, holds an overlapping address (the same port on 0.0.0.0, say); it is closed at
 * once so the workers can bind. A port 0 the kernel just chose for this process needs no probe. `label` names
 * the listener in the error (a sidecar has several).
 */
export async function claimListen(at: HostPort, probe: boolean, label = ''): Promise<ListenClaim> {
  const address = formatHostPort(at);
  const refuse = (why: string) => new WeftError(ErrorCodes.LISTEN_FAILED, `cannot listen on ${address}${label}: ${why}`);
  const name = lockName(address);
  const lock = net.createServer((socket) => socket.end(`${JSON.stringify({ pid: process.pid })}\n`));
  try {
    await listen(lock, { path: name });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw refuse(`cannot take its lock: ${(err as Error).message}`);
    const pid = await holderPid(name);
    throw refuse(`another weft process${pid === undefined ? '' : ` (pid ${pid})`} serves it`);
  }
  // The lock must never be what keeps a stopping process alive.
  lock.unref();
  const release = () => new Promise<void>((resolve) => lock.close(() => resolve()));
  if (probe) {
    const exclusive = net.createServer();
    try {
      await listen(exclusive, { host: at.host, port: at.port });
      await new Promise((resolve) => exclusive.close(resolve));
    } catch (err) {
      await release();
      throw refuse((err as Error).message);
    }
  }
  return { release };
}

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

/** What a lock's holder answers: its pid, and the socket it hands its addresses over through (core/proxy/handover.ts). */
export interface Holder { pid?: number; handover?: string }

/** The refusal of an address another weft process serves, with what it said of itself (for a takeover). */
export class HeldAddress extends WeftError {
  readonly holder: Holder;
  constructor(message: string, holder: Holder) {
    super(ErrorCodes.LISTEN_FAILED, message);
    this.holder = holder;
  }
}

/**
 * An abstract unix socket (Linux): no file to go stale, gone when the process dies however it dies, and scoped to
 * the network namespace as the port itself is. It answers who holds it and where to ask for a handover; it is not
 * that socket itself, since anyone in the namespace may connect to an abstract name, and only the owner may to a
 * file in a 0700 data dir.
 */
const lockName = (address: string) => `\0weft/listen/${address.toLowerCase()}`;
/** How long a refused start waits for the holder to say its pid before saying it without. */
const HOLDER_TIMEOUT_MS = 1000;

function listen(server: net.Server, options: net.ListenOptions): Promise<void> {
  const listening = once(server, 'listening');
  server.listen(options);
  return listening.then(() => undefined);
}

/** What the lock's holder reports, empty when it does not say in time. */
function askHolder(name: string): Promise<Holder> {
  return new Promise((resolve) => {
    let text = '';
    const socket = net.connect(name);
    socket.setTimeout(HOLDER_TIMEOUT_MS, () => socket.destroy());
    socket.on('data', (d) => (text += d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      try {
        const { pid, handover } = JSON.parse(text) as { pid?: unknown; handover?: unknown };
        resolve({ pid: typeof pid === 'number' ? pid : undefined, handover: typeof handover === 'string' ? handover : undefined });
      } catch {
        resolve({});
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
 * the listener in the error (a sidecar has several); `handover` is this process's handover socket, which the lock
 * tells whoever asks. Another weft process on the address is refused with a HeldAddress.
 */
export async function claimListen(at: HostPort, probe: boolean, label = '', handover?: string): Promise<ListenClaim> {
  const address = formatHostPort(at);
  const sentence = (why: string) => `cannot listen on ${address}${label}: ${why}`;
  const refuse = (why: string) => new WeftError(ErrorCodes.LISTEN_FAILED, sentence(why));
  const name = lockName(address);
  const lock = net.createServer((socket) => socket.end(`${JSON.stringify({ pid: process.pid, handover } satisfies Holder)}\n`));
  try {
    await listen(lock, { path: name });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw refuse(`cannot take its lock: ${(err as Error).message}`);
    const holder = await askHolder(name);
    const pid = holder.pid;
    throw new HeldAddress(sentence(`another weft process${pid === undefined ? '' : ` (pid ${pid})`} serves it; weft proxy --takeover replaces it without losing a request`), holder);
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

// An upgrade without a lost request: a new `weft proxy --takeover` asks the running one, over a unix socket in its data dir, to hand its listen addresses over.
import net from 'node:net';
import { join } from 'node:path';
import { ErrorCodes, WeftError } from '../errors.ts';

const { chmodSync, unlinkSync } = process.getBuiltinModule('node:fs');

/**
 * The protocol, one JSON object a line. New → holder: `takeover` with its pid and addresses; holder → new:
 * `accepted` or `refused` with a reason. The new process then binds the addresses (SO_REUSEPORT: both serve)
 * and, once every worker listens, says `serving`; the holder stops accepting, lets its locks and admin address
 * go, answers `released`, drains and exits.
 */
type Message =
  | { op: 'takeover'; pid: number; addresses: string[] }
  | { op: 'accepted'; pid: number }
  | { op: 'refused'; reason: string }
  | { op: 'serving' }
  | { op: 'released' };

/** How long a new process waits for each answer of the holder: it only checks addresses and closes sockets. */
const ANSWER_TIMEOUT_MS = 10_000;

/** Calls `on` with each message the peer sends on `socket`; a line that is not one ends the connection. */
function readMessages(socket: net.Socket, on: (m: Message) => void): void {
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => {
    text += d;
    let end;
    while ((end = text.indexOf('\n')) >= 0) {
      const line = text.slice(0, end);
      text = text.slice(end + 1);
      try {
        on(JSON.parse(line) as Message);
      } catch {
        socket.destroy();
        return;
      }
    }
  });
}

const say = (socket: net.Socket, m: Message) => socket.write(`${JSON.stringify(m)}\n`);

/** What the serving process answers a takeover with. */
export interface HandoverHost {
  /** Why the addresses a new process asks for cannot replace this one's (one of ours would be left unserved), or undefined. */
  refusal(addresses: string[]): string | undefined;
  /** The new process serves every address: stop accepting and let the locks and the admin address go; draining goes on after. */
  release(pid: number): Promise<void>;
}

export interface HandoverServer {
  /** The socket's path, which the listen locks tell whoever asks. */
  path: string;
  close(): Promise<void>;
}

/**
 * Listens on `<dataDir>/handover-PID.sock`, 0600 in the 0700 data dir: only the data dir's owner (and root) can
 * make this process let go of its addresses. Named by pid, so proxies sharing a data dir each have their own.
 */
export async function serveHandover(dataDir: string, host: HandoverHost): Promise<HandoverServer> {
  const path = join(dataDir, `handover-${process.pid}.sock`);
  // A file of this name is left by a process that had this pid and died: no one listens on it.
  try {
    unlinkSync(path);
  } catch { /* none */ }
  let busy = false;
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    let mine = false;
    let pid = 0;
    socket.on('close', () => {
      if (mine) busy = false;
    });
    readMessages(socket, (m) => {
      if (m.op === 'takeover') {
        const reason = busy ? 'another handover is under way' : host.refusal(m.addresses);
        if (reason) return void socket.end(`${JSON.stringify({ op: 'refused', reason } satisfies Message)}\n`);
        busy = mine = true;
        pid = m.pid;
        say(socket, { op: 'accepted', pid: process.pid });
      } else if (m.op === 'serving' && mine) {
        // Released for good: a new process that dies now is the service manager's to restart.
        mine = false;
        void host.release(pid).then(() => say(socket, { op: 'released' }), () => socket.destroy());
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new WeftError(ErrorCodes.DATA_DIR, `cannot open the handover socket ${path}: ${err.message}`)));
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  server.unref();
  return { path, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A handover the holder accepted: this process binds the addresses beside it, then says it serves. */
export interface Handover {
  /** The holder's pid. */
  pid: number;
  /** Tells the holder this process serves every address; resolves once it has let go of them. */
  serving(): Promise<void>;
  /** Ends the handover unfinished (this process failed to start): the holder keeps serving. */
  abort(): void;
}

/** Asks the process listening on `path` (pid `pid`, by its lock) to hand `addresses` over; rejects with why not. */
export function requestHandover(path: string, pid: number, addresses: string[]): Promise<Handover> {
  const fail = (why: string) => new WeftError(ErrorCodes.LISTEN_FAILED, `cannot take ${addresses.join(', ')} over from weft pid ${pid}: ${why}`);
  return new Promise((resolve, reject) => {
    const socket = net.connect(path);
    let answered: ((m: Message) => void) | undefined;
    let lost: ((why: string) => void) | undefined;
    const wait = (op: Message['op'], then: () => void, otherwise: (why: string) => void) => {
      const timer = setTimeout(() => {
        socket.destroy();
        otherwise(`it did not answer within ${ANSWER_TIMEOUT_MS / 1000} s`);
      }, ANSWER_TIMEOUT_MS);
      answered = (m) => {
        clearTimeout(timer);
        if (m.op === op) then();
        else otherwise(m.op === 'refused' ? m.reason : `it answered "${m.op}"`);
      };
      lost = (why) => {
        clearTimeout(timer);
        otherwise(why);
      };
    };
    socket.on('error', (err) => lost?.((err as NodeJS.ErrnoException).code === 'EACCES'
      ? `no permission to its handover socket ${path} (start the new process as the same user)`
      : `its handover socket ${path}: ${err.message}`));
    socket.on('close', () => lost?.('it closed the handover connection'));
    readMessages(socket, (m) => answered?.(m));
    const handover: Handover = {
      pid,
      serving: () => new Promise((done, refuse) => {
        wait('released', () => {
          lost = undefined;
          socket.end();
          done();
        }, (why) => refuse(fail(why)));
        say(socket, { op: 'serving' });
      }),
      abort: () => {
        lost = undefined;
        socket.destroy();
      },
    };
    wait('accepted', () => resolve(handover), (why) => {
      lost = undefined;
      socket.destroy();
      reject(fail(why));
    });
    say(socket, { op: 'takeover', pid: process.pid, addresses });
  });
}

// An HTTP/1.1 connection whose parser stopped on a request: the answers it still owes go out first, then it is refused or handed to another parser.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ExtensionConnection } from './extension-method.ts';
import type { ExtensionRequest } from './extension-method.ts';

/**
 * What Node's HTTP/1.1 server keeps on a connection: the response being written (pipelined ones queue behind it
 * and take its place as it finishes) and the parser, whose `incoming` is the request it read last.
 */
export type Http1Socket = Socket & {
  _httpMessage?: ServerResponse | null;
  parser?: { incoming?: IncomingMessage | null } | null;
  [REQUESTS_SEEN]?: number;
};

const REQUESTS_SEEN = Symbol('weft.requestsSeen');

/**
 * Counts a connection's requests; the one that reaches the limit is answered with Connection: close and the
 * connection then closes (Node's own maxRequestsPerSocket announces the close but leaves the socket open).
 */
export function lastAllowed(socket: Http1Socket, res: ServerResponse, limit: number): void {
  const n = (socket[REQUESTS_SEEN] ?? 0) + 1;
  socket[REQUESTS_SEEN] = n;
  if (n >= limit) res.shouldKeepAlive = false;
}

/** The listeners Node's HTTP/1.1 server puts on a connection for its parser, by the names its source gives them. */
const READING = [['data', 'bound socketOnData'], ['end', 'bound socketOnEnd']] as const;
const SERVING = [['drain', 'bound socketOnDrain'], ['timeout', 'socketOnTimeout']] as const;

function removeNamed(socket: Socket, listeners: readonly (readonly [string, string])[]): void {
  for (const [event, name] of listeners) {
    for (const fn of socket.listeners(event)) if (fn.name === name) socket.removeListener(event, fn as (...args: unknown[]) => void);
  }
}

/** The request being read when the parser stopped, if its body was not complete: the error is that request's. */
export function readingBody(socket: Http1Socket): IncomingMessage | undefined {
  const req = socket.parser?.incoming;
  return req && !req.complete ? req : undefined;
}

/** Runs `then` once every response the connection owes has been written (at once if none). */
export function afterResponses(socket: Http1Socket, then: () => void): void {
  const res = socket._httpMessage;
  if (!res) return then();
  // Node's own 'finish' listener was added first: it has put the next pipelined response on the socket by now.
  res.once('finish', () => afterResponses(socket, then));
}

/**
 * Serves the rest of `connection` with `server`'s parser from `next` on, once the responses it owes are out. The
 * socket's bytes go to the new connection from now on (Node's parser, stopped on an error, is detached from
 * them); Node's remaining hold on the socket (drain, idle timer) ends once those responses are written.
 */
export function handOver(connection: Http1Socket, next: ExtensionRequest, server: Server): void {
  removeNamed(connection, READING);
  const socket = connection instanceof ExtensionConnection ? connection.socket : connection;
  const buffered: Buffer[] = [];
  if (connection instanceof ExtensionConnection) {
    connection.stopReading();
    for (let chunk = connection.read() as Buffer | null; chunk !== null; chunk = connection.read() as Buffer | null) buffered.push(chunk);
  }
  const successor = new ExtensionConnection(socket, buffered.length ? { method: next.method, bytes: Buffer.concat([next.bytes, ...buffered]) } : next);
  // The connection's request count goes on (limits.maxRequestsPerConnection).
  (successor as unknown as Http1Socket)[REQUESTS_SEEN] = connection[REQUESTS_SEEN];
  afterResponses(connection, () => {
    if (successor.destroyed) return;
    if (connection instanceof ExtensionConnection) {
      connection.release();
    } else {
      removeNamed(connection, SERVING);
      connection.setTimeout(0);
    }
    server.emit('connection', successor);
  });
}

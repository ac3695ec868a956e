// One HTTP/2 request on a client session, for tests: what arrived (head, informational heads, body, trailers) and how the stream ended.
import type http2 from 'node:http2';

export type H2Answer = {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: Buffer;
  trailers: http2.IncomingHttpHeaders;
  informational: number[];
  rstCode: number;
  ended: boolean;
};

/** Resolves when the stream closes, reset or not; `onHead` runs as the response head arrives. */
export function h2Exchange(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body?: Buffer | string, onHead?: () => void): Promise<H2Answer> {
  return new Promise((resolve) => {
    const stream = session.request(headers, { endStream: body === undefined });
    const a: H2Answer = { status: 0, headers: {}, body: Buffer.alloc(0), trailers: {}, informational: [], rstCode: 0, ended: false };
    const chunks: Buffer[] = [];
    stream.on('headers', (h) => a.informational.push(Number(h[':status'])));
    stream.on('response', (h) => {
      a.status = Number(h[':status']);
      a.headers = h;
      onHead?.();
    });
    stream.on('trailers', (t) => (a.trailers = t));
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => (a.ended = true));
    stream.on('error', () => undefined);
    stream.on('close', () => {
      a.body = Buffer.concat(chunks);
      a.rstCode = stream.rstCode ?? 0;
      resolve(a);
    });
    if (body !== undefined) stream.end(body);
  });
}

// Header rules of a proxy hop: drop hop-by-hop headers both ways, add x-forwarded-* and x-request-id going up.
import { randomUUID } from 'node:crypto';

/** RFC 9110 §7.6.1 connection-specific headers, plus the Proxy-* family and Expect (Weft answers 100-continue itself). */
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'te', 'transfer-encoding', 'upgrade', 'proxy-connection',
  'proxy-authenticate', 'proxy-authorization', 'expect', 'http2-settings',
]);

function isHopByHop(lower: string, named: string[] | undefined): boolean {
  return HOP_BY_HOP.has(lower) || lower.startsWith('proxy-') || (named !== undefined && named.includes(lower));
}

/** Header names that a Connection header lists are hop-by-hop too; "close" and "keep-alive" are the common, empty case. */
function connectionNamed(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const v = value.toLowerCase();
  if (v === 'keep-alive' || v === 'close' || v === 'upgrade') return undefined;
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

/** What the request path learns while copying the downstream headers. */
export interface RequestFacts {
  /** Flat [name, value, ...] list for undici, hop-by-hop removed, forwarding headers added. */
  headers: string[];
  authority: string;
  /** http or https: how the client reached the proxy (x-forwarded-proto, :scheme for filters). */
  scheme: string;
  requestId: string;
  /** The request carries a body (Content-Length > 0 or chunked). */
  hasBody: boolean;
}

/**
 * One pass over Node's rawHeaders (HTTP/1.1's, or HTTP/2's with its pseudo-headers): copy the end-to-end headers
 * and note what the path needs. x-forwarded-for gains the client address; -proto and -host and x-request-id are
 * kept when present, added when not. HTTP/2's :authority goes up as Host, its split cookie headers as one (RFC 9113
 * §8.2.3), and `te: trailers`, the one TE value HTTP/2 allows, is kept: gRPC servers require it.
 */
export function upstreamRequestHeaders(raw: string[], clientAddress: string, scheme: string): RequestFacts {
  let connection: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i];
    if (n.length === 10 && n.toLowerCase() === 'connection') connection = connection === undefined ? raw[i + 1] : `${connection},${raw[i + 1]}`;
  }
  const named = connectionNamed(connection);
  const out: string[] = [];
  let authority = '';
  let requestId = '';
  let xff: string | undefined;
  let hasProto = false;
  let hasXHost = false;
  let hasBody = false;
  let hasHost = false;
  let trailers = false;
  let cookieAt = -1;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    const value = raw[i + 1];
    if (name.charCodeAt(0) === 58 /* : */) {
      if (name === ':authority' && !hasHost) authority = value;
      continue;
    }
    const lower = name.toLowerCase();
    if (isHopByHop(lower, named)) {
      if (lower === 'transfer-encoding') hasBody = true;
      else if (lower === 'te' && value.includes('trailers')) trailers = true;
      continue;
    }
    switch (lower) {
      case 'host': authority = value; hasHost = true; break;
      case 'cookie':
        if (cookieAt >= 0) {
          out[cookieAt] = `${out[cookieAt]}; ${value}`;
          continue;
        }
        cookieAt = out.length + 1;
        break;
      case 'content-length': if (value !== '0') hasBody = true; break;
      case 'x-request-id': requestId = value; break;
      case 'x-forwarded-for': xff = xff === undefined ? value : `${xff}, ${value}`; continue;
      case 'x-forwarded-proto': hasProto = true; break;
      case 'x-forwarded-host': hasXHost = true; break;
    }
    out.push(lower, value);
  }
  if (!hasHost && authority) out.push('host', authority);
  if (trailers) out.push('te', 'trailers');
  out.push('x-forwarded-for', xff === undefined ? clientAddress : `${xff}, ${clientAddress}`);
  if (!hasProto) out.push('x-forwarded-proto', scheme);
  if (!hasXHost && authority) out.push('x-forwarded-host', authority);
  if (!requestId) {
    requestId = randomUUID();
    out.push('x-request-id', requestId);
  }
  return { headers: out, authority, scheme, requestId, hasBody };
}

const RESPONSE_HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade']);

/**
 * An upstream's parsed response headers (undici's, or node:http2's) as the flat [name, value, …] list Node's writeHead takes, hop-by-hop
 * headers left out. Building a list is cheaper than deleting keys, which turns the object into a slow dictionary.
 */
export function downstreamResponseHeaders(headers: Record<string, string | string[] | undefined>): string[] {
  const named = headers.connection === undefined ? undefined : connectionNamed(String(headers.connection));
  const flat: string[] = [];
  for (const name in headers) {
    const v = headers[name];
    // An HTTP/2 upstream's :status is the status, not a header.
    if (v === undefined || name.charCodeAt(0) === 58 /* : */ || RESPONSE_HOP_BY_HOP.has(name) || (named !== undefined && named.includes(name))) continue;
    if (typeof v === 'string') flat.push(name, v);
    else for (const one of v) flat.push(name, one);
  }
  return flat;
}

/** More header fields than `limit`, pseudo-headers aside; the common case costs one comparison. */
export function tooManyHeaders(raw: string[], limit: number): boolean {
  if (raw.length <= 2 * limit) return false;
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i].charCodeAt(0) !== 0x3a) n++;
  return n > limit;
}

// What Node's HTTP/1.x parser lets through that a proxy must still refuse: the version, the request target, Host, and framing HTTP/1.0 cannot carry.
import type { IncomingMessage } from 'node:http';

/** Bytes of an RFC 3986 reg-name or IPv4 address: unreserved, sub-delims and percent-encoding. */
const REG_NAME = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=%") REG_NAME[c.charCodeAt(0)] = 1;
/** Bytes of an IP literal between its brackets. */
const IP_LITERAL = new Uint8Array(128);
for (const c of '0123456789ABCDEFabcdef:.') IP_LITERAL[c.charCodeAt(0)] = 1;

/**
 * An RFC 3986 host with an optional port: a reg-name or IPv4 address, or an IP literal in brackets. Anything else
 * (a space, a second name, userinfo) would route one way here and another way upstream. A loop over a table, not
 * a regular expression: it runs on every request.
 */
function validHost(host: string): boolean {
  let i = 0;
  const n = host.length;
  if (host.charCodeAt(0) === 0x5b /* [ */) {
    for (i = 1; i < n && IP_LITERAL[host.charCodeAt(i)] === 1; i++);
    if (i === 1 || host.charCodeAt(i) !== 0x5d /* ] */) return false;
    i++;
  } else {
    for (; i < n && REG_NAME[host.charCodeAt(i)] === 1; i++);
    if (i === 0) return false;
  }
  if (i === n) return true;
  if (host.charCodeAt(i) !== 0x3a /* : */) return false;
  for (i++; i < n; i++) if (host.charCodeAt(i) - 0x30 >>> 0 > 9) return false;
  return true;
}

/** The Host the last request that passed carried (one worker thread runs this module). */
let lastValidHost = '';

/** The scheme and authority of an absolute-form target (RFC 9112 §3.2.2), then the path and query, if any. */
const ABSOLUTE = /^https?:\/\/([^/?#]*)([^#]*)$/i;

/** `name` (a token, as the parser checked, as long as `lower`) equals `lower` ignoring case, without allocating. */
function isField(name: string, lower: string): boolean {
  for (let i = 0; i < name.length; i++) if ((name.charCodeAt(i) | 0x20) !== lower.charCodeAt(i)) return false;
  return true;
}

/**
 * Why `req` must be refused with 400, or undefined. Node's parser already refused what breaks HTTP/1.1's syntax;
 * this is what parses but cannot be proxied safely: a version other than 1.x (llhttp also reads HTTP/0.9 and
 * HTTP/2.0 request lines), a target that is not a path (`*`, an authority), a missing, repeated or ill-formed
 * Host, and Transfer-Encoding in HTTP/1.0, whose framing that version does not define (RFC 9112 §6.1). An
 * absolute-form target is accepted, as RFC 9112 §3.2.2 requires, by rewriting it to its path with its authority
 * as the Host, so that routes, policies and the upstream all see one request.
 */
export function malformed(req: IncomingMessage): string | undefined {
  if (req.httpVersionMajor !== 1) return `HTTP/${req.httpVersion} request line over an HTTP/1.1 connection`;
  if (req.url!.charCodeAt(0) !== 0x2f /* / */ && !toOriginForm(req)) return 'request target is not a path';
  const raw = req.rawHeaders;
  const http10 = req.httpVersionMinor === 0;
  let host: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name.length === 4 && isField(name, 'host')) {
      if (host !== undefined) return 'more than one Host header';
      host = raw[i + 1];
    } else if (http10 && name.length === 17 && isField(name, 'transfer-encoding')) {
      return 'Transfer-Encoding in an HTTP/1.0 request';
    }
  }
  if (host === undefined || host === '') return http10 ? undefined : 'missing Host header';
  // A listener's requests nearly all carry the Host of the one before: comparing is cheaper than checking again.
  if (host === lastValidHost) return undefined;
  if (!validHost(host)) return 'invalid Host header';
  lastValidHost = host;
  return undefined;
}

/** Rewrites an absolute-form target to origin form; false when the target is neither (`*`, authority form, junk). */
function toOriginForm(req: IncomingMessage): boolean {
  const m = ABSOLUTE.exec(req.url!);
  if (m === null || !validHost(m[1])) return false;
  req.url = m[2].charCodeAt(0) === 0x2f ? m[2] : `/${m[2]}`;
  const raw = req.rawHeaders;
  for (let i = raw.length - 2; i >= 0; i -= 2) if (raw[i].length === 4 && isField(raw[i], 'host')) raw.splice(i, 2);
  raw.push('host', m[1]);
  return true;
}

// What Node's HTTP/1.x parser lets through that a proxy must still refuse: the version, the request target, Host, and framing HTTP/1.0 cannot carry.
import type { IncomingMessage } from 'node:http';

/**
 * An RFC 3986 host with an optional port: a reg-name or IPv4 address (unreserved, sub-delims, percent-encoding), or
 * an IP literal in brackets. Anything else (a space, a second name, userinfo) would route one way here and another
 * way upstream.
 */
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)(?::[0-9]*)?$/;

/** The scheme and authority of an absolute-form target (RFC 9112 §3.2.2), then the path and query, if any. */
const ABSOLUTE = /^https?:\/\/([^/?#]*)([^#]*)$/i;

/** `name` (a token, as the parser checked) equals `lower` ignoring case, without allocating a lower-cased copy. */
function isField(name: string, lower: string): boolean {
  if (name.length !== lower.length) return false;
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
    if (isField(name, 'host')) {
      if (host !== undefined) return 'more than one Host header';
      host = raw[i + 1];
    } else if (http10 && isField(name, 'transfer-encoding')) {
      return 'Transfer-Encoding in an HTTP/1.0 request';
    }
  }
  if (host === undefined || host === '') return http10 ? undefined : 'missing Host header';
  return HOST.test(host) ? undefined : 'invalid Host header';
}

/** Rewrites an absolute-form target to origin form; false when the target is neither (`*`, authority form, junk). */
function toOriginForm(req: IncomingMessage): boolean {
  const m = ABSOLUTE.exec(req.url!);
  if (m === null || !HOST.test(m[1])) return false;
  req.url = m[2].charCodeAt(0) === 0x2f ? m[2] : `/${m[2]}`;
  const raw = req.rawHeaders;
  for (let i = raw.length - 2; i >= 0; i -= 2) if (isField(raw[i], 'host')) raw.splice(i, 2);
  raw.push('host', m[1]);
  return true;
}

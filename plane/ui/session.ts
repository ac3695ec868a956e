// The dashboard's login: a session cookie made from the plane's token (HttpOnly, SameSite=Strict), and one-time login links for the terminal.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const COOKIE = 'weft_session';
/** A session lasts a working day; the login form is one token away. */
export const SESSION_MS = 12 * 3_600_000;
/** A login link printed to a terminal is used within minutes, or not at all. */
const LINK_MS = 10 * 60_000;
/** Links not yet used; more than this means something is minting them in a loop, and the oldest go. */
const MAX_LINKS = 64;

/**
 * `EXPIRY.MAC`: an HMAC under the token, so every replica that has the token checks a session without sharing
 * state, a session dies with the token it was made from, and the token itself never reaches the browser.
 */
function mac(token: string, expiry: number): string {
  return createHmac('sha256', token).update(`weft ui session v1\0${expiry}`).digest('base64url');
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The Set-Cookie header of a new session. Secure only when the plane is reached over TLS: a loopback plane speaks plain HTTP. */
export function sessionCookie(token: string, now: number, secure: boolean): string {
  const expiry = now + SESSION_MS;
  return `${COOKIE}=${expiry}.${mac(token, expiry)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MS / 1000}${secure ? '; Secure' : ''}`;
}

export function clearedCookie(): string {
  return `${COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}

/** Whether the request carries a session cookie this token made that has not expired. */
export function hasSession(headers: IncomingHttpHeaders, token: string, now: number): boolean {
  const value = /(?:^|;\s*)weft_session=([0-9]+)\.([A-Za-z0-9_-]+)/.exec(headers.cookie ?? '');
  if (!value) return false;
  const expiry = Number(value[1]);
  return expiry > now && equal(value[2], mac(token, expiry));
}

/**
 * Why a dashboard write must be refused as cross-site (null when it may go ahead). Browsers say where a request
 * comes from: Sec-Fetch-Site (every current browser), which decides alone when present (a form posted under a
 * no-referrer policy carries `Origin: null` even from its own page); else Origin, which browsers send on every
 * POST. A request with neither is not a browser's forgery (curl, a script): the cookie and the token decide.
 */
export function crossSite(headers: IncomingHttpHeaders): string | null {
  const site = headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin' || site === 'none' ? null : `Sec-Fetch-Site: ${site}`;
  const origin = headers.origin;
  if (origin === undefined) return null;
  let host: string | null = null;
  try {
    host = new URL(origin).host;
  } catch {
    // "null" (a sandboxed frame, a file) or garbage: not the plane's own page.
  }
  return host !== null && host === headers.host ? null : `Origin: ${origin}`;
}

/** Whether a login form's token is the plane's (constant time). */
export function isToken(given: string, token: string): boolean {
  return equal(given.trim(), token);
}

/**
 * One-time login codes, kept by the replica that made them (a link names that replica's address): each opens one
 * session, once, within LINK_MS. The code is not the token, so the token stays out of URLs, histories and logs.
 */
export class LoginLinks {
  readonly #codes = new Map<string, number>();

  create(now: number): string {
    for (const [code, expiry] of this.#codes) if (expiry <= now || this.#codes.size >= MAX_LINKS) this.#codes.delete(code);
    const code = randomBytes(24).toString('base64url');
    this.#codes.set(code, now + LINK_MS);
    return code;
  }

  redeem(code: string, now: number): boolean {
    const expiry = this.#codes.get(code);
    this.#codes.delete(code);
    return expiry !== undefined && expiry > now;
  }
}

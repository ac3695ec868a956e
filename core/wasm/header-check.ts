// The check a header a filter hands the host must pass to reach the wire (HTTP/1.1 and HTTP/2 alike); run in the host call, so a bad one never gets further.
import { MapType } from './abi.ts';
import { InvalidHeader } from './trap.ts';

/** RFC 9110 token characters by code (names arrive lower-cased; a method may be upper case). */
export const TOKEN_CHAR = new Uint8Array(128);
for (const ch of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TOKEN_CHAR[ch.charCodeAt(0)] = 1;
const STATUS = /^[1-5][0-9][0-9]$/;
/** undici's rules for a request target: origin or absolute form, no space or control character. */
const PATH_START = /^(?:\/|https?:\/\/)/;
const MAP_NAMES = ['request headers', 'request trailers', 'response headers', 'response trailers'];

/**
 * Throws InvalidHeader when `name: value` cannot go on the wire in header map `map` (request or response headers or
 * trailers; other maps never leave the proxy). A loop over each string's characters: no allocation when it passes.
 */
export function checkHeader(map: number, name: string, value: string): void {
  if (map > MapType.ResponseTrailers) return;
  if (name.charCodeAt(0) === 58 /* : */) return checkPseudo(map, name, value);
  if (!isToken(name)) throw new InvalidHeader(name, 'the name is not an HTTP token');
  checkValue(name, value);
}

/** As checkHeader for a local reply: its status, and its headers as response headers. */
export function checkLocalReply(status: number, headers: readonly [string, string][]): void {
  if (status < 100 || status > 599) throw new InvalidHeader(':status', `${status} is not a status from 100 to 599`);
  for (const [name, value] of headers) checkHeader(MapType.ResponseHeaders, name, value);
}

/** Whether `text` is a non-empty RFC 9110 token: a header name or a method. */
export function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 127 || TOKEN_CHAR[c] === 0) return false;
  }
  return true;
}

/** Tab, visible ASCII and obs-text pass; what Node's and undici's writers refuse (control characters, CR, LF, NUL, DEL, beyond Latin-1) does not. */
function checkValue(name: string, value: string): void {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 9) || c === 0x7f || c > 0xff) throw new InvalidHeader(name, `the value has ${describe(c)} at offset ${i}`);
  }
}

function checkPseudo(map: number, name: string, value: string): void {
  if (map === MapType.ResponseHeaders && name === ':status') {
    if (!STATUS.test(value)) throw new InvalidHeader(name, `${JSON.stringify(value)} is not a status from 100 to 599`);
    return;
  }
  if (map === MapType.RequestHeaders) {
    if (name === ':method') {
      if (!isToken(value)) throw new InvalidHeader(name, `${JSON.stringify(value)} is not a method token`);
      return;
    }
    if (name === ':path') {
      if (!PATH_START.test(value) || !isTarget(value)) {
        throw new InvalidHeader(name, 'a path starts with "/" (or is an absolute URL) and holds no space or control character');
      }
      return;
    }
    if (name === ':authority' || name === ':scheme') return checkValue(name, value);
  }
  throw new InvalidHeader(name, `no such pseudo-header in ${MAP_NAMES[map]}`);
}

function isTarget(path: string): boolean {
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c > 0xff) return false;
  }
  return true;
}

function describe(code: number): string {
  if (code === 0) return 'a NUL';
  if (code === 13) return 'a CR';
  if (code === 10) return 'an LF';
  if (code > 0xff) return `the character U+${code.toString(16).toUpperCase().padStart(4, '0')} (beyond Latin-1)`;
  return `the control character 0x${code.toString(16).padStart(2, '0')}`;
}

// Conversions between the wire's header shapes (Node's flat lists, undici's objects) and the [name, value] lists filters see.
import type { HeaderList } from '../wasm/stream-host.ts';
import type { ResponseHeaders } from '../upstream/attempt.ts';

/** Request pseudo-headers first, as proxy-wasm presents them, then the upstream-bound headers (flat name, value, …). */
export function requestHeaderList(method: string, path: string, authority: string, scheme: string, flat: string[]): HeaderList {
  const list: HeaderList = [[':authority', authority], [':path', path], [':method', method], [':scheme', scheme]];
  for (let i = 0; i < flat.length; i += 2) if (flat[i] !== 'host') list.push([flat[i], flat[i + 1]]);
  return list;
}

/** The pieces of a request header list the upstream request needs: pseudo-headers pulled out, Host from :authority. */
export function splitRequestHeaders(list: HeaderList): { method: string; path: string; authority: string; headers: string[] } {
  let method = 'GET';
  let path = '/';
  let authority = '';
  const headers: string[] = [];
  for (const [name, value] of list) {
    if (name.charCodeAt(0) !== 58 /* : */) headers.push(name, value);
    else if (name === ':method') method = value;
    else if (name === ':path') path = value;
    else if (name === ':authority') authority = value;
  }
  if (authority) headers.push('host', authority);
  return { method, path, authority, headers };
}

/** Response headers as filters see them: `:status` first, then the end-to-end headers (downstreamResponseHeaders' flat list). */
export function responseHeaderList(status: number, flat: string[]): HeaderList {
  const list: HeaderList = [[':status', String(status)]];
  for (let i = 0; i < flat.length; i += 2) list.push([flat[i], flat[i + 1]]);
  return list;
}

/** A header list as Node's writeHead takes it (flat, pseudo-headers left out), with the status and content-length (-1 when absent). */
export function toWriteHead(list: HeaderList): { status: number; flat: string[]; contentLength: number } {
  let status = 200;
  let contentLength = -1;
  const flat: string[] = [];
  for (const [name, value] of list) {
    if (name === ':status') status = Number(value);
    else if (name.charCodeAt(0) !== 58) {
      flat.push(name, value);
      if (name === 'content-length') contentLength = Number(value);
    }
  }
  return { status, flat, contentLength };
}

export function trailerObject(list: HeaderList | null): Record<string, string> | undefined {
  if (!list || list.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of list) out[name] = name in out ? `${out[name]}, ${value}` : value;
  return out;
}

export function trailerList(trailers: ResponseHeaders): HeaderList | null {
  let list: HeaderList | null = null;
  for (const name in trailers) {
    const v = trailers[name];
    if (v === undefined) continue;
    list ??= [];
    if (typeof v === 'string') list.push([name, v]);
    else for (const one of v) list.push([name, one]);
  }
  return list;
}

/** Headers given as an object (Node's OutgoingHttpHeaders, undici's object form) as a flat name, value, … list. */
export function flattenHeaders(headers: Record<string, string | number | readonly string[] | undefined> | null | undefined): string[] {
  const flat: string[] = [];
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const one of value) flat.push(name, one);
    else flat.push(name, String(value));
  }
  return flat;
}

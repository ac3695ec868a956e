// Request and response properties derived from the header lists, so the HTTP side only supplies what headers cannot tell.
import type { PropertyValue, StreamHost } from '../wasm/stream-host.ts';
import type { HeaderList } from '../wasm/stream-host.ts';

const REQUEST_HEADER_OF: Record<string, string> = {
  path: ':path', method: ':method', host: ':authority', scheme: ':scheme',
  id: 'x-request-id', useragent: 'user-agent', referer: 'referer',
};

/** request.{path,url_path,query,method,host,scheme,id,useragent,referer,headers.NAME}, response.{code,headers.NAME}. */
export function derivedProperty(host: StreamHost, path: readonly string[]): PropertyValue | undefined {
  const [scope, name, header] = path;
  if (scope === 'request') {
    if (name === 'headers' && header !== undefined) return joined(host.requestHeaders, header.toLowerCase());
    const target = find(host.requestHeaders, ':path');
    if (name === 'url_path') return target?.split('?')[0];
    if (name === 'query') return target === undefined ? undefined : target.includes('?') ? target.slice(target.indexOf('?') + 1) : '';
    const mapped = REQUEST_HEADER_OF[name];
    return mapped ? find(host.requestHeaders, mapped) : undefined;
  }
  if (scope === 'response' && host.responseHeaders) {
    if (name === 'headers' && header !== undefined) return joined(host.responseHeaders, header.toLowerCase());
    if (name === 'code') {
      const status = find(host.responseHeaders, ':status');
      return status === undefined ? undefined : Number(status);
    }
  }
  return undefined;
}

function find(list: HeaderList, name: string): string | undefined {
  for (let i = 0; i < list.length; i++) if (list[i][0] === name) return list[i][1];
  return undefined;
}

/** Repeated headers read as one comma-joined value. */
function joined(list: HeaderList, name: string): string | undefined {
  let out: string | undefined;
  for (let i = 0; i < list.length; i++) if (list[i][0] === name) out = out === undefined ? list[i][1] : `${out},${list[i][1]}`;
  return out;
}

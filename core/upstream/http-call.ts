// proxy_http_call's transport: a filter's callout sent to one of the proxy's clusters through its endpoints' pools.
import type { HeaderList, HttpCallFn, HttpCallResponse } from '../wasm/stream-host.ts';
import type { Cluster, UpstreamDispatch } from './cluster.ts';
import { splitRequestHeaders, responseHeaderList, trailerList } from '../http/header-list.ts';
import { downstreamResponseHeaders } from '../http/headers.ts';
import { undici } from './undici-lazy.ts';

export function httpCaller(clusters: () => Map<string, Cluster>): HttpCallFn {
  return (clusterName: string, headers: HeaderList, body: Uint8Array, _trailers: HeaderList, timeoutMs: number) => {
    const cluster = clusters().get(clusterName);
    if (!cluster) return null;
    return send(cluster, headers, body, timeoutMs || 30_000);
  };
}

async function send(cluster: Cluster, headers: HeaderList, body: Uint8Array, timeoutMs: number): Promise<HttpCallResponse> {
  const endpoint = cluster.pick();
  if (!endpoint) throw new Error(`cluster ${cluster.name} has no endpoint`);
  const up = splitRequestHeaders(headers);
  const options: UpstreamDispatch = {
    path: up.path,
    method: up.method as 'GET',
    headers: up.headers,
    body: body.length ? body : null,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    servername: endpoint.servername,
  };
  const { request } = await undici();
  const r = await request.call(endpoint.pool, options);
  const bytes = new Uint8Array(await r.body.arrayBuffer());
  return {
    headers: responseHeaderList(r.statusCode, downstreamResponseHeaders(r.headers)),
    body: bytes,
    trailers: trailerList(r.trailers) ?? [],
  };
}

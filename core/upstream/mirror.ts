// Shadow traffic: a copy of a request sent to another cluster, fire-and-forget, its response discarded.
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { Cluster, UpstreamDispatch } from './cluster.ts';

/** Reads and drops everything; stateless, so one object serves every mirrored request. */
const discard: Dispatcher.DispatchHandler = {
  onRequestStart() {},
  onResponseStart() {},
  onResponseData() {},
  onResponseEnd() {},
  onResponseError() {},
};

/** Sends the copy with its Host suffixed "-shadow" (as Envoy does), so the shadow service can tell mirrored traffic apart. */
export function mirror(cluster: Cluster, method: string, path: string, headers: string[], body: Readable | null): void {
  const endpoint = cluster.pick();
  if (!endpoint) {
    body?.destroy();
    return;
  }
  const copy = headers.slice();
  for (let i = 0; i < copy.length; i += 2) if (copy[i] === 'host') copy[i + 1] = `${copy[i + 1]}-shadow`;
  const options: UpstreamDispatch = { path, method, headers: copy, body, headersTimeout: 10_000, bodyTimeout: 10_000, servername: endpoint.servername };
  endpoint.pool.dispatch(options, discard);
}

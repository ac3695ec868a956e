// undici's parts off the proxying path (its Pool for upgrades, its Client for health probes, request() for filters' callouts), loaded on first use: a worker that only proxies never holds them.
import type { Client, Dispatcher, Pool } from 'undici';

export interface UndiciParts {
  Pool: typeof Pool;
  Client: typeof Client;
  /** Dispatcher.prototype.request of undici's index, for our own dispatchers (H1Pool, H2Dispatcher): call it with the dispatcher as `this`. */
  request: (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;
  /** Dispatcher.prototype.upgrade, the same way. */
  upgrade: (this: Dispatcher, options: Dispatcher.UpgradeOptions) => Promise<Dispatcher.UpgradeData>;
}

let loading: Promise<UndiciParts> | undefined;

/**
 * By file, not `undici` itself: its index loads fetch, WebSocket, the cache and the mocks (~1.3 MB of source, ~13 MiB
 * per thread; ARCHITECTURE.md, "Memory budget"). These files and what they require are ~6 MiB, paid only by a worker
 * that upgrades, probes or calls out.
 */
export function undici(): Promise<UndiciParts> {
  loading ??= Promise.all([
    import('undici/lib/dispatcher/pool.js'),
    import('undici/lib/dispatcher/client.js'),
    import('undici/lib/api/api-request.js'),
    import('undici/lib/api/api-upgrade.js'),
  ]).then(([pool, client, request, upgrade]) => ({ Pool: pool.default, Client: client.default, request: request.default, upgrade: upgrade.default }));
  return loading;
}

// The types of undici's own files that the proxy imports by path (undici has no exports map): a file brings only what it requires, where `undici` itself loads all of undici (fetch, WebSocket, cache, mocks) into every thread.
/* eslint-disable no-restricted-syntax -- ambient declarations emit no code, so type stripping is unaffected */
declare module 'undici/lib/dispatcher/dispatcher.js' {
  import type { Dispatcher } from 'undici';
  const DispatcherClass: typeof Dispatcher;
  export default DispatcherClass;
}

declare module 'undici/lib/core/connect.js' {
  import type { buildConnector } from 'undici';
  const build: typeof buildConnector;
  export default build;
}

declare module 'undici/lib/dispatcher/pool.js' {
  import type { Pool } from 'undici';
  const PoolClass: typeof Pool;
  export default PoolClass;
}

declare module 'undici/lib/dispatcher/client.js' {
  import type { Client } from 'undici';
  const ClientClass: typeof Client;
  export default ClientClass;
}

/** Dispatcher.prototype.request as undici's index attaches it: `this` is the dispatcher. */
declare module 'undici/lib/api/api-request.js' {
  import type { Dispatcher } from 'undici';
  function request(this: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData>;
  export default request;
}

/** Dispatcher.prototype.upgrade as undici's index attaches it. */
declare module 'undici/lib/api/api-upgrade.js' {
  import type { Dispatcher } from 'undici';
  function upgrade(this: Dispatcher, options: Dispatcher.UpgradeOptions): Promise<Dispatcher.UpgradeData>;
  export default upgrade;
}

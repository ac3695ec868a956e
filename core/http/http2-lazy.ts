// node:http2, loaded by a thread's first HTTP/2 connection, served or dialled: a thread that only speaks HTTP/1.1 never holds it (ARCHITECTURE.md, "Memory budget").
import type * as Http2 from 'node:http2';

let loaded: typeof Http2 | undefined;

/**
 * Synchronous (process.getBuiltinModule), so that a connection whose preface or ALPN has just said h2 is served in
 * the same turn. Callers import node:http2's types only (`import type`, eslint holds core/ to it): a static import
 * would load it in every thread that loads the listener or the clusters, that is in every serving thread.
 */
export function loadHttp2(): typeof Http2 {
  return (loaded ??= process.getBuiltinModule('node:http2'));
}

// HTTP requests to the plane (the watch, ACKs, modules, certificates, registration) with undici's Agent and request(), imported by file: undici's index would bring fetch, WebSocket, the cache and the mocks to the proxy's main thread.
import type { Dispatcher } from 'undici';
import Agent from 'undici/lib/dispatcher/agent.js';
import request from 'undici/lib/api/api-request.js';

export type PlaneRequestOptions = Omit<Dispatcher.RequestOptions, 'origin' | 'path' | 'method'> & {
  method?: Dispatcher.HttpMethod;
  /** Which pool of connections carries it: the process's shared Agent when not given (what undici's request() does). */
  dispatcher?: Dispatcher;
};

let shared: Dispatcher | undefined;

/** undici's `request(url, options)`, for a URL with no user info: the same origin, path and query, GET unless told. */
export function planeRequest(url: string, { dispatcher, method = 'GET', ...options }: PlaneRequestOptions = {}): Promise<Dispatcher.ResponseData> {
  const u = new URL(url);
  return request.call(dispatcher ?? (shared ??= new Agent()), { ...options, method, origin: u.origin, path: `${u.pathname}${u.search}` });
}

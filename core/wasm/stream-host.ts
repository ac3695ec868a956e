// The contracts between the host and its surroundings: the HTTP side's StreamHost, the chain's per-filter StreamSink, and per-worker HostServices.
import type { MetricStore } from './metrics.ts';
import type { SharedState } from './shared-data.ts';
import type { FaultKind, WasmTrap } from './trap.ts';

/** Ordered header (or trailer) list: lowercase names, pseudo-headers first, duplicates kept. */
export type HeaderList = [string, string][];

/** A property value; numbers are served as 8-byte LE int64 when integral, else float64. */
export type PropertyValue = string | Uint8Array | number | bigint | boolean;

/** 0 = request, 1 = response. */
export type Direction = 0 | 1;

/** What the HTTP side implements for one request; the chain calls it as events leave the filters. */
export interface StreamHost {
  requestHeaders: HeaderList;
  requestTrailers: HeaderList | null;
  responseHeaders: HeaderList | null;
  responseTrailers: HeaderList | null;
  /** Properties of the request not derivable from its headers: source.address, destination.port, upstream.*… */
  property(path: readonly string[]): PropertyValue | undefined;
  /** A filter set a property; return true when the host keeps it (its own properties, e.g. weft.cluster), false to let the chain keep it. */
  setProperty?(path: readonly string[], value: Uint8Array): boolean;
  /** The headers of a direction have passed every filter: forward them. */
  headersDone(direction: Direction, endOfStream: boolean): void;
  bodyData(direction: Direction, chunk: Uint8Array, endOfStream: boolean): void;
  trailersDone(direction: Direction): void;
  /** A filter (or a fail-closed trap) answered locally: drop the upstream side. The reply follows through headersDone(1)/bodyData(1). */
  localReply(status: number, details: string): void;
  /** Reset the stream: proxy_close_stream, or a local reply after the response headers already left. */
  reset(reason: string): void;
  /**
   * A filter's stream callback returned (the request's story): `callback` is the Callback index, `result` one of
   * core/observe/story.ts FilterResult, `status` the local reply's when it answered.
   */
  filterStep?(filter: { name: string; version: string }, callback: number, result: number, status: number): void;
}

/** What one filter's stream context sees of its request; implemented by the chain. */
export interface StreamSink {
  headers(map: number): HeaderList | null;
  setHeaders(map: number, list: HeaderList): boolean;
  body(buffer: number): Uint8Array | null;
  setBody(buffer: number, bytes: Uint8Array): boolean;
  property(path: readonly string[]): PropertyValue | undefined;
  setProperty(path: readonly string[], value: Uint8Array): void;
  sendLocalResponse(status: number, details: string, body: Uint8Array, headers: HeaderList, grpcStatus: number): void;
  /** Returns a proxy-wasm status. */
  continueStream(stream: number): number;
  closeStream(stream: number): number;
  /** The module called proxy_done after returning false from on_done. */
  done(): void;
  /** A root callback acting for this stream (proxy_set_effective_context) trapped: fail the stream per the filter's policy. */
  failed(trap: WasmTrap): void;
}

export interface HttpCallResponse {
  headers: HeaderList;
  body: Uint8Array;
  trailers: HeaderList;
}

/** Sends an HTTP call to a cluster; null means the cluster is unknown. */
export type HttpCallFn = (cluster: string, headers: HeaderList, body: Uint8Array, trailers: HeaderList,
  timeoutMs: number) => Promise<HttpCallResponse> | null;

/** A filter's fault, reported once each through HostServices.onTrap. */
export interface TrapEvent {
  filter: string;
  version: string;
  callback: string;
  /** The engine's trap message, the exit's, why a header was refused, or why a reload failed. */
  message: string;
  policy: 'closed' | 'open' | 'reload';
  /** What failed a request (see FaultKind), or reload_failed: a fresh instance for the reload policy did not start. */
  cause: FaultKind | 'reload_failed';
  /** invalid_header: the header's name as the filter gave it. */
  header?: string;
  /** What the filter logged at critical level just before it trapped (SDKs log a panic's message so), if anything. */
  said?: string;
}

/** Per-worker services shared by every VM and chain of that worker. */
export interface HostServices {
  shared?: SharedState;
  metrics?: MetricStore;
  httpCall?: HttpCallFn;
  /** Filter log lines (proxy_log, WASI stdout/stderr); level 0 trace … 5 critical. */
  log?: (level: number, filter: string, message: string) => void;
  /** Lowest level a filter logs at (proxy_get_log_level); default 2 (info). */
  logLevel?: number;
  onTrap?: (event: TrapEvent) => void;
  /** Extra foreign functions beside verify_signature; return null for "not found", throw for bad arguments. */
  foreignFunctions?: Record<string, (args: Uint8Array) => Uint8Array | null>;
  /** Node-level properties (node.id, cluster_name…), looked up after the stream's. */
  properties?: (path: readonly string[]) => PropertyValue | undefined;
}

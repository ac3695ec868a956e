// Test harness for filters: loads a built module into Weft's real proxy-wasm host and filter chain, with no network.
import path from 'node:path';
import { FilterChain } from '../../core/chain/chain.ts';
import type { FailPolicy } from '../../core/chain/filter.ts';
import { MemoryStreamHost } from '../../core/chain/memory-host.ts';
import { compileFilter } from '../../core/wasm/compile.ts';
import { MetricStore } from '../../core/wasm/metrics.ts';
import type { MetricSample } from '../../core/wasm/metrics.ts';
import { SharedState } from '../../core/wasm/shared-data.ts';
import type { HeaderList, HttpCallResponse, PropertyValue, TrapEvent } from '../../core/wasm/stream-host.ts';
import { buildFilter } from './build.ts';
import { readFilterMetadata } from './inspect.ts';
import type { FilterMetadata } from './inspect.ts';

/** Headers as a plain object (one value each) or as an ordered list of pairs (duplicates kept). */
export type TestHeaders = Record<string, string> | [string, string][];

/** A body sent whole, or in chunks to exercise streaming. */
export type TestBody = string | Uint8Array | (string | Uint8Array)[];

export interface TestRequest {
  method?: string;
  path?: string;
  authority?: string;
  scheme?: string;
  headers?: TestHeaders;
  body?: TestBody;
  trailers?: TestHeaders;
  /** Stream properties the HTTP side would supply, by dotted path ("source.address"). */
  properties?: Record<string, PropertyValue>;
}

export interface TestResponse {
  status?: number;
  headers?: TestHeaders;
  body?: TestBody;
  trailers?: TestHeaders;
}

/** A request a filter sent with `httpCall`, as a cluster stand-in sees it. */
export interface CallRequest {
  cluster: string;
  headers: HeaderList;
  body: string;
  timeoutMs: number;
  header(name: string): string | undefined;
}

/** Answers the HTTP calls made to one cluster; throw or reject to make the call fail. */
export type ClusterHandler = (call: CallRequest) => TestResponse | Promise<TestResponse>;

export interface HarnessOptions {
  /** The plugin configuration; an object is sent as JSON. */
  config?: string | object;
  vmConfig?: string;
  /** Plugin name; default the name in the module's metadata, else "filter". */
  name?: string;
  failPolicy?: FailPolicy;
  /** Lowest level recorded in `logs`; default 0 (trace), so tests see everything. */
  logLevel?: number;
  /** Clusters the filter may `httpCall`; a call to any other cluster gets BadArgument, as in the proxy. */
  clusters?: Record<string, ClusterHandler>;
  /** Node-level properties (node.id…), by dotted path. */
  properties?: Record<string, PropertyValue>;
  /** Shared data and queues; default a fresh store per harness, so tests do not see each other's data. */
  shared?: SharedState;
  /** How long `exchange` waits for a paused stream to move on before failing the test; default 2000 ms. */
  timeoutMs?: number;
}

/** What one message looked like when it left the chain. */
export class TestMessage {
  readonly headers: HeaderList;
  readonly bodyBytes: Uint8Array;
  readonly trailers: HeaderList | null;

  constructor(headers: HeaderList, body: Uint8Array, trailers: HeaderList | null) {
    this.headers = headers;
    this.bodyBytes = body;
    this.trailers = trailers;
  }

  /** The first value of a header (names are lower-case), or undefined. */
  header(name: string): string | undefined {
    return this.headers.find((pair) => pair[0] === name)?.[1];
  }

  /** Every value of a header, in order. */
  headerValues(name: string): string[] {
    return this.headers.filter((pair) => pair[0] === name).map((pair) => pair[1]);
  }

  get body(): string {
    return Buffer.from(this.bodyBytes).toString('utf8');
  }

  /** The `:status` of a response as a number (NaN for a request). */
  get status(): number {
    return Number(this.header(':status'));
  }
}

export interface Exchange {
  /** What the upstream received, or null when the chain never let the request through. */
  upstream: TestMessage | null;
  /** What the client received: the upstream's response as filters changed it, or a local reply. */
  response: TestMessage;
  /** Set when a filter (or a fail-closed trap) answered instead of the upstream. */
  localReply: { status: number; details: string } | null;
  /** Set when a filter reset the stream. */
  resetReason: string | null;
  /** Everything that left the chain, in order: "headers:0", "body:1:5:eos", "local:403"… */
  events: string[];
}

export interface LogLine {
  level: number;
  message: string;
}

const builds = new Map<string, Promise<Uint8Array>>();

function toHeaderList(headers: TestHeaders | undefined): HeaderList {
  if (headers === undefined) return [];
  const pairs = Array.isArray(headers) ? headers : Object.entries(headers);
  return pairs.map(([name, value]) => [name.toLowerCase(), value]);
}

function toChunks(body: TestBody | undefined): Uint8Array[] {
  if (body === undefined) return [];
  const parts = Array.isArray(body) ? body : [body];
  return parts.map((part) => (typeof part === 'string' ? new TextEncoder().encode(part) : part));
}

/**
 * One filter loaded into the real host (compiled and instrumented as the proxy does it), ready to
 * take requests. Build it once per test file, with `fromFolder` or `fromBytes`.
 */
export class FilterHarness {
  readonly bytes: Uint8Array;
  readonly metadata: FilterMetadata | null;
  /** Lines the filter logged, in order. */
  readonly logs: LogLine[] = [];
  /** Traps the host caught, in order. */
  readonly traps: TrapEvent[] = [];
  readonly chain: FilterChain;
  readonly metrics: MetricStore;
  readonly shared: SharedState;
  readonly #timeoutMs: number;

  private constructor(bytes: Uint8Array, metadata: FilterMetadata | null, module: WebAssembly.Module, options: HarnessOptions) {
    this.bytes = bytes;
    this.metadata = metadata;
    this.metrics = new MetricStore();
    this.shared = options.shared ?? new SharedState(SharedState.allocate(1 << 20));
    this.#timeoutMs = options.timeoutMs ?? 2000;
    const clusters = options.clusters ?? {};
    const nodeProperties = new Map(Object.entries(options.properties ?? {}));
    const config = options.config === undefined || typeof options.config === 'string' ? options.config : JSON.stringify(options.config);
    this.chain = FilterChain.create([{
      name: options.name ?? metadata?.name ?? 'filter',
      version: metadata?.version,
      module,
      config,
      vmConfig: options.vmConfig,
      failPolicy: options.failPolicy,
    }], {
      shared: this.shared,
      metrics: this.metrics,
      logLevel: options.logLevel ?? 0,
      log: (level, _filter, message) => this.logs.push({ level, message }),
      onTrap: (event) => this.traps.push(event),
      properties: (p) => nodeProperties.get(p.join('.')),
      httpCall: (cluster, headers, body, _trailers, timeoutMs) => {
        const handler = Object.hasOwn(clusters, cluster) ? clusters[cluster] : undefined;
        if (handler === undefined) return null;
        const call: CallRequest = {
          cluster, headers, timeoutMs, body: Buffer.from(body).toString('utf8'),
          header: (name) => headers.find((pair) => pair[0] === name)?.[1],
        };
        return Promise.resolve().then(() => handler(call)).then(toCallResponse);
      },
    });
  }

  /** Builds the filter folder (once per process and folder) and loads it. */
  static async fromFolder(dir: string, options: HarnessOptions = {}): Promise<FilterHarness> {
    const key = path.resolve(dir);
    let bytes = builds.get(key);
    if (bytes === undefined) {
      bytes = buildFilter(key).then((result) => result.bytes);
      builds.set(key, bytes);
    }
    return FilterHarness.fromBytes(await bytes, options);
  }

  /** Loads a built module: compile and instrument, start, configure. Rejects when start-up or `onConfigure` fails. */
  static async fromBytes(bytes: Uint8Array, options: HarnessOptions = {}): Promise<FilterHarness> {
    const [compiled, metadata] = await Promise.all([compileFilter(bytes), readFilterMetadata(bytes)]);
    return new FilterHarness(bytes, metadata, compiled.module, options);
  }

  /**
   * Sends one request through the filter; if it reaches the upstream, answers it with `response`
   * (default 200, no body). Resolves once the client has the whole response and the stream ended.
   */
  async exchange(request: TestRequest = {}, response: TestResponse = {}): Promise<Exchange> {
    const requestHeaders: HeaderList = [
      [':method', request.method ?? 'GET'], [':path', request.path ?? '/'],
      [':authority', request.authority ?? 'test.local'], [':scheme', request.scheme ?? 'http'],
      ...toHeaderList(request.headers),
    ];
    const host = new MemoryStreamHost(requestHeaders, request.properties);
    const stream = this.chain.newStream(host);
    try {
      feed(host, 0, toChunks(request.body), request.trailers, (eos) => stream.requestHeaders(eos),
        (chunk, eos) => stream.requestBody(chunk, eos), () => stream.requestTrailers());
      await this.until(() => host.ended[0] || host.local !== null || host.resetReason !== null,
        () => `the request neither reached the upstream nor got a reply (events: ${host.events.join(' ') || 'none'})`);
      const upstream = host.headersSent[0] ? snapshot(host, 0) : null;
      if (host.local === null && host.resetReason === null) {
        host.responseHeaders = [[':status', String(response.status ?? 200)], ...toHeaderList(response.headers)];
        feed(host, 1, toChunks(response.body), response.trailers, (eos) => stream.responseHeaders(eos),
          (chunk, eos) => stream.responseBody(chunk, eos), () => stream.responseTrailers());
      }
      await this.until(() => host.ended[1] || host.resetReason !== null,
        () => `the response never reached the client (events: ${host.events.join(' ')})`);
      return { upstream, response: snapshot(host, 1), localReply: host.local, resetReason: host.resetReason, events: host.events };
    } finally {
      stream.finish();
    }
  }

  /** The current value of a metric the filter defined (a histogram's sum), or undefined. */
  metric(name: string): number | undefined {
    return this.sample(name)?.value;
  }

  /** The full sample of a metric (type, value, histogram buckets), or undefined. */
  sample(name: string): MetricSample | undefined {
    return this.metrics.snapshot().find((m) => m.name === name);
  }

  /** Waits until `condition` holds, letting timers, HTTP calls and queues run; fails with `describe()` after the timeout. */
  async until(condition: () => boolean, describe: () => string = () => 'condition', timeoutMs = this.#timeoutMs): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  /** Stops the filter's timers and drops its instance. */
  close(): void {
    this.chain.close();
  }
}

/** Feeds one direction of a message into the chain: headers, then body chunks, then trailers. */
function feed(host: MemoryStreamHost, direction: 0 | 1, chunks: Uint8Array[], trailers: TestHeaders | undefined,
  headers: (eos: boolean) => void, body: (chunk: Uint8Array, eos: boolean) => void, sendTrailers: () => void): void {
  const hasTrailers = trailers !== undefined;
  headers(chunks.length === 0 && !hasTrailers);
  chunks.forEach((chunk, i) => body(chunk, i === chunks.length - 1 && !hasTrailers));
  if (!hasTrailers) return;
  if (direction === 0) host.requestTrailers = toHeaderList(trailers);
  else host.responseTrailers = toHeaderList(trailers);
  sendTrailers();
}

function snapshot(host: MemoryStreamHost, direction: 0 | 1): TestMessage {
  const headers = (direction === 0 ? host.requestHeaders : host.responseHeaders) ?? [];
  const trailers = direction === 0 ? host.requestTrailers : host.responseTrailers;
  return new TestMessage(headers.map(([n, v]) => [n, v]), new Uint8Array(Buffer.concat(host.bodies[direction])), trailers);
}

function toCallResponse(response: TestResponse): HttpCallResponse {
  return {
    headers: [[':status', String(response.status ?? 200)], ...toHeaderList(response.headers)],
    body: Buffer.concat(toChunks(response.body)),
    trailers: toHeaderList(response.trailers),
  };
}

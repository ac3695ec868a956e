// What a worker counts for each request it answers, by listener × route × cluster × filter versions × caller: /metrics and the plane's summaries read the same counters.
import type { FilterChain } from '../chain/chain.ts';
import type { Cluster } from '../upstream/cluster.ts';
import { bucketOf, LATENCY_BUCKETS } from './latency.ts';
import type { SparseHistogram } from './latency.ts';
import { trafficKey } from './summary.ts';
import type { TrafficKey, TrafficRecord } from './summary.ts';

/** A cell that served nothing for this many reports (10 minutes at the default 5 s) leaves the book; its next request takes a fresh one. */
const IDLE_REPORTS = 120;

/** A cell's counts as the last summary took them, to report only what came since. */
interface Taken {
  requests: number;
  failures: number;
  retries: number;
  seconds: number;
  bytesIn: number;
  bytesOut: number;
  statuses: Map<number, number>;
  errors: Map<string, number>;
  grpc: Map<string, number>;
  latency: Float64Array;
}

function bump<K>(m: Map<K, number>, k: K): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

/** Counts since the worker started under one key: plain numbers and small maps, bumped in place by each request. */
export class TrafficCell {
  readonly key: TrafficKey;
  requests = 0;
  failures = 0;
  retries = 0;
  seconds = 0;
  bytesIn = 0;
  bytesOut = 0;
  readonly statuses = new Map<number, number>();
  readonly errors = new Map<string, number>();
  readonly grpc = new Map<string, number>();
  readonly latency = new Float64Array(LATENCY_BUCKETS);
  /** In its book; a dropped cell is replaced by a fresh one at its next request (RouteTraffic checks this flag). */
  listed = true;
  /** Reports in a row that found nothing new. */
  idle = 0;
  taken: Taken | undefined;

  constructor(key: TrafficKey) {
    this.key = key;
  }

  /** One answered request: its status, duration, the WEFT_ERR_* code or reason it ended with ('' if none), its grpc-status if a gRPC call. */
  record(status: number, seconds: number, error: string, grpcStatus: string | undefined, retries: number, bytesIn: number, bytesOut: number): void {
    this.requests++;
    bump(this.statuses, status);
    this.latency[bucketOf(seconds)]++;
    this.seconds += seconds;
    let failed = status >= 500;
    // A filter's reset reason is free text: only the registry's codes are counted, so the keys stay few.
    if (error !== '' && error.startsWith('WEFT_ERR_')) bump(this.errors, error);
    if (grpcStatus !== undefined) {
      bump(this.grpc, grpcStatus);
      if (grpcStatus !== '0') failed = true;
    }
    if (failed) this.failures++;
    this.retries += retries;
    this.bytesIn += bytesIn;
    this.bytesOut += bytesOut;
  }

  /** What came since the last take, as a summary record (undefined when nothing did); the counts now become the base. */
  take(): TrafficRecord | undefined {
    const t = this.taken;
    if (t !== undefined && t.requests === this.requests) return undefined;
    const since = <K extends string | number>(now: Map<K, number>, before: Map<K, number> | undefined) => {
      const out: Record<string, number> = {};
      for (const [k, n] of now) {
        const d = n - (before?.get(k) ?? 0);
        if (d > 0) out[String(k)] = d;
      }
      return out;
    };
    const latency: SparseHistogram = [];
    for (let i = 0; i < LATENCY_BUCKETS; i++) {
      const d = this.latency[i] - (t?.latency[i] ?? 0);
      if (d > 0) latency.push([i, d]);
    }
    const record: TrafficRecord = {
      ...this.key, filters: [...this.key.filters],
      requests: this.requests - (t?.requests ?? 0),
      failures: this.failures - (t?.failures ?? 0),
      statuses: since(this.statuses, t?.statuses),
      errors: since(this.errors, t?.errors),
      grpc: since(this.grpc, t?.grpc),
      retries: this.retries - (t?.retries ?? 0),
      latency,
      seconds: this.seconds - (t?.seconds ?? 0),
      bytesIn: this.bytesIn - (t?.bytesIn ?? 0),
      bytesOut: this.bytesOut - (t?.bytesOut ?? 0),
    };
    this.taken = {
      requests: this.requests, failures: this.failures, retries: this.retries, seconds: this.seconds, bytesIn: this.bytesIn, bytesOut: this.bytesOut,
      statuses: new Map(this.statuses), errors: new Map(this.errors), grpc: new Map(this.grpc), latency: this.latency.slice(),
    };
    return record;
  }
}

/** Every cell of one worker, by key: kept across config swaps, so a route that stays keeps its counts. */
export class TrafficBook {
  readonly #cells = new Map<string, TrafficCell>();
  /** False with `--no-traffic-counts`: routes hand out uncounted cells, so nothing reaches /metrics or the summaries. */
  readonly counting: boolean;

  constructor(counting = true) {
    this.counting = counting;
  }

  cell(key: TrafficKey): TrafficCell {
    const id = trafficKey(key);
    let c = this.#cells.get(id);
    if (c === undefined) {
      c = new TrafficCell(key);
      this.#cells.set(id, c);
    }
    return c;
  }

  cells(): IterableIterator<TrafficCell> {
    return this.#cells.values();
  }

  listener(name: string, inbound: boolean): ListenerTraffic {
    return new ListenerTraffic(this, name, inbound);
  }

  /** What every cell served since the last call. Cells idle for IDLE_REPORTS calls are dropped (their counts were all taken). */
  take(): TrafficRecord[] {
    const out: TrafficRecord[] = [];
    for (const [id, c] of this.#cells) {
      const r = c.take();
      if (r) {
        c.idle = 0;
        out.push(r);
      } else if (++c.idle >= IDLE_REPORTS) {
        c.listed = false;
        this.#cells.delete(id);
      }
    }
    return out;
  }
}

/** The filter versions a chain runs, as summaries name them. */
function versions(chain: FilterChain | undefined): string[] {
  return chain ? chain.filters.map((f) => `${f.name}@${f.version}`) : [];
}

/** One route × cluster × chain: its cells by caller. */
class Variant {
  readonly chain: FilterChain | undefined;
  readonly cluster: Cluster | undefined;
  readonly #book: TrafficBook;
  readonly #base: Omit<TrafficKey, 'caller' | 'mtls'> & { mtls: boolean };
  #anonymous: TrafficCell | undefined;
  #callers: Map<string, TrafficCell> | undefined;

  constructor(book: TrafficBook, listener: ListenerTraffic, route: string, cluster: Cluster | undefined, chain: FilterChain | undefined) {
    this.#book = book;
    this.chain = chain;
    this.cluster = cluster;
    const settings = cluster?.settings;
    this.#base = {
      listener: listener.name, direction: listener.direction, route, cluster: cluster?.name ?? '', callee: settings?.service ?? '',
      mtls: listener.direction === 'outbound' && (settings?.peerIdentities?.length ?? 0) > 0, filters: versions(chain), protocol: 'http',
    };
  }

  /** The cell of this caller (its SPIFFE ID; undefined for none): one map lookup, a new cell only the first time. */
  cell(caller: string | undefined): TrafficCell {
    if (caller === undefined) {
      const c = this.#anonymous;
      if (c !== undefined && c.listed) return c;
      return (this.#anonymous = this.#book.cell({ ...this.#base, caller: '' }));
    }
    const callers = this.#callers ??= new Map();
    let c = callers.get(caller);
    if (c === undefined || !c.listed) {
      // An inbound caller proved its identity: that is what makes the hop mTLS.
      c = this.#book.cell({ ...this.#base, caller, mtls: this.#base.direction === 'inbound' || this.#base.mtls });
      callers.set(caller, c);
    }
    return c;
  }
}

/** A compiled route's cells: the usual cluster and chain first; a filter's cluster choice or the canary chain take their own. */
export class RouteTraffic {
  readonly #listener: ListenerTraffic;
  readonly #book: TrafficBook;
  readonly #route: string;
  readonly #main: Variant;
  #others: Variant[] = [];

  constructor(book: TrafficBook, listener: ListenerTraffic, route: string, cluster: Cluster, chain: FilterChain | undefined) {
    this.#book = book;
    this.#listener = listener;
    this.#route = route;
    this.#main = new Variant(book, listener, route, cluster, chain);
  }

  cell(chain: FilterChain | undefined, cluster: Cluster, caller: string | undefined): TrafficCell {
    const main = this.#main;
    if (main.chain === chain && main.cluster === cluster) return main.cell(caller);
    // A few at most per route (the canary's chain, the clusters filters pick): a scan is cheaper than nested maps.
    for (const v of this.#others) if (v.chain === chain && v.cluster === cluster) return v.cell(caller);
    const v = new Variant(this.#book, this.#listener, this.#route, cluster, chain);
    this.#others.push(v);
    return v.cell(caller);
  }
}

/** A cell that counts nothing, never listed: what every request gets with `--no-traffic-counts`. */
class UncountedCell extends TrafficCell {
  override record(): void {}
}

/** A route's traffic with `--no-traffic-counts`: one uncounted cell for every request, no lookup. */
class UncountedRoute extends RouteTraffic {
  readonly #cell: TrafficCell;

  constructor(book: TrafficBook, listener: ListenerTraffic, route: string, cluster: Cluster) {
    super(book, listener, route, cluster, undefined);
    this.#cell = new UncountedCell({ listener: listener.name, direction: listener.direction, route, cluster: '', callee: '', caller: '', mtls: false, filters: [], protocol: 'http' });
  }

  override cell(): TrafficCell {
    return this.#cell;
  }
}

/** One listener's part of the book; it outlives generations, so cells of requests refused before routing keep counting. */
export class ListenerTraffic {
  readonly name: string;
  readonly direction: 'inbound' | 'outbound';
  /** A sidecar's inbound side: callers prove a SPIFFE ID, and requests are counted by it. */
  readonly byCaller: boolean;
  readonly #book: TrafficBook;
  readonly #unrouted = new Map<string, Variant>();
  #uncounted: TrafficCell | undefined;

  constructor(book: TrafficBook, name: string, inbound: boolean) {
    this.#book = book;
    this.name = name;
    this.direction = inbound ? 'inbound' : 'outbound';
    this.byCaller = inbound;
  }

  route(name: string, cluster: Cluster, chain: FilterChain | undefined): RouteTraffic {
    return this.#book.counting ? new RouteTraffic(this.#book, this, name, cluster, chain) : new UncountedRoute(this.#book, this, name, cluster);
  }

  /** The cell of requests answered before any cluster: refused by policy (`route` names the side) or matching no route (''). */
  unrouted(route: string, caller: string | undefined): TrafficCell {
    if (!this.#book.counting) return this.#uncounted ??= new UncountedCell({ listener: this.name, direction: this.direction, route: '', cluster: '', callee: '', caller: '', mtls: false, filters: [], protocol: 'http' });
    let v = this.#unrouted.get(route);
    if (v === undefined) this.#unrouted.set(route, v = new Variant(this.#book, this, route, undefined, undefined));
    return v.cell(caller);
  }
}

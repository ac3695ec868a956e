// A worker's recent request stories (what each step of a request decided, and when) in preallocated arrays: recorded per request with a few stores, read only when the plane asks.
import type { AuthzDecision } from '../authz/authorizer.ts';

/** Stories a worker keeps once their requests ended. */
export const KEPT_STORIES = 1024;
/** Slots for requests in flight on top of the kept ones; a request beyond them is not recorded. */
const IN_FLIGHT = 512;
/** Events per story; the last is kept for `done`, so a long story loses its middle, never its end. */
const MAX_EVENTS = 24;
/** Successful requests kept per second before sampling starts, then one in SAMPLE_EVERY. */
const KEEP_PER_SECOND = 200;
const SAMPLE_EVERY = 50;

// Event kinds.
const AUTHZ = 1;
const ROUTE = 2;
const FILTER = 3;
const ENDPOINT = 4;
const OVERFLOW = 5;
const RETRY = 6;
const UPSTREAM = 7;
const DONE = 8;

// Slot states.
const FREE = 0;
const RUNNING = 1;
const KEPT = 2;

/** What a filter callback did (StreamHost.filterStep): Continue and Pause are the ABI's Action values. */
export const FilterResult = { Continue: 0, Pause: 1, LocalReply: 2, Trap: 3 } as const;
const RESULT_NAMES = ['continue', 'pause', 'local_reply', 'trap'];
const CALLBACK_NAMES = ['request_headers', 'request_body', 'request_trailers', 'response_headers', 'response_body', 'response_trailers'];
const DECISIONS = ['allow', 'deny', 'audit'];

/** Cluster.pickFlags bits: why the endpoint was eligible. */
export const PICK_HASHED = 1;
export const PICK_LOCAL_ZONE = 2;
export const PICK_PANIC = 4;

/** One step of a story as the plane's API shows it (plane/README.md, Request stories). */
export type StoryEvent = { atMs: number; step: string } & Record<string, unknown>;

/** One request at one proxy (a hop): the plane adds the node's name. */
export interface Story {
  requestId: string;
  service: string | null;
  listener: string;
  worker: number;
  start: number;
  durationMs: number;
  method: string;
  path: string;
  caller: string | null;
  authz: { policy: string; decision: string; rule: string; reason: string } | null;
  route: string | null;
  cluster: string | null;
  endpoint: string | null;
  /** 0 while the request is still in flight (`inFlight`): its story so far. */
  status: number;
  error: string | null;
  inFlight: boolean;
  events: StoryEvent[];
}

/** The plane's question on a proxy's watch stream (plane/README.md, Request stories). */
export interface StoryAsk {
  type: 'ask';
  ask: string;
  what: 'story' | 'tail';
  requestId?: string;
  /** tail: only a sidecar of this service answers with lines. */
  service?: string;
  limit?: number;
}

/** A proxy's answer: its hops of the request, or its newest requests. */
export interface StoryAnswer {
  stories?: Story[];
  requests?: StoryLine[];
}

/** A line of the recent-requests tail. */
export interface StoryLine {
  requestId: string;
  listener: string;
  start: number;
  durationMs: number;
  method: string;
  path: string;
  route: string | null;
  status: number;
  error: string | null;
}

/**
 * The worker's stories: slots of parallel arrays (strings are references to values the request path already holds,
 * never copies), a ring of the slots kept and a stack of free ones. A request takes a free slot when it starts; when
 * it ends its slot joins the ring (and the slot it pushes out becomes free) or, sampled out, goes straight back.
 */
export class StoryBook {
  readonly worker: number;
  readonly service: string | null;
  readonly #id: string[];
  readonly #listener: string[];
  readonly #method: string[];
  readonly #path: string[];
  readonly #caller: (string | undefined)[];
  readonly #route: (string | undefined)[];
  readonly #cluster: (string | undefined)[];
  readonly #endpoint: (string | undefined)[];
  readonly #error: string[];
  readonly #start: Float64Array;
  readonly #duration: Float32Array;
  readonly #status: Uint16Array;
  readonly #count: Uint8Array;
  /** Per slot: FREE, RUNNING (a request in flight) or KEPT (in the ring). */
  readonly #state: Uint8Array;
  // Events, MAX_EVENTS per slot.
  readonly #kind: Uint8Array;
  readonly #at: Float32Array;
  readonly #n: Int32Array;
  readonly #m: Int32Array;
  readonly #a: (string | undefined)[];
  readonly #b: (string | undefined)[];
  readonly #free: Int32Array;
  #freeTop: number;
  readonly #ring: Int32Array;
  #cursor = 0;
  #second = 0;
  #keptThisSecond = 0;
  #sampled = 0;
  /** The worker's performance.now() origin as epoch ms: story times are kept as performance.now(). */
  readonly #origin = performance.timeOrigin;

  /** `keep` false (`--no-request-stories`): no slots at all, so every request's begin() gets -1 and each later call returns at once. */
  constructor(worker: number, service: string | undefined, keep = true) {
    this.worker = worker;
    this.service = service ?? null;
    const slots = keep ? KEPT_STORIES + IN_FLIGHT : 0;
    this.#id = new Array<string>(slots).fill('');
    this.#listener = new Array<string>(slots).fill('');
    this.#method = new Array<string>(slots).fill('');
    this.#path = new Array<string>(slots).fill('');
    this.#caller = new Array<string | undefined>(slots).fill(undefined);
    this.#route = new Array<string | undefined>(slots).fill(undefined);
    this.#cluster = new Array<string | undefined>(slots).fill(undefined);
    this.#endpoint = new Array<string | undefined>(slots).fill(undefined);
    this.#error = new Array<string>(slots).fill('');
    this.#start = new Float64Array(slots);
    this.#duration = new Float32Array(slots);
    this.#status = new Uint16Array(slots);
    this.#count = new Uint8Array(slots);
    this.#state = new Uint8Array(slots);
    const events = slots * MAX_EVENTS;
    this.#kind = new Uint8Array(events);
    this.#at = new Float32Array(events);
    this.#n = new Int32Array(events);
    this.#m = new Int32Array(events);
    this.#a = new Array<string | undefined>(events).fill(undefined);
    this.#b = new Array<string | undefined>(events).fill(undefined);
    this.#free = new Int32Array(slots);
    for (let i = 0; i < slots; i++) this.#free[i] = slots - 1 - i;
    this.#freeTop = slots;
    this.#ring = new Int32Array(KEPT_STORIES).fill(-1);
  }

  /** A slot for a request that starts now (`started`: its performance.now()); -1 when every slot is in use. */
  begin(listener: string, method: string, path: string, caller: string | undefined, started: number): number {
    if (this.#freeTop === 0) return -1;
    const s = this.#free[--this.#freeTop];
    this.#id[s] = '';
    this.#listener[s] = listener;
    this.#method[s] = method;
    this.#path[s] = path;
    this.#caller[s] = caller;
    this.#route[s] = undefined;
    this.#cluster[s] = undefined;
    this.#endpoint[s] = undefined;
    this.#start[s] = started;
    this.#count[s] = 0;
    this.#status[s] = 0;
    this.#error[s] = '';
    this.#state[s] = RUNNING;
    return s;
  }

  /** The request's x-request-id, known once its headers were read (or made up). */
  id(s: number, requestId: string): void {
    if (s >= 0) this.#id[s] = requestId;
  }

  authz(s: number, d: AuthzDecision): void {
    if (s >= 0) this.#event(s, AUTHZ, d.decision === 'allow' ? 0 : d.decision === 'deny' ? 1 : 2, 0, d.rule, d.reason);
  }

  route(s: number, name: string, cluster: string): void {
    if (s < 0) return;
    this.#route[s] = name;
    this.#cluster[s] = cluster;
    this.#event(s, ROUTE, 0, 0, name, undefined);
  }

  /** A filter changed the cluster (weft.cluster). */
  cluster(s: number, name: string): void {
    if (s >= 0) this.#cluster[s] = name;
  }

  filter(s: number, name: string, version: string, callback: number, result: number, status: number): void {
    if (s >= 0) this.#event(s, FILTER, callback | (result << 8), status, name, version);
  }

  /** `flags`: Cluster.pickFlags; `eligible` of `total` endpoints could be chosen. */
  endpoint(s: number, attempt: number, origin: string, lb: string, flags: number, eligible: number, total: number): void {
    if (s < 0) return;
    this.#endpoint[s] = origin;
    this.#event(s, ENDPOINT, attempt | (flags << 16), eligible | (Math.min(total, 0xffff) << 16), origin, lb);
  }

  overflow(s: number): void {
    if (s >= 0) this.#event(s, OVERFLOW, 0, 0, undefined, undefined);
  }

  /** A try failed and is retried: `status` when the upstream answered, else the error code. */
  retry(s: number, status: number, code: string | undefined): void {
    if (s >= 0) this.#event(s, RETRY, status, 0, code, undefined);
  }

  upstream(s: number, status: number): void {
    if (s >= 0) this.#event(s, UPSTREAM, status, 0, undefined, undefined);
  }

  /** The request ended: its slot is kept (failures and retried ones always, successes sampled when busy) or freed. */
  end(s: number, status: number, error: string, retried: boolean): void {
    if (s < 0) return;
    const now = performance.now();
    const c = this.#count[s];
    const e = s * MAX_EVENTS + (c < MAX_EVENTS ? c : MAX_EVENTS - 1);
    this.#kind[e] = DONE;
    this.#at[e] = now - this.#start[s];
    this.#n[e] = status;
    this.#a[e] = error;
    this.#count[s] = c < MAX_EVENTS ? c + 1 : MAX_EVENTS;
    this.#duration[s] = now - this.#start[s];
    this.#status[s] = status;
    this.#error[s] = error;
    if (!(status >= 400 || error !== '' || retried || this.#sample(now))) {
      this.#state[s] = FREE;
      this.#free[this.#freeTop++] = s;
      return;
    }
    this.#state[s] = KEPT;
    const out = this.#ring[this.#cursor];
    this.#ring[this.#cursor] = s;
    this.#cursor = (this.#cursor + 1) % KEPT_STORIES;
    if (out >= 0) {
      this.#state[out] = FREE;
      this.#free[this.#freeTop++] = out;
    }
  }

  /**
   * Every story of `requestId`, kept or still in flight (a request that hangs is explained as far as it got); one
   * request can have several here: seen on two listeners of the proxy, or sent twice with the same id.
   */
  find(requestId: string): Story[] {
    const found: Story[] = [];
    for (let s = 0; s < this.#state.length; s++) {
      if (this.#state[s] !== FREE && this.#id[s] === requestId) found.push(this.#story(s));
    }
    return found.sort((a, b) => a.start - b.start);
  }

  /** The newest kept stories first, at most `limit`. */
  tail(limit: number): StoryLine[] {
    const lines: StoryLine[] = [];
    for (let k = 1; k <= KEPT_STORIES && lines.length < limit; k++) {
      const s = this.#ring[(this.#cursor - k + KEPT_STORIES) % KEPT_STORIES];
      if (s < 0) break;
      lines.push({
        requestId: this.#id[s], listener: this.#listener[s], start: this.#epoch(this.#start[s]), durationMs: round(this.#duration[s]),
        method: this.#method[s], path: withoutQuery(this.#path[s]), route: this.#route[s] ?? null, status: this.#status[s], error: this.#error[s] || null,
      });
    }
    return lines;
  }

  #sample(now: number): boolean {
    const second = Math.floor(now / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#keptThisSecond = 0;
    }
    if (this.#keptThisSecond < KEEP_PER_SECOND) {
      this.#keptThisSecond++;
      return true;
    }
    return ++this.#sampled % SAMPLE_EVERY === 0;
  }

  #event(s: number, kind: number, n: number, m: number, a: string | undefined, b: string | undefined): void {
    const c = this.#count[s];
    if (c >= MAX_EVENTS - 1) return;
    const e = s * MAX_EVENTS + c;
    this.#kind[e] = kind;
    this.#at[e] = performance.now() - this.#start[s];
    this.#n[e] = n;
    this.#m[e] = m;
    this.#a[e] = a;
    this.#b[e] = b;
    this.#count[s] = c + 1;
  }

  #epoch(t: number): number {
    return Math.round((this.#origin + t) * 10) / 10;
  }

  #story(s: number): Story {
    const events: StoryEvent[] = [];
    let authz: Story['authz'] = null;
    for (let i = 0; i < this.#count[s]; i++) {
      const e = s * MAX_EVENTS + i;
      const ev = this.#eventJson(e, s);
      if (this.#kind[e] === AUTHZ) authz = { policy: this.service ?? '', decision: ev.decision as string, rule: ev.rule as string, reason: ev.reason as string };
      events.push(ev);
    }
    const inFlight = this.#state[s] === RUNNING;
    return {
      requestId: this.#id[s], service: this.service, listener: this.#listener[s], worker: this.worker,
      start: this.#epoch(this.#start[s]), durationMs: round(inFlight ? performance.now() - this.#start[s] : this.#duration[s]),
      method: this.#method[s], path: withoutQuery(this.#path[s]),
      caller: this.#caller[s] ?? null, authz, route: this.#route[s] ?? null, cluster: this.#cluster[s] ?? null,
      endpoint: this.#endpoint[s] ?? null, status: this.#status[s], error: this.#error[s] || null, inFlight, events,
    };
  }

  #eventJson(e: number, s: number): StoryEvent {
    const atMs = round(this.#at[e]);
    const n = this.#n[e];
    const m = this.#m[e];
    const a = this.#a[e];
    const b = this.#b[e];
    switch (this.#kind[e]) {
      case AUTHZ: return { atMs, step: 'authz', policy: this.service ?? '', decision: DECISIONS[n], rule: a, reason: b };
      case ROUTE: return { atMs, step: 'route', route: a };
      case FILTER: {
        const result = RESULT_NAMES[(n >> 8) & 0xff];
        const ev: StoryEvent = { atMs, step: 'filter', filter: a, version: b || null, callback: CALLBACK_NAMES[n & 0xff], result };
        if (result === 'local_reply') ev.status = m;
        return ev;
      }
      case ENDPOINT: return {
        atMs, step: 'endpoint', try: n & 0xffff, cluster: this.#cluster[s] ?? null, endpoint: a, lb: b,
        hashed: (n >> 16 & PICK_HASHED) !== 0, localZone: (n >> 16 & PICK_LOCAL_ZONE) !== 0, panic: (n >> 16 & PICK_PANIC) !== 0,
        available: m & 0xffff, endpoints: m >>> 16,
      };
      case OVERFLOW: return { atMs, step: 'overflow', cluster: this.#cluster[s] ?? null };
      case RETRY: return { atMs, step: 'retry', reason: a ?? String(n) };
      case UPSTREAM: return { atMs, step: 'upstream', status: n };
      default: return { atMs, step: 'done', status: n, error: a || null };
    }
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Query strings carry credentials as often as headers do: a story keeps the path only. */
function withoutQuery(path: string): string {
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
}

/** The x-request-id of a request refused before its headers were read for upstream (rare paths only: a scan of rawHeaders). */
export function rawRequestId(raw: string[]): string {
  for (let i = 0; i < raw.length; i += 2) if (raw[i].length === 12 && raw[i].toLowerCase() === 'x-request-id') return raw[i + 1];
  return '';
}

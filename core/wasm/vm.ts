// One instantiated proxy-wasm module in one worker: start-up order, contexts by id, fuel per callback, bytes through the module's allocator.
import { ABI_MARKERS, BufferType, MapType, Status } from './abi.ts';
import type { AbiVersion } from './abi.ts';
import { RootContext, StreamContext } from './context.ts';
import type { Context, PluginConfig } from './context.ts';
import { buildImports } from './imports.ts';
import { BUDGET_GLOBAL, FUEL_GLOBAL, REFUELLED_PREFIX } from './fuel.ts';
import { GuestMemory, utf8 } from './memory.ts';
import { MetricStore } from './metrics.ts';
import { SharedScope, SharedState } from './shared-data.ts';
import type { HeaderList, HostServices, HttpCallResponse, StreamSink } from './stream-host.ts';
import { ModuleExit, WasmTrap } from './trap.ts';

/** Fuel per callback by default: about 10 ms of tight looping, far more than any header callback needs. */
export const DEFAULT_FUEL = 10_000_000;

const EMPTY_BYTES = new Uint8Array(0);

/** The exported i32 global in which the Weft SDK counts its running callbacks (sdk/assembly/collect.ts). */
const CALLBACK_DEPTH_GLOBAL = 'weft_callback_depth';

export interface VmOptions {
  vmId?: string;
  vmConfig?: string | Uint8Array;
  /** Environment variables the module sees through WASI environ_get. */
  env?: Record<string, string>;
  services?: HostServices;
  /** Fuel budget of each callback; 0 disables the reset (for uninstrumented modules). */
  fuelPerCallback?: number;
  /** Name used in logs and trap messages for the module as a whole. */
  name?: string;
}

/** Stream callbacks, indexing `WasmVm.callStream`. */
export const Callback = {
  RequestHeaders: 0,
  RequestBody: 1,
  RequestTrailers: 2,
  ResponseHeaders: 3,
  ResponseBody: 4,
  ResponseTrailers: 5,
} as const;

const PER_STREAM_EXPORTS = ['proxy_on_context_create', 'proxy_on_done', 'proxy_on_log', 'proxy_on_delete'];
const [ON_CREATE, ON_DONE, ON_LOG, ON_DELETE] = [0, 1, 2, 3];

const STREAM_EXPORTS = ['proxy_on_request_headers', 'proxy_on_request_body', 'proxy_on_request_trailers',
  'proxy_on_response_headers', 'proxy_on_response_body', 'proxy_on_response_trailers'];

type Export = (...args: (number | bigint)[]) => number;

let processShared: SharedState | null = null;

/** The process-local store used when no SharedArrayBuffer was handed over (single-thread use, tests). */
function localShared(): SharedState {
  processShared ??= new SharedState(SharedState.allocate(4 << 20));
  return processShared;
}

export class WasmVm {
  readonly module: WebAssembly.Module;
  readonly vmId: string;
  readonly name: string;
  readonly vmConfig: Uint8Array;
  readonly env: Record<string, string>;
  readonly services: HostServices;
  readonly shared: SharedState;
  /** This VM's part of the shared data (keys are scoped by vm_id). */
  readonly sharedScope: SharedScope;
  readonly metrics: MetricStore;
  readonly abiVersion: AbiVersion;
  readonly fuelBudget: bigint;
  mem = new GuestMemory(null);
  /** The effective context of the running callback (proxy_set_effective_context may change it). */
  current: Context | null = null;
  /** The response being delivered by on_http_call_response, readable through maps 6/7 and buffer 4. */
  callResponse: HttpCallResponse | null = null;
  callFailure = '';
  /** Root contexts by id; they live as long as their plugin. */
  readonly roots = new Map<number, RootContext>();
  nextToken = 1;
  closed = false;
  /** Queues this VM's root contexts watch, as "rootId:queueId". */
  readonly queueWatches = new Set<string>();
  /** Where traps in root callbacks that no caller awaits (ticks, call responses, queue events) go. */
  onRootTrap: ((trap: WasmTrap) => void) | null = null;
  #exports!: Record<string, unknown>;
  #fuel: WebAssembly.Global | null = null;
  /** The Weft SDK's count of its running callbacks (sdk/assembly/collect.ts), which a trap leaves stale; null for other modules. */
  #callbackDepth: WebAssembly.Global | null = null;
  /** The callbacks refill their own fuel (instrument.ts): the host then calls their REFUELLED_PREFIX exports. */
  #refuelled = false;
  #alloc: Export | null = null;
  #stream: (Export | undefined)[] = [];
  /** The exports every request calls once per filter, looked up once: a by-name lookup per call is a slow keyed load. */
  #perStream: (Export | undefined)[] = [];
  #nextContextId = 1;
  /** Critical lines the running callback logged: held until it returns, and told with its trap if it traps (SDKs log a panic, then trap). */
  #critical: { filter: string; message: string } | null = null;
  /**
   * Live stream contexts in reused slots. Not a Map: every request adds and deletes one, and a Map's rehash links
   * the old table (still holding the contexts it had) to the new one; once one such table is promoted, every later
   * table and each request's whole graph behind its contexts survives scavenges and is promoted too.
   */
  #streams: (StreamContext | null)[] = [];
  #freeSlots: number[] = [];

  constructor(module: WebAssembly.Module, options: VmOptions = {}) {
    this.module = module;
    this.vmId = options.vmId ?? '';
    this.name = options.name ?? this.vmId;
    this.vmConfig = toBytes(options.vmConfig);
    this.env = options.env ?? {};
    this.services = options.services ?? {};
    this.shared = this.services.shared ?? localShared();
    this.sharedScope = new SharedScope(this.vmId);
    this.metrics = this.services.metrics ?? new MetricStore();
    this.fuelBudget = BigInt(options.fuelPerCallback ?? DEFAULT_FUEL);
    const exported = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
    const marker = ABI_MARKERS.find(([name]) => exported.has(name));
    this.abiVersion = marker ? marker[1] : '0.2.1';
  }

  /** Instantiates the module and runs its initialisers: `_initialize` then `main`/`__main_void`, or `_start`. */
  start(): void {
    let instance: WebAssembly.Instance;
    try {
      instance = new WebAssembly.Instance(this.module, buildImports(this));
    } catch (err) {
      throw this.#trap('instantiate', err);
    }
    this.#exports = instance.exports as Record<string, unknown>;
    const memory = this.#exports.memory;
    if (!(memory instanceof WebAssembly.Memory)) throw new WasmTrap('instantiate', 'module exports no memory', false);
    this.mem = new GuestMemory(memory);
    this.#fuel = this.#exports[FUEL_GLOBAL] instanceof WebAssembly.Global ? this.#exports[FUEL_GLOBAL] as WebAssembly.Global : null;
    const budget = this.#exports[BUDGET_GLOBAL];
    if (this.#fuel !== null && this.fuelBudget > 0n && budget instanceof WebAssembly.Global) {
      budget.value = this.fuelBudget;
      this.#refuelled = true;
    }
    const depth = this.#exports[CALLBACK_DEPTH_GLOBAL];
    this.#callbackDepth = depth instanceof WebAssembly.Global ? depth : null;
    this.#alloc = (this.#fn('proxy_on_memory_allocate') ?? this.#fn('malloc')) ?? null;
    this.#stream = STREAM_EXPORTS.map((name) => this.#callback(name));
    this.#perStream = PER_STREAM_EXPORTS.map((name) => this.#callback(name));
    const init = this.#fn('_initialize');
    if (init) {
      this.#invoke('_initialize', init, false, null);
      const main = this.#fn('__main_void') ?? this.#fn('main');
      if (main) this.#invoke('main', main, false, null, 0, 0);
      return;
    }
    const startFn = this.#fn('_start');
    if (!startFn) return;
    try {
      this.#invoke('_start', startFn, false, null);
    } catch (err) {
      // A WASI command ends _start with proc_exit(0): that is a normal end of initialisation.
      if (!(err instanceof WasmTrap && err.cause instanceof ModuleExit && err.cause.code === 0)) throw err;
    }
  }

  /** Creates a root context and runs on_context_create(root, 0) → on_vm_start → on_configure; false when either returns false. */
  createRoot(plugin: PluginConfig): { root: RootContext; ok: boolean; failedIn: string } {
    const root = new RootContext(this.#nextContextId++, plugin.name, plugin.rootId ?? plugin.name, toBytes(plugin.config));
    this.roots.set(root.id, root);
    this.#call('proxy_on_context_create', 0, root, root.id, 0);
    if (this.#call('proxy_on_vm_start', 1, root, root.id, this.vmConfig.length) === 0) return { root, ok: false, failedIn: 'proxy_on_vm_start' };
    if (this.#call('proxy_on_configure', 1, root, root.id, root.config.length) === 0) return { root, ok: false, failedIn: 'proxy_on_configure' };
    return { root, ok: true, failedIn: '' };
  }

  createStream(root: RootContext, sink: StreamSink): StreamContext {
    const ctx = new StreamContext(this.#nextContextId++, root, sink);
    const slot = this.#freeSlots.length > 0 ? this.#freeSlots.pop()! : this.#streams.length;
    this.#streams[slot] = ctx;
    ctx.slot = slot;
    this.#callPerStream(ON_CREATE, 0, ctx, root.id);
    return ctx;
  }

  hasStreamCallback(cb: number): boolean {
    return this.#stream[cb] !== undefined;
  }

  /** Runs a stream callback (see `Callback`); returns its action, Continue when the module lacks it. */
  callStream(cb: number, ctx: StreamContext, a: number, eos: boolean): number {
    const fn = this.#stream[cb];
    if (fn === undefined) return 0;
    // 0.1.0 header callbacks take no end-of-stream argument; wasm ignores surplus JS arguments.
    return this.#invoke(STREAM_EXPORTS[cb], fn, this.#refuelled, ctx, ctx.id, a, eos ? 1 : 0);
  }

  /** on_done; true when the context is done now, false when the module will call proxy_done later. */
  done(ctx: Context): boolean {
    return this.#callPerStream(ON_DONE, 1, ctx) !== 0;
  }

  /** on_log then on_delete; the context is gone afterwards. */
  logAndDelete(ctx: Context): void {
    try {
      this.#callPerStream(ON_LOG, 0, ctx);
    } finally {
      this.deleteContext(ctx);
    }
  }

  deleteContext(ctx: Context): void {
    if (ctx instanceof RootContext) {
      if (!this.roots.delete(ctx.id)) return;
      if (ctx.tickTimer) clearInterval(ctx.tickTimer);
    } else {
      if (ctx.slot < 0) return;
      this.#streams[ctx.slot] = null;
      this.#freeSlots.push(ctx.slot);
      ctx.slot = -1;
    }
    this.#callPerStream(ON_DELETE, 0, ctx);
  }

  /** A live context by id (proxy_set_effective_context); streams are few, so a scan. */
  context(id: number): Context | undefined {
    const root = this.roots.get(id);
    if (root !== undefined) return root;
    for (const ctx of this.#streams) if (ctx !== null && ctx.id === id) return ctx;
    return undefined;
  }

  tick(root: RootContext): void {
    this.#call('proxy_on_tick', 0, root, root.id);
  }

  queueReady(root: RootContext, queueId: number): void {
    this.#call('proxy_on_queue_ready', 0, root, root.id, queueId);
  }

  /** Delivers an HTTP call's outcome to its root context; a null response means the call failed. */
  httpCallResponse(root: RootContext, token: number, response: HttpCallResponse | null, failure: string): void {
    this.callResponse = response;
    this.callFailure = failure;
    try {
      this.#call('proxy_on_http_call_response', 0, root, root.id, token,
        response ? response.headers.length : 0, response ? response.body.length : 0, response ? response.trailers.length : 0);
    } finally {
      this.callResponse = null;
      this.callFailure = '';
    }
  }

  /** Stops timers and queue watches; the instance is dropped when the last stream lets go of it. */
  close(): void {
    this.closed = true;
    for (const root of this.roots.values()) {
      if (root.tickTimer) clearInterval(root.tickTimer);
    }
  }

  /**
   * Reports a trap thrown by a root callback nobody awaits. One that acted for a live stream (an http call's response
   * made it effective) fails that stream, per its filter's policy, rather than leaving it paused.
   */
  rootTrapped(err: unknown): void {
    const trap = err instanceof WasmTrap ? err : new WasmTrap('host', String(err), false, err);
    if (trap.stream !== null && trap.stream.slot >= 0) trap.stream.sink.failed(trap);
    else if (this.onRootTrap) this.onRootTrap(trap);
    else this.log(4, `trap: ${trap.message}`);
  }

  /** The stream context the running callback acts for, if any. */
  get stream(): StreamContext | null {
    return this.current instanceof StreamContext ? this.current : null;
  }

  /** The root context of the running callback (a stream's own root). */
  get root(): RootContext | null {
    const c = this.current;
    return c === null ? null : c instanceof RootContext ? c : c.root;
  }

  /** A buffer by proxy-wasm buffer type, or null when not available in the current callback. */
  buffer(type: number): Uint8Array | null {
    switch (type) {
      case BufferType.RequestBody:
      case BufferType.ResponseBody:
        return this.stream?.sink.body(type) ?? null;
      case BufferType.HttpCallResponseBody:
        return this.callResponse?.body ?? null;
      case BufferType.VmConfiguration:
        return this.vmConfig;
      case BufferType.PluginConfiguration:
        return this.root?.config ?? null;
      default:
        return null;
    }
  }

  setBuffer(type: number, bytes: Uint8Array): boolean {
    if (type === BufferType.RequestBody || type === BufferType.ResponseBody) return this.stream?.sink.setBody(type, bytes) ?? false;
    if (type === BufferType.HttpCallResponseBody && this.callResponse) {
      this.callResponse.body = bytes;
      return true;
    }
    return false;
  }

  /** A header map: undefined when not accessible here, null when accessible but absent (e.g. no trailers). */
  headerMap(type: number): HeaderList | null | undefined {
    if (type <= MapType.ResponseTrailers) {
      const s = this.stream;
      return s ? s.sink.headers(type) : undefined;
    }
    if (type === MapType.HttpCallResponseHeaders) return this.callResponse?.headers;
    if (type === MapType.HttpCallResponseTrailers) return this.callResponse?.trailers;
    return undefined;
  }

  setHeaderMap(type: number, list: HeaderList): boolean {
    if (type <= MapType.ResponseTrailers) return this.stream?.sink.setHeaders(type, list) ?? false;
    if (this.callResponse && type === MapType.HttpCallResponseHeaders) this.callResponse.headers = list;
    else if (this.callResponse && type === MapType.HttpCallResponseTrailers) this.callResponse.trailers = list;
    else return false;
    return true;
  }

  /** Copies bytes into memory the module allocates and writes pointer and size; empty data is (0, 0) with no allocation. */
  returnBytes(data: Uint8Array, ptrPtr: number, sizePtr: number, size = data.length): number {
    if (size === 0) {
      this.mem.setU32(ptrPtr, 0);
      this.mem.setU32(sizePtr, 0);
      return Status.Ok;
    }
    if (!this.#alloc) return Status.InvalidMemoryAccess;
    const ptr = this.#alloc(size) >>> 0;
    if (ptr === 0) return Status.InvalidMemoryAccess;
    this.mem.write(ptr, data, size);
    this.mem.setU32(ptrPtr, ptr);
    this.mem.setU32(sizePtr, size);
    return Status.Ok;
  }

  /** As returnBytes, encoding straight into the module's memory (header values and properties: the common case). */
  returnString(text: string, ptrPtr: number, sizePtr: number): number {
    const n = Buffer.byteLength(text, 'utf8');
    if (n === 0) return this.returnBytes(EMPTY_BYTES, ptrPtr, sizePtr);
    if (!this.#alloc) return Status.InvalidMemoryAccess;
    const ptr = this.#alloc(n) >>> 0;
    if (ptr === 0) return Status.InvalidMemoryAccess;
    this.mem.writeUtf8(ptr, text, n);
    this.mem.setU32(ptrPtr, ptr);
    this.mem.setU32(sizePtr, n);
    return Status.Ok;
  }

  /** As returnBytes for an integer property (8-byte LE int64), written in place: no BigInt, no intermediate buffer. */
  returnInt64(value: number, ptrPtr: number, sizePtr: number): number {
    if (!this.#alloc) return Status.InvalidMemoryAccess;
    const ptr = this.#alloc(8) >>> 0;
    if (ptr === 0) return Status.InvalidMemoryAccess;
    const high = Math.floor(value / 0x1_0000_0000);
    this.mem.setU32(ptr, value - high * 0x1_0000_0000);
    this.mem.setU32(ptr + 4, high);
    this.mem.setU32(ptrPtr, ptr);
    this.mem.setU32(sizePtr, 8);
    return Status.Ok;
  }

  log(level: number, message: string): void {
    if (level < (this.services.logLevel ?? 2)) return;
    const filter = this.root?.name ?? this.name;
    if (level >= 5 && this.current !== null) {
      const held = this.#critical;
      this.#critical = { filter, message: held === null ? message : `${held.message}; ${message}` };
      return;
    }
    if (this.services.log) this.services.log(level, filter, message);
  }

  #fn(name: string): Export | undefined {
    const f = this.#exports[name];
    return typeof f === 'function' ? f as Export : undefined;
  }

  /** A proxy_on_* callback as the host calls it: its refuelling export when the module has them. */
  #callback(name: string): Export | undefined {
    return this.#refuelled ? this.#fn(REFUELLED_PREFIX + name) : this.#fn(name);
  }

  /** Calls an optional callback; `missing` is the answer when the module lacks it. */
  #call(name: string, missing: number, ctx: Context, a: number, b?: number, c?: number, d?: number, e?: number): number {
    const fn = this.#callback(name);
    return fn === undefined ? missing : this.#invoke(name, fn, this.#refuelled, ctx, a, b, c, d, e);
  }

  #callPerStream(which: number, missing: number, ctx: Context, b?: number): number {
    const fn = this.#perStream[which];
    return fn === undefined ? missing : this.#invoke(PER_STREAM_EXPORTS[which], fn, this.#refuelled, ctx, ctx.id, b);
  }

  /**
   * `refuelled`: the export refills the fuel itself; otherwise the host does, for every call. Fixed arity (no rest
   * arguments) keeps this path free of per-call array allocation.
   */
  #invoke(name: string, fn: Export, refuelled: boolean, ctx: Context | null, a?: number, b?: number, c?: number, d?: number, e?: number): number {
    const saved = this.current;
    this.current = ctx;
    if (!refuelled && this.#fuel !== null && this.fuelBudget > 0n) this.#fuel.value = this.fuelBudget;
    try {
      return fn(a ?? 0, b ?? 0, c ?? 0, d ?? 0, e ?? 0) | 0;
    } catch (err) {
      // No frame of the module is left once the outermost callback trapped: an SDK that collects garbage only
      // outside its callbacks must not go on believing one runs, or it would never collect again.
      if (saved === null && this.#callbackDepth !== null) this.#callbackDepth.value = 0;
      throw this.#trap(name, err);
    } finally {
      this.current = saved;
      // The callback returned: a critical line it logged was not a trap's last words after all.
      const held = this.#critical;
      if (held !== null) {
        this.#critical = null;
        this.services.log?.(5, held.filter, held.message);
      }
    }
  }

  #trap(callback: string, err: unknown): WasmTrap {
    if (err instanceof WasmTrap) return err;
    const exhausted = this.#fuel !== null && (this.#fuel.value as bigint) < 0n;
    const message = exhausted ? `fuel exhausted (budget ${this.fuelBudget})` : err instanceof Error ? err.message : String(err);
    const trap = new WasmTrap(callback, message, exhausted, err);
    trap.stream = this.stream;
    if (this.#critical !== null) {
      trap.said = this.#critical.message;
      this.#critical = null;
    }
    return trap;
  }
}

function toBytes(value: string | Uint8Array | undefined): Uint8Array {
  if (value === undefined) return new Uint8Array(0);
  return typeof value === 'string' ? utf8(value) : value;
}

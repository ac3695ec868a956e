// What a lean HTTP/1.1 downstream would buy (issue 12): CPU µs per request of node:http, of net + llhttp (WebAssembly, request mode) and of a raw net floor answering 64 bytes, or (--proxied) of the first two proxying to an upstream through H1Pool (--weft, --nginx: beside a bare weft proxy, nginx proxying), all under wrk at once or in alternating rounds.
import { createServer as createHttpServer, STATUS_CODES } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { Socket } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Dispatcher } from 'undici';
import llhttpWasm from '../core/upstream/llhttp-wasm.cjs';
import { H1Pool } from '../core/upstream/h1-pool.ts';
import { utcDate } from '../core/http/lean-http1.ts';
import { dialer } from '../core/upstream/connection-limit.ts';
import type { Llhttp, ResponseHeaders } from '../core/upstream/h1-parser.ts';
import { binNodeEnv, binNodeFlags } from '../release/node-flags.ts';
import { defaultDriver, runLoad } from './load.ts';
import { startNginx } from './nginx.ts';
import type { LoadResult } from './load.ts';
import { processTree } from './cpu.ts';
import { treeCpuNanos } from './observe-cost.ts';
import { freePort, start, waitForOk } from './processes.ts';
import type { Running } from './processes.ts';
import { defaultUpstreamKind, startUpstream } from './upstream.ts';

/** The servers compared: three answering themselves, or (`--proxied`) the two HTTP ones proxying GETs to the upstream. */
const LOCAL = ['node-http', 'llhttp', 'raw'] as const;
const PROXIED = ['node-http-proxy', 'llhttp-proxy'] as const;
export type Variant = (typeof LOCAL)[number] | (typeof PROXIED)[number] | 'weft' | 'nginx';

const BODY = 'x'.repeat(64);
/** The listener's defaults (core/config/settings.ts), which both HTTP servers keep. */
const LIMITS = { maxHeaderSize: 16 * 1024, maxHeaderCount: 100, headersTimeoutMs: 10_000, requestTimeoutMs: 300_000, keepAliveTimeoutMs: 60_000 };
const RESPONSE_HEADERS = ['content-type', 'application/octet-stream', 'content-length', String(BODY.length)];
/** Hop-by-hop fields, dropped both ways as a proxy must (RFC 9110 §7.6.1), and what H1Pool refuses to be given. */
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'upgrade', 'proxy-connection', 'trailer']);

// ---- the servers (each runs in its own process: `--serve VARIANT`) ----

/** The upstream side both proxies share: one H1Pool, as a Weft worker has per endpoint. */
type Upstream = { pool: H1Pool; origin: string };
type Reply = (status: number, headers: ResponseHeaders, body: Buffer) => void;

/** Sends one request upstream; `reply` gets the whole response (64 bytes here) or a 502. */
function forward(up: Upstream, method: string, path: string, rawHeaders: string[], reply: Reply): void {
  const headers: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) if (!HOP.has(rawHeaders[i].toLowerCase())) headers.push(rawHeaders[i], rawHeaders[i + 1]);
  let status = 0;
  let head: ResponseHeaders = {};
  const chunks: Buffer[] = [];
  const handler: Dispatcher.DispatchHandler = {
    onResponseStart: (_c, s, h) => { status = s; head = h as ResponseHeaders; },
    onResponseData: (_c, chunk) => { chunks.push(chunk); },
    onResponseEnd: () => reply(status, head, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)),
    onResponseError: () => reply(502, {}, Buffer.alloc(0)),
  };
  up.pool.dispatch({ origin: up.origin, path, method: method as Dispatcher.HttpMethod, headers, body: null, headersTimeout: 10_000, bodyTimeout: 10_000 }, handler);
}

/** node:http with the listener's options (core/http/listener.ts). */
function serveNodeHttp(port: number, up: Upstream | undefined): void {
  const server = createHttpServer({
    maxHeaderSize: LIMITS.maxHeaderSize, headersTimeout: LIMITS.headersTimeoutMs, requestTimeout: LIMITS.requestTimeoutMs,
    keepAliveTimeout: LIMITS.keepAliveTimeoutMs, connectionsCheckingInterval: 1000, noDelay: true, requireHostHeader: false,
    optimizeEmptyRequests: true,
  }, (req: IncomingMessage, res: ServerResponse) => {
    if (!up) {
      res.writeHead(200, RESPONSE_HEADERS);
      res.end(BODY);
      return;
    }
    forward(up, req.method!, req.url!, req.rawHeaders, (status, headers, body) => {
      const list: string[] = [];
      for (const [name, value] of Object.entries(headers)) {
        if (HOP.has(name)) continue;
        if (typeof value === 'string') list.push(name, value);
        else for (const v of value) list.push(name, v);
      }
      res.writeHead(status, list);
      // As the request path does with a small body that arrives whole: head and body in one latin1 write.
      res.end(body.toString('latin1'), 'latin1');
    });
  });
  server.maxHeadersCount = LIMITS.maxHeaderCount + 1;
  (server as typeof server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  server.listen(port, '127.0.0.1');
}

/** The floor: every read answered with the whole fixed response, nothing parsed. */
function serveRaw(port: number): void {
  const response = `HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: ${BODY.length}\r\n` +
    `date: ${new Date().toUTCString()}\r\nconnection: keep-alive\r\nkeep-alive: timeout=60\r\n\r\n${BODY}`;
  createNetServer({ noDelay: true }, (socket) => {
    socket.on('data', () => socket.write(response, 'latin1'));
    socket.on('error', () => socket.destroy());
  }).listen(port, '127.0.0.1');
}

const REQUEST = 1;
const HPE_OK = 0;

/** The request a lean server hands on: what the request path reads from IncomingMessage, and no more. */
type LeanRequest = { method: string; url: string; headers: string[]; keepAlive: boolean };

/** The connection llhttp is calling back for (callbacks run synchronously inside execute), and its input. */
let current: LeanConnection | undefined;
let input: Buffer = Buffer.alloc(0);
let inputPtr = 0;
let bufferPtr = 0;
let bufferSize = 0;
let ll: Llhttp;
const methodNames: string[] = [];

function enter(conn: LeanConnection | undefined): void {
  current = conn;
}

function loadLlhttp(): void {
  const env = {
    wasm_on_message_begin: () => current!.begin(),
    wasm_on_url: (_p: number, at: number, len: number) => current!.url(at - inputPtr, len),
    wasm_on_status: () => 0,
    wasm_on_header_field: (_p: number, at: number, len: number) => current!.piece(at - inputPtr, len, false),
    wasm_on_header_value: (_p: number, at: number, len: number) => current!.piece(at - inputPtr, len, true),
    wasm_on_headers_complete: (p: number, _status: number, _upgrade: number, keepAlive: number) => current!.headersComplete(p, keepAlive === 1),
    wasm_on_body: () => 0,
    wasm_on_message_complete: () => current!.complete(),
  };
  ll = new WebAssembly.Instance(new WebAssembly.Module(llhttpWasm.bytes), { env }).exports as unknown as Llhttp;
}

function methodName(code: number): string {
  let name = methodNames[code];
  if (name === undefined) {
    const bytes = new Uint8Array(ll.memory.buffer, ll.llhttp_method_name(code));
    name = methodNames[code] = Buffer.from(bytes.subarray(0, bytes.indexOf(0))).toString('latin1');
  }
  return name;
}

/** A response head from a header list (with a date unless it has one): the string a lean server writes in one go with a small body. */
function responseHead(status: number, list: string[], hasDate: boolean, keepAlive: boolean): string {
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n`;
  for (let i = 0; i < list.length; i += 2) head += `${list[i]}: ${list[i + 1]}\r\n`;
  if (!hasDate) head += `date: ${utcDate()}\r\n`;
  return `${head}${keepAlive ? 'connection: keep-alive\r\nkeep-alive: timeout=60' : 'connection: close'}\r\n\r\n`;
}

/** One downstream connection: llhttp parses its reads; answers leave in request order (pipelining). */
class LeanConnection {
  private readonly socket: Socket;
  private readonly onRequest: (req: LeanRequest, done: (response: string) => void) => void;
  private ptr: number;
  private target = '';
  private fields: string[] = [];
  private headerBytes = 0;
  private method = '';
  private keepAlive = true;
  /** Answers not yet written, oldest first: undefined until ready; requests are numbered from 0 as they end. */
  private readonly queue: (string | undefined)[] = [];
  private received = 0;
  private sent = 0;
  private closing = false;

  constructor(socket: Socket, onRequest: (req: LeanRequest, done: (response: string) => void) => void) {
    this.socket = socket;
    this.onRequest = onRequest;
    this.ptr = ll.llhttp_alloc(REQUEST);
    socket.setNoDelay(true);
    socket.setTimeout(LIMITS.keepAliveTimeoutMs, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.close());
  }

  private read(chunk: Buffer): void {
    if (this.ptr === 0) return;
    if (chunk.length > bufferSize) {
      if (bufferPtr) ll.free(bufferPtr);
      bufferSize = Math.ceil(chunk.length / 16384) * 16384;
      bufferPtr = ll.malloc(bufferSize);
    }
    new Uint8Array(ll.memory.buffer, bufferPtr, chunk.length).set(chunk);
    enter(this);
    input = chunk;
    inputPtr = bufferPtr;
    const ret = ll.llhttp_execute(this.ptr, bufferPtr, chunk.length);
    enter(undefined);
    if (ret !== HPE_OK) this.refuse();
  }

  begin(): number {
    this.target = '';
    this.fields = [];
    this.headerBytes = 0;
    return 0;
  }

  url(start: number, len: number): number {
    this.target += input.toString('latin1', start, start + len);
    return this.count(len);
  }

  piece(start: number, len: number, isValue: boolean): number {
    const text = input.toString('latin1', start, start + len);
    const f = this.fields;
    // Names at even places, values at odd ones; a piece of the kind just read continues it (a read split it).
    if ((f.length % 2 === 1) === isValue) f.push(text);
    else f[f.length - 1] += text;
    return this.count(len);
  }

  private count(len: number): number {
    this.headerBytes += len;
    return this.headerBytes > LIMITS.maxHeaderSize || this.fields.length > 2 * LIMITS.maxHeaderCount ? -1 : 0;
  }

  headersComplete(p: number, keepAlive: boolean): number {
    this.method = methodName(ll.llhttp_get_method(p));
    this.keepAlive = keepAlive;
    return 0;
  }

  complete(): number {
    const slot = this.received++;
    this.queue.push(undefined);
    const req: LeanRequest = { method: this.method, url: this.target, headers: this.fields, keepAlive: this.keepAlive };
    this.onRequest(req, (response) => this.answered(slot, response));
    return 0;
  }

  /** An answer is ready: it and those after it that are ready go out, in order. */
  private answered(slot: number, response: string): void {
    const q = this.queue;
    q[slot - this.sent] = response;
    while (q.length > 0 && q[0] !== undefined) {
      this.socket.write(q.shift()!, 'latin1');
      this.sent++;
    }
    if (!this.keepAlive && q.length === 0 && !this.closing) {
      this.closing = true;
      this.socket.end();
    }
  }

  private refuse(): void {
    if (!this.closing) this.socket.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n', 'latin1');
    this.closing = true;
    this.close();
  }

  private close(): void {
    if (this.ptr) ll.llhttp_free(this.ptr);
    this.ptr = 0;
  }
}

/** net + llhttp: the lean downstream, answering itself or through the upstream pool. */
function serveLlhttp(port: number, up: Upstream | undefined): void {
  loadLlhttp();
  const onRequest = (req: LeanRequest, done: (response: string) => void): void => {
    if (!up) return done(responseHead(200, RESPONSE_HEADERS, false, req.keepAlive) + BODY);
    forward(up, req.method, req.url, req.headers, (status, headers, body) => {
      const list: string[] = [];
      for (const [name, value] of Object.entries(headers)) {
        if (HOP.has(name)) continue;
        if (typeof value === 'string') list.push(name, value);
        else for (const v of value) list.push(name, v);
      }
      done(responseHead(status, list, headers.date !== undefined, req.keepAlive) + body.toString('latin1'));
    });
  };
  createNetServer({ noDelay: true }, (socket) => new LeanConnection(socket, onRequest)).listen(port, '127.0.0.1');
}

function serve(variant: Variant, port: number, upstream: string | undefined): void {
  const up = variant.endsWith('-proxy') && upstream ? { pool: new H1Pool(upstream, { connections: null, connect: dialer(10_000, false) }), origin: upstream } : undefined;
  if (variant === 'raw') serveRaw(port);
  else if (variant.startsWith('llhttp')) serveLlhttp(port, up);
  else serveNodeHttp(port, up);
}

// ---- the measurement ----

/** System time of `root`'s process tree in µs, from /proc/PID/stat (field 15, in 100 Hz ticks). */
function treeSysMicros(root: number): number {
  let ticks = 0;
  for (const pid of processTree(root)) {
    try {
      const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
      ticks += Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[12]);
    } catch {
      // exited between listing and reading
    }
  }
  return ticks * 10_000;
}

export interface H1ServerCost {
  variants: Variant[];
  mode: 'together' | 'alternating';
  rounds: number;
  /** By variant, one figure per round. */
  cpuUsPerRequest: Record<string, number[]>;
  /** The kernel's part of it (system time, in /proc's 10 ms ticks): the socket reads and writes, the same for every server. */
  sysUsPerRequest: Record<string, number[]>;
  rps: Record<string, number[]>;
  /** wrk's errors (connect, read, write, status, timeout) by variant, summed over the rounds. */
  errors: Record<string, number>;
  /** The 1-minute load average after each round. */
  load: number[];
}

/**
 * With `proxied`, beside the two: `weft`, a bare `weft proxy --workers 1` to the same upstream (the bundle when built,
 * else the sources); `nginx`, nginx proxying to it as the bench's reference does (bench/nginx.ts).
 */
export type CostOptions = { rounds: number; seconds: number; connections: number; proxied: boolean; weft?: boolean; nginx?: boolean; mode: 'together' | 'alternating' };

const root = join(import.meta.dirname, '..');

/** The command line of one server: the bin's Node flags (bin/weft.js), as a sidecar runs with them. */
function serverArgv(variant: Variant, port: number, upstream: string | undefined): string[] {
  if (variant !== 'weft') {
    return [...binNodeFlags(), import.meta.filename, '--serve', variant, '--port', String(port), ...(upstream ? ['--upstream', upstream] : [])];
  }
  const bundle = join(root, 'dist/lib/weft.js');
  return [...binNodeFlags(), existsSync(bundle) ? bundle : join(root, 'cli/weft.ts'), 'proxy', '--listen', `127.0.0.1:${port}`,
    '--upstream', upstream!, '--workers', '1', '--admin', 'off', '--log-level', 'warn'];
}

/**
 * Every variant in its own process, with the bin's Node flags and environment, on one CPU; wrk and the upstream on
 * the other. `together`: all variants under load at the same time in each round (a shared machine's load falls on
 * all alike); `alternating`: one at a time, each round starting with the next.
 */
export async function h1ServerCost(o: CostOptions): Promise<H1ServerCost> {
  const variants: Variant[] = o.proxied ? [...PROXIED, ...(o.weft ? ['weft' as const] : []), ...(o.nginx ? ['nginx' as const] : [])] : [...LOCAL];
  const workDir = mkdtempSync(join(tmpdir(), 'weft-h1-server-cost-'));
  const [serverCpu, loadCpu] = [1, 0];
  const children: Running[] = [];
  try {
    let upstream: string | undefined;
    if (o.proxied) {
      const port = await freePort();
      children.push(await startUpstream(defaultUpstreamKind(), port, BODY.length, workDir, loadCpu));
      upstream = `http://127.0.0.1:${port}`;
    }
    const servers = new Map<Variant, { url: string; pid: number }>();
    for (const variant of variants) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}/`;
      if (variant === 'nginx') {
        const child = await startNginx('nginx-proxy', port, { kind: 'proxy', upstream: new URL(upstream!) }, workDir, serverCpu);
        children.push(child);
        servers.set(variant, { url, pid: child.pid });
        continue;
      }
      const child = start(variant, process.execPath, serverArgv(variant, port, upstream), { cpu: serverCpu, env: binNodeEnv() });
      children.push(child);
      await waitForOk(child, url);
      servers.set(variant, { url, pid: child.pid });
    }
    type Run = { cpu: number; sys: number; result: LoadResult };
    const load = async (variant: Variant, seconds: number): Promise<Run> => {
      const { url, pid } = servers.get(variant)!;
      const [before, sysBefore] = [treeCpuNanos(pid), treeSysMicros(pid)];
      const result = await runLoad(defaultDriver(), { url, headers: {}, connections: o.connections, seconds, thinkMs: 0 }, loadCpu);
      return { cpu: (treeCpuNanos(pid) - before) / 1000, sys: treeSysMicros(pid) - sysBefore, result };
    };
    // A warm-up for the JIT, not counted.
    await Promise.all(variants.map((v) => load(v, 1)));
    const out: H1ServerCost = {
      variants, mode: o.mode, rounds: o.rounds, load: [],
      cpuUsPerRequest: Object.fromEntries(variants.map((v) => [v, []])),
      sysUsPerRequest: Object.fromEntries(variants.map((v) => [v, []])),
      rps: Object.fromEntries(variants.map((v) => [v, []])),
      errors: Object.fromEntries(variants.map((v) => [v, 0])),
    };
    for (let r = 0; r < o.rounds; r++) {
      const order = variants.map((_, k) => variants[(r + k) % variants.length]);
      const runs = o.mode === 'together'
        ? await Promise.all(order.map((v) => load(v, o.seconds)))
        : await order.reduce<Promise<Run[]>>(async (acc, v) => [...await acc, await load(v, o.seconds)], Promise.resolve([]));
      order.forEach((v, k) => {
        const { cpu, sys, result } = runs[k];
        out.cpuUsPerRequest[v].push(cpu / Math.max(1, result.requests));
        out.sysUsPerRequest[v].push(sys / Math.max(1, result.requests));
        out.rps[v].push(result.requests / result.seconds);
        out.errors[v] += result.errors;
      });
      out.load.push(loadavg()[0]);
    }
    return out;
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    rmSync(workDir, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (n: number): string => n.toFixed(1);
const range = (xs: number[], digits = 1): string => `${Math.min(...xs).toFixed(digits)} … ${Math.max(...xs).toFixed(digits)}`;

/** Per variant, then the differences that matter, taken within each round (same load). */
export function h1Report(c: H1ServerCost, o: CostOptions): string {
  const lines = [
    `${c.variants.length} servers, ${c.mode === 'together' ? 'all under load at once' : 'one at a time'}, ${defaultDriver()} -c${o.connections}, ${o.seconds} s × ${c.rounds} rounds; load average ${range(c.load)}`, '',
    '| server | CPU µs/request, median (range) | of which kernel, median | req/s, median | errors |', '|---|---|---|---|---|',
  ];
  for (const v of c.variants) {
    lines.push(`| ${v} | ${fmt(median(c.cpuUsPerRequest[v]))} (${range(c.cpuUsPerRequest[v])}) | ${fmt(median(c.sysUsPerRequest[v]))} | ${Math.round(median(c.rps[v]))} | ${c.errors[v]} |`);
  }
  const diff = (a: Variant, b: Variant): string => {
    const d = c.cpuUsPerRequest[a].map((x, i) => x - c.cpuUsPerRequest[b][i]);
    const ratio = c.cpuUsPerRequest[a].map((x, i) => x / c.cpuUsPerRequest[b][i]);
    return `| ${a} − ${b} | ${fmt(median(d))} (${range(d)}) | ${median(ratio).toFixed(2)} |`;
  };
  lines.push('', '| difference, per round | µs/request, median (range) | ratio, median |', '|---|---|---|');
  if (c.variants.includes('weft')) lines.push(diff('weft', 'node-http-proxy'), diff('weft', 'llhttp-proxy'));
  if (c.variants.includes('nginx')) lines.push(...c.variants.filter((v) => v !== 'nginx').map((v) => diff(v, 'nginx')));
  if (c.variants.includes('llhttp-proxy')) lines.push(diff('node-http-proxy', 'llhttp-proxy'));
  else lines.push(diff('node-http', 'llhttp'), diff('llhttp', 'raw'), diff('node-http', 'raw'));
  if (c.variants.includes('weft') && c.variants.includes('nginx')) {
    // Weft as it is, less what the lean downstream saved the plain proxy in the same round.
    const x = c.cpuUsPerRequest;
    const lean = x.weft.map((w, i) => (w - (x['node-http-proxy'][i] - x['llhttp-proxy'][i])) / x.nginx[i]);
    const now = x.weft.map((w, i) => w / x.nginx[i]);
    lines.push('', `weft ÷ nginx per round: ${median(now).toFixed(2)} (${range(now, 2)}); with the lean downstream's saving taken off: ${median(lean).toFixed(2)} (${range(lean, 2)})`);
  }
  return lines.join('\n');
}

if (import.meta.main) {
  const { values } = parseArgs({ options: {
    serve: { type: 'string' }, port: { type: 'string' }, upstream: { type: 'string' },
    rounds: { type: 'string', default: '5' }, seconds: { type: 'string', default: '5' }, connections: { type: 'string', default: '50' },
    proxied: { type: 'boolean', default: false }, weft: { type: 'boolean', default: false }, nginx: { type: 'boolean', default: false }, mode: { type: 'string', default: 'together' },
  } });
  if (values.serve) serve(values.serve as Variant, Number(values.port), values.upstream);
  else {
    if (values.mode !== 'together' && values.mode !== 'alternating') throw new Error('--mode is together or alternating');
    const o: CostOptions = { rounds: Number(values.rounds), seconds: Number(values.seconds), connections: Number(values.connections), proxied: values.proxied, weft: values.weft, nginx: values.nginx, mode: values.mode };
    console.log(h1Report(await h1ServerCost(o), o));
  }
}

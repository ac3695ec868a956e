// Readies every filter of the settings in a short-lived child process, off the event loops that serve traffic; workers get compiled modules.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FilterLimits, FilterSettings } from '../config/settings.ts';
import type { CompileTask, CompiledTask } from '../wasm/compile-child.ts';
import { ErrorCodes, WeftError } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import { entryUrl, executable, readModuleFile } from '../runtime/assets.ts';
import { sha256Hex } from '../control/signature.ts';

export interface LoadedFilter {
  settings: FilterSettings;
  module: WebAssembly.Module;
  sha256: string;
  /** The rollout's second version, compiled and smoke-started like the first. */
  canary?: { module: WebAssembly.Module; sha256: string; version: string; percent: number };
}

const CHILD_PATH = fileURLToPath(entryUrl(new URL('../wasm/compile-child.ts', import.meta.url), 'compile-child'));

/** What a compile and smoke start depend on: equal keys give equal results, so a swap reuses the serving module. */
function compileKey(f: FilterSettings, sha256: string, limits: FilterLimits): string {
  return JSON.stringify([sha256, f.name, f.rootId, f.vmId, f.config, f.fail, limits.fuel, limits.memoryPages]);
}

/** How long the compile process outlives its last task: swaps in a row (a plane's snapshots) share it warm. */
const IDLE_MS = 5_000;

/**
 * The compile process: started at the first task, ended IDLE_MS after the last with SIGTERM. With its IPC
 * channel closed instead (the child then exits by itself), a one-isolate sidecar under wrk reset its downstream
 * connections from then on in 3 runs of 3, killed in 0 of 2; the cause is not found, and main's sidecar shows
 * such resets under the bench's fixed-rate load too (bench/README.md, issue 12). A process, not a thread:
 * binaryen's WebAssembly heap, its isolate and the malloc arenas they leave (~44 MiB stayed resident after a
 * compile thread had exited, ARCHITECTURE.md's "Memory budget") go back to the system with it.
 */
class CompileProcess {
  readonly #child: ChildProcess;
  #next = 0;
  readonly #pending = new Map<number, { resolve: (out: CompiledTask) => void; reject: (err: Error) => void }>();
  #idle: NodeJS.Timeout | undefined;
  /** The end of what it wrote to stderr: the reason, when it dies. */
  #stderr = '';

  constructor(onExit: () => void) {
    // advanced serialization: module bytes cross as a Uint8Array, not as JSON. The proxy's own Node flags
    // (--inspect, --cpu-prof) are not the compiler's; --liftoff-only keeps V8 from optimising binaryen's large
    // WebAssembly module too, which cost this short-lived process ~40 MiB more at its peak (148 → 187–208 MiB)
    // and more time (1.0–2.8 s → 1.6–3.2 s for the four built-ins). A single executable takes its whole command line
    // as the program's, so its child goes without (set at run time, the flag did not take).
    const child = fork(CHILD_PATH, [], {
      serialization: 'advanced', execArgv: executable ? [] : ['--liftoff-only'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.#child = child;
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { this.#stderr = (this.#stderr + chunk).slice(-2000); });
    child.on('message', (out: CompiledTask) => {
      this.#pending.get(out.id)?.resolve(out);
      this.#pending.delete(out.id);
      if (this.#pending.size === 0) this.#rest();
    });
    const fail = (why: string) => {
      onExit();
      clearTimeout(this.#idle);
      const last = this.#stderr.trim().split('\n').at(-1);
      const err = new WeftError(ErrorCodes.WASM_START_FAILED, `the filter compile process ${why}${last ? `: ${last}` : ''}`);
      for (const { reject } of this.#pending.values()) reject(err);
      this.#pending.clear();
    };
    child.on('error', (err) => fail(`could not run (${err.message})`));
    child.on('exit', (code, signal) => fail(`exited (${signal ?? `code ${code}`}) before it answered`));
  }

  run(task: Omit<CompileTask, 'id'>): Promise<CompiledTask> {
    clearTimeout(this.#idle);
    this.#child.ref();
    this.#child.channel?.ref();
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#child.send({ ...task, id });
    });
  }

  /** Idle, it holds neither the proxy's event loop (a proxy that is stopping does not wait for it) nor the system's memory for long. */
  #rest(): void {
    this.#child.unref();
    this.#child.channel?.unref();
    this.#idle = setTimeout(() => this.#child.kill(), IDLE_MS).unref();
  }
}

/** Started at the first compile: a proxy without filters, or between swaps, has none. */
let compiler: CompileProcess | undefined;

/**
 * Compiles, instruments and smoke-starts each filter; throws a WeftError naming the first that fails. A module the
 * proxy serves already (`serving`), with the same bytes and start inputs, is reused: a plane sends a snapshot for
 * every registry change, and recompiling an unchanged chain cost seconds of CPU each time. The work is done in the
 * compile process; the proxy then compiles the instrumented bytes it gets back (V8 alone, no binaryen) and posts that
 * module to its workers.
 */
export async function loadFilters(filters: FilterSettings[], limits: FilterLimits, serving: LoadedFilter[] = []): Promise<LoadedFilter[]> {
  if (filters.length === 0) return [];
  const known = new Map<string, { module: WebAssembly.Module; sha256: string }>();
  for (const l of serving) {
    known.set(compileKey(l.settings, l.sha256, limits), l);
    if (l.canary) known.set(compileKey({ ...l.settings, module: l.settings.canary!.module }, l.canary.sha256, limits), l.canary);
  }
  const ready = async (f: FilterSettings, path: string): Promise<{ module: WebAssembly.Module; sha256: string }> => {
    const bytes = await readModuleFile(path).catch(() => undefined);
    const reused = bytes && known.get(compileKey(f, sha256Hex(bytes), limits));
    if (reused) return { module: reused.module, sha256: reused.sha256 };
    compiler ??= new CompileProcess(() => { compiler = undefined; });
    const out = await compiler.run({
      name: f.name, path, bytes, rootId: f.rootId, vmId: f.vmId, config: f.config, fail: f.fail,
      fuel: limits.fuel, memoryPages: limits.memoryPages,
    });
    if (out.ok) return { module: await WebAssembly.compile(out.bytes), sha256: out.sha256 };
    const code = (Object.values(ErrorCodes) as string[]).includes(out.code) ? out.code as ErrorCode : ErrorCodes.WASM_START_FAILED;
    throw new WeftError(code, `filter ${f.name} (${path}): ${out.message.replace(/^filter [^:]+: /, '')}`);
  };
  return Promise.all(filters.map(async (f) => {
    const [base, canary] = await Promise.all([ready(f, f.module), f.canary ? ready({ ...f, module: f.canary.module }, f.canary.module) : undefined]);
    const loaded: LoadedFilter = { settings: f, ...base };
    if (canary && f.canary) loaded.canary = { ...canary, version: f.canary.version, percent: f.canary.percent };
    return loaded;
  }));
}

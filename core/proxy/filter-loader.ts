// Readies every filter of the settings in a piscina pool, off the event loops that serve traffic; workers get compiled modules.
import type { FilterLimits, FilterSettings } from '../config/settings.ts';
import type { CompileTask, CompiledTask } from '../wasm/compile-task.ts';
import { ErrorCodes, WeftError } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import type { Piscina } from 'piscina';
import { entryUrl, readModuleFile } from '../runtime/assets.ts';
import { sha256Hex } from '../control/signature.ts';

export interface LoadedFilter {
  settings: FilterSettings;
  module: WebAssembly.Module;
  sha256: string;
  /** The rollout's second version, compiled and smoke-started like the first. */
  canary?: { module: WebAssembly.Module; sha256: string; version: string; percent: number };
}

const TASK_URL = entryUrl(new URL('../wasm/compile-task.ts', import.meta.url), 'compile-task').href;
/** Created at the first compile; its thread ends when idle (minThreads 0), so an idle proxy has none. */
let pool: Piscina | undefined;

/** What a compile and smoke start depend on: equal keys give equal results, so a swap reuses the serving module. */
function compileKey(f: FilterSettings, sha256: string, limits: FilterLimits): string {
  return JSON.stringify([sha256, f.name, f.rootId, f.vmId, f.config, f.fail, limits.fuel, limits.memoryPages]);
}

/**
 * Compiles, instruments and smoke-starts each filter; throws a WeftError naming the first that fails. A module the
 * proxy serves already (`serving`), with the same bytes and start inputs, is reused: a plane sends a snapshot for
 * every registry change, and recompiling an unchanged chain cost seconds of CPU each time. The pool has one thread,
 * started at the first compile and ended after 5 s without one (swaps in a row share it warm): each compile thread
 * holds binaryen and an isolate (tens of MiB), and its malloc arenas stay resident after it exits, so a proxy
 * should start as few as it can.
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
    // piscina loads with the first filter to compile: a proxy without filters never has a compile pool, nor its code.
    const { Piscina } = await import('piscina');
    pool ??= new Piscina({ filename: TASK_URL, maxThreads: 1, minThreads: 0, idleTimeout: 5_000 });
    const task: CompileTask = {
      name: f.name, path, bytes, rootId: f.rootId, vmId: f.vmId, config: f.config, fail: f.fail,
      fuel: limits.fuel, memoryPages: limits.memoryPages,
    };
    const out = (await pool.run(task)) as CompiledTask;
    if (out.ok) return { module: out.module, sha256: out.sha256 };
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

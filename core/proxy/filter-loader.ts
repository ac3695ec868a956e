// Readies every filter of the settings in a piscina pool, off the event loops that serve traffic; workers get compiled modules.
import type { FilterLimits, FilterSettings } from '../config/settings.ts';
import type { CompileTask, CompiledTask } from '../wasm/compile-task.ts';
import { ErrorCodes, WeftError } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import { entryUrl } from '../runtime/assets.ts';

export interface LoadedFilter {
  settings: FilterSettings;
  module: WebAssembly.Module;
  sha256: string;
  /** The rollout's second version, compiled and smoke-started like the first. */
  canary?: { module: WebAssembly.Module; sha256: string; version: string; percent: number };
}

const TASK_URL = entryUrl(new URL('../wasm/compile-task.ts', import.meta.url), 'compile-task').href;

/**
 * Compiles, instruments and smoke-starts each filter; throws a WeftError naming the first that fails. The pool
 * lives for one call: its threads hold binaryen and a V8 isolate each (tens of MiB), which a proxy would otherwise
 * carry between swaps; a swap is rare enough that starting a thread for it costs nothing that matters.
 */
export async function loadFilters(filters: FilterSettings[], limits: FilterLimits): Promise<LoadedFilter[]> {
  if (filters.length === 0) return [];
  // piscina loads with the first filter: a proxy without filters never has a compile pool, nor its code.
  const { Piscina } = await import('piscina');
  const pool = new Piscina({ filename: TASK_URL, maxThreads: 1, minThreads: 0, idleTimeout: 1_000 });
  const ready = async (f: FilterSettings, path: string): Promise<{ module: WebAssembly.Module; sha256: string }> => {
    const task: CompileTask = {
      name: f.name, path, rootId: f.rootId, vmId: f.vmId, config: f.config, fail: f.fail,
      fuel: limits.fuel, memoryPages: limits.memoryPages,
    };
    const out = (await pool.run(task)) as CompiledTask;
    if (out.ok) return { module: out.module, sha256: out.sha256 };
    const code = (Object.values(ErrorCodes) as string[]).includes(out.code) ? out.code as ErrorCode : ErrorCodes.WASM_START_FAILED;
    throw new WeftError(code, `filter ${f.name} (${path}): ${out.message.replace(/^filter [^:]+: /, '')}`);
  };
  try {
    return await Promise.all(filters.map(async (f) => {
      const [base, canary] = await Promise.all([ready(f, f.module), f.canary ? ready(f, f.canary.module) : undefined]);
      const loaded: LoadedFilter = { settings: f, ...base };
      if (canary && f.canary) loaded.canary = { ...canary, version: f.canary.version, percent: f.canary.percent };
      return loaded;
    }));
  } finally {
    await pool.destroy();
  }
}

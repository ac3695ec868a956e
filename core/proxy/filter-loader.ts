// Readies every filter of the settings in a piscina pool, off the event loops that serve traffic; workers get compiled modules.
import { Piscina } from 'piscina';
import type { FilterLimits, FilterSettings } from '../config/settings.ts';
import type { CompileTask, CompiledTask } from '../wasm/compile-task.ts';
import { ErrorCodes, WeftError } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';

export interface LoadedFilter {
  settings: FilterSettings;
  module: WebAssembly.Module;
  sha256: string;
}

const TASK_URL = new URL('../wasm/compile-task.ts', import.meta.url).href;

export class FilterLoader {
  private pool: Piscina | undefined;

  /** Compiles, instruments and smoke-starts each filter; throws a WeftError naming the first that fails. */
  async load(filters: FilterSettings[], limits: FilterLimits): Promise<LoadedFilter[]> {
    if (filters.length === 0) return [];
    this.pool ??= new Piscina({ filename: TASK_URL, maxThreads: 2, idleTimeout: 5_000 });
    const pool = this.pool;
    return Promise.all(filters.map(async (f) => {
      const task: CompileTask = {
        name: f.name, path: f.module, rootId: f.rootId, vmId: f.vmId, config: f.config, fail: f.fail,
        fuel: limits.fuel, memoryPages: limits.memoryPages,
      };
      const out = (await pool.run(task)) as CompiledTask;
      if (out.ok) return { settings: f, module: out.module, sha256: out.sha256 };
      const code = (Object.values(ErrorCodes) as string[]).includes(out.code) ? out.code as ErrorCode : ErrorCodes.WASM_START_FAILED;
      throw new WeftError(code, `filter ${f.name} (${f.module}): ${out.message.replace(/^filter [^:]+: /, '')}`);
    }));
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
    this.pool = undefined;
  }
}

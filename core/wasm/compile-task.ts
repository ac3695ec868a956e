// The piscina task that readies a filter off the worker threads: compile, instrument, and start it once in a sandbox.
import { compileFilter } from './compile.ts';
import { FilterChain } from '../chain/chain.ts';
import type { FailPolicy } from '../chain/filter.ts';
import { readModuleFile } from '../runtime/assets.ts';

export interface CompileTask {
  name: string;
  /** A file to read, or the bytes themselves. */
  path?: string;
  bytes?: Uint8Array;
  rootId: string;
  vmId: string;
  config: string;
  fail: FailPolicy;
  fuel: number;
  memoryPages: number;
}

export type CompiledTask =
  | { ok: true; module: WebAssembly.Module; sha256: string; abiVersion: string }
  | { ok: false; code: string; message: string };

/**
 * A start-up failure (bad config, a trap in on_configure) surfaces here, before any worker sees the version.
 * Failures come back as values: an error thrown across piscina's thread boundary loses its code.
 */
export default async function compileTask(task: CompileTask): Promise<CompiledTask> {
  // What the filter itself said while starting (warn and above): usually the reason it refused its config.
  const said: string[] = [];
  try {
    return await ready(task, said);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const message = e.message ?? String(err);
    return { ok: false, code: e.code ?? '', message: said.length ? `${message} (the filter logged: ${said.join('; ')})` : message };
  }
}

async function ready(task: CompileTask, said: string[]): Promise<CompiledTask> {
  const bytes = task.bytes ?? await readModuleFile(task.path!);
  const compiled = await compileFilter(bytes, { maxMemoryPages: task.memoryPages });
  const chain = FilterChain.create([{
    name: task.name, module: compiled.module, rootId: task.rootId, vmId: task.vmId, config: task.config,
    failPolicy: task.fail, fuelPerCallback: task.fuel,
  }], { log: (level, _filter, message) => { if (level >= 3) said.push(message); } });
  chain.close();
  return { ok: true, module: compiled.module, sha256: compiled.sha256, abiVersion: compiled.abiVersion };
}

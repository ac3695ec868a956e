// The piscina task that readies a filter off the worker threads: compile, instrument, and start it once in a sandbox.
import { readFile } from 'node:fs/promises';
import { compileFilter } from './compile.ts';
import { FilterChain } from '../chain/chain.ts';
import type { FailPolicy } from '../chain/filter.ts';

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
  try {
    return await ready(task);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { ok: false, code: e.code ?? '', message: e.message ?? String(err) };
  }
}

async function ready(task: CompileTask): Promise<CompiledTask> {
  const bytes = task.bytes ?? new Uint8Array(await readFile(task.path!));
  const compiled = await compileFilter(bytes, { maxMemoryPages: task.memoryPages });
  const chain = FilterChain.create([{
    name: task.name, module: compiled.module, rootId: task.rootId, vmId: task.vmId, config: task.config,
    failPolicy: task.fail, fuelPerCallback: task.fuel,
  }]);
  chain.close();
  return { ok: true, module: compiled.module, sha256: compiled.sha256, abiVersion: compiled.abiVersion };
}

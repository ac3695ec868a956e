// The filter compile process: a short-lived child of the proxy that validates, instruments and smoke-starts filters, then exits, so binaryen and its memory never stay in the proxy.
import { compileFilter } from './compile.ts';
import { FilterChain } from '../chain/chain.ts';
import type { FailPolicy } from '../chain/filter.ts';
import { readModuleFile } from '../runtime/assets.ts';

export interface CompileTask {
  /** Pairs the answer with its task: one process readies a whole chain, its filters concurrently. */
  id: number;
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

/** `bytes` is the instrumented module: a WebAssembly.Module cannot cross processes, so the proxy compiles it again. */
export type CompiledTask =
  | { id: number; ok: true; bytes: Uint8Array; sha256: string; abiVersion: string }
  | { id: number; ok: false; code: string; message: string };

/**
 * A start-up failure (bad config, a trap in on_configure) surfaces here, before any worker sees the version.
 * Failures come back as values: an error does not cross the process boundary with its code.
 */
export async function compileTask(task: CompileTask): Promise<CompiledTask> {
  // What the filter itself said while starting (warn and above): usually the reason it refused its config.
  const said: string[] = [];
  try {
    return await ready(task, said);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const message = e.message ?? String(err);
    return { id: task.id, ok: false, code: e.code ?? '', message: said.length ? `${message} (the filter logged: ${said.join('; ')})` : message };
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
  return { id: task.id, ok: true, bytes: compiled.bytes, sha256: compiled.sha256, abiVersion: compiled.abiVersion };
}

// Started by core/proxy/filter-loader.ts with an IPC channel, which keeps this process alive until the proxy ends
// it (SIGTERM, 5 s after its last task).
if (process.send) {
  process.on('message', (task: CompileTask) => {
    void compileTask(task).then((out) => process.send!(out));
  });
}

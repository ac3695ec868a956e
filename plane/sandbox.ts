// The check a filter version passes before the plane accepts it: compile and instrument, then start it as each chain entry would.
import { FilterChain } from '../core/chain/chain.ts';
import { configText } from '../core/config/filters.ts';
import { ErrorCodes, WeftError } from '../core/errors.ts';
import { compileFilter } from '../core/wasm/compile.ts';
import type { MeshFilter } from './model.ts';
import { parseFilterRef } from './model.ts';

/** One way the module will be started: a chain entry's root, vm id and config. */
export interface StartCase {
  /** Where the case comes from, for the rejection message: "filters[2]" or "no chain entry". */
  label: string;
  entry: MeshFilter;
}

/**
 * Compiles the module once, then runs on_vm_start and on_configure for every case (or once with no config
 * when there is none) in a fresh VM each; fuel-metered, so a spinning filter traps. Throws FILTER_REJECTED naming the step.
 */
export async function sandboxCheck(name: string, bytes: Uint8Array, cases: StartCase[]): Promise<void> {
  let module: WebAssembly.Module;
  try {
    module = (await compileFilter(bytes)).module;
  } catch (err) {
    throw new WeftError(ErrorCodes.FILTER_REJECTED, `${name}: rejected at compile: ${(err as Error).message}`);
  }
  const all = cases.length ? cases : [{ label: 'no chain entry, no config', entry: { name } }];
  for (const c of all) {
    const filterName = parseFilterRef(c.entry.name).name;
    try {
      const chain = FilterChain.create([{
        name: filterName, module, rootId: c.entry.root, vmId: c.entry.vmId, config: configText(c.entry.config), failPolicy: 'closed',
      }], { log: () => undefined });
      chain.close();
    } catch (err) {
      throw new WeftError(ErrorCodes.FILTER_REJECTED, `${name}: rejected at start-up (${c.label}): ${(err as Error).message}`);
    }
  }
}

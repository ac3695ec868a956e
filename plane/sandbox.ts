// The check a filter version passes before the plane accepts it: compile and instrument, then start it as each chain entry would.
import { FilterChain } from '../core/chain/chain.ts';
import { configText } from '../core/config/filters.ts';
import { ErrorCodes, WeftError } from '../core/errors.ts';
import { compileFilter } from '../core/wasm/compile.ts';
import { WasmTrap } from '../core/wasm/trap.ts';
import { WasmVm } from '../core/wasm/vm.ts';
import { readFilterMetadata, validateFilterConfig } from '../sdk/tools/inspect.ts';
import type { MeshFilter } from './model.ts';
import { parseFilterRef } from './model.ts';

/** One way the module will be started: a chain entry's root, vm id and config. */
export interface StartCase {
  /** Where the case comes from, for the rejection message: "filters[2]" or "no chain entry". */
  label: string;
  entry: MeshFilter;
}

/**
 * Compiles the module once, starts it with no config, checks each case's config against the schema an
 * SDK-built module declares, then runs on_vm_start and on_configure for every case in a fresh chain each;
 * all fuel-metered, so a spinning filter traps. Throws FILTER_REJECTED naming the step.
 */
export async function sandboxCheck(name: string, bytes: Uint8Array, cases: StartCase[]): Promise<void> {
  let module: WebAssembly.Module;
  try {
    module = (await compileFilter(bytes)).module;
  } catch (err) {
    throw new WeftError(ErrorCodes.FILTER_REJECTED, `${name}: rejected at compile: ${(err as Error).message}`);
  }
  startUnconfigured(name, module);
  await checkConfigSchemas(name, bytes, cases);
  startAll(name, module, cases);
}

/**
 * Instantiates the module and runs its initialisers, on_vm_start and on_configure with no config, under fuel.
 * A trap anywhere or a false on_vm_start refuses it; a false on_configure does not, since many filters need a
 * config and chain entries (checked at apply) give them one. It also proves the initialisers end before the
 * metadata read runs them unmetered.
 */
function startUnconfigured(name: string, module: WebAssembly.Module): void {
  const vm = new WasmVm(module, { vmId: name, name, services: { log: () => undefined } });
  try {
    vm.start();
    const { ok, failedIn } = vm.createRoot({ name, rootId: name, config: '' });
    if (!ok && failedIn !== 'proxy_on_configure') throw new Error(`${failedIn} returned false`);
  } catch (err) {
    const why = err instanceof WasmTrap ? `trapped in ${err.describe()}` : (err as Error).message;
    throw new WeftError(ErrorCodes.FILTER_REJECTED, `${name}: rejected at start-up (no config): ${why}`);
  } finally {
    vm.close();
  }
}

function startAll(name: string, module: WebAssembly.Module, all: StartCase[]): void {
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

/**
 * SDK-built modules carry the JSON Schema of their config: a config that does not fit is refused with its path.
 * Runs after the metered instantiation, since reading the metadata runs the module's _initialize unmetered.
 */
async function checkConfigSchemas(name: string, bytes: Uint8Array, cases: StartCase[]): Promise<void> {
  const configured = cases.filter((c) => c.entry.config !== undefined);
  if (!configured.length) return;
  const metadata = await readFilterMetadata(bytes);
  if (!metadata) return;
  for (const c of configured) {
    const problems = validateFilterConfig(metadata, configText(c.entry.config));
    if (problems.length) {
      throw new WeftError(ErrorCodes.FILTER_REJECTED, `${name}: the config of ${c.label} does not fit the filter's schema: ${problems.join('; ')}`);
    }
  }
}

// Loads a filter with a configuration that should be refused and returns what it logged, for the tests of config validation.
import { FilterChain } from '../core/chain/chain.ts';
import { compileFilter } from '../core/wasm/compile.ts';

/**
 * Configures `bytes` with `config` in the real chain and returns the error lines it logged; throws
 * when the configuration was accepted, since the callers expect a refusal.
 */
export async function configRejection(bytes: Uint8Array, config: object): Promise<string[]> {
  const { module } = await compileFilter(bytes);
  const errors: string[] = [];
  let chain: FilterChain;
  try {
    chain = FilterChain.create([{ name: 'under-test', module, config: JSON.stringify(config) }], {
      log: (level, _filter, message) => { if (level >= 4) errors.push(message); },
    });
  } catch (err) {
    errors.push((err as Error).message);
    return errors;
  }
  chain.close();
  throw new Error(`the configuration was accepted: ${JSON.stringify(config)}`);
}

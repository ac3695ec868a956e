// Reads the metadata an SDK-built module exports (name, version, config schema) and validates configs against it.
import { instantiate } from '@assemblyscript/loader';
import { Ajv } from 'ajv';
import { describeSchemaErrors } from '../../core/config/schema-errors.ts';

/** The export `describeFilter` fills; modules from other SDKs lack it. */
export const metadataExport = 'weftFilterMetadata';

export interface FilterMetadata {
  name: string;
  version: string;
  /** JSON Schema of the filter's configuration. */
  configSchema: Record<string, unknown>;
  /** The SDK release that built the module. */
  sdk: string;
  abi: string;
}

/** Status UNIMPLEMENTED: what every host function answers while the module runs outside a proxy. */
const unimplemented = 12;

/** Stand-ins for every function the module imports; start-up code may log or read a clock, nothing more. */
function inertImports(module: WebAssembly.Module): Record<string, Record<string, WebAssembly.ImportValue>> {
  const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {};
  for (const { module: from, name, kind } of WebAssembly.Module.imports(module)) {
    if (kind !== 'function') throw new Error(`cannot inspect a module that imports a ${kind} (${from}.${name})`);
    (imports[from] ??= {})[name] = () => unimplemented;
  }
  return imports;
}

function isMetadata(value: unknown): value is FilterMetadata {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  return typeof m.name === 'string' && typeof m.version === 'string' &&
    typeof m.configSchema === 'object' && m.configSchema !== null && !Array.isArray(m.configSchema);
}

/**
 * The metadata of a filter module, or null when it has none (another SDK, or a filter that never
 * called `describeFilter`). Runs only the module's start-up code, with inert host functions.
 */
export async function readFilterMetadata(bytes: Uint8Array): Promise<FilterMetadata | null> {
  const module = await WebAssembly.compile(bytes);
  if (!WebAssembly.Module.exports(module).some((e) => e.name === metadataExport)) return null;
  const { exports } = await instantiate<Record<string, unknown>>(module, inertImports(module));
  if (typeof exports._initialize === 'function') exports._initialize();
  const text = exports.__getString((exports[metadataExport] as () => number)());
  if (text === '') return null;
  const parsed: unknown = JSON.parse(text);
  if (!isMetadata(parsed)) throw new Error(`${metadataExport} returned malformed metadata: ${text.slice(0, 200)}`);
  return parsed;
}

/** Why a configuration does not fit a filter's schema: one sentence per problem, with its JSON pointer; empty when it fits. */
export function validateFilterConfig(metadata: FilterMetadata, config: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(config);
  } catch (err) {
    return [`configuration is not JSON: ${(err as Error).message}`];
  }
  // verbose: the describer reads each error's value and schema (its description, its known fields). No logger:
  // ajv's warnings about a filter's schema (an unknown format) would land in the middle of a command's output.
  const validate = new Ajv({ allErrors: true, strict: false, verbose: true, logger: false }).compile(metadata.configSchema);
  if (validate(value)) return [];
  return describeSchemaErrors(validate.errors ?? [], 'filter');
}

// The host's import table: every function a module may import, bound to one VM; and the check that names unknown imports.
import { assemblyScriptHost } from './host-assemblyscript.ts';
import { buffersHost } from './host-buffers.ts';
import { emscriptenHost } from './host-emscripten.ts';
import { foreignHost } from './host-foreign.ts';
import { grpcHost } from './host-grpc.ts';
import { httpCallHost } from './host-http-call.ts';
import { loggingHost } from './host-logging.ts';
import { mapsHost } from './host-maps.ts';
import { metricsHost } from './host-metrics.ts';
import { propertiesHost } from './host-properties.ts';
import { sharedHost } from './host-shared.ts';
import { streamHost } from './host-stream.ts';
import { wasiHost } from './wasi.ts';
import type { WasmVm } from './vm.ts';

type HostFn = (this: WasmVm, ...args: never[]) => unknown;

const ENV: Record<string, HostFn> = {
  ...mapsHost, ...buffersHost, ...streamHost, ...propertiesHost, ...metricsHost, ...sharedHost,
  ...loggingHost, ...httpCallHost, ...grpcHost, ...foreignHost, ...assemblyScriptHost, ...emscriptenHost,
};

/** cpp-host registers WASI under both names; AssemblyScript's proxy-runtime uses the older one. */
export const WASI_MODULES = ['wasi_snapshot_preview1', 'wasi_unstable'];

/** Every `module.name` the host provides. */
export const HOST_IMPORTS: ReadonlySet<string> = new Set([
  ...Object.keys(ENV).map((name) => `env.${name}`),
  ...WASI_MODULES.flatMap((m) => Object.keys(wasiHost).map((name) => `${m}.${name}`)),
]);

/** Imports the host cannot satisfy, as `module.name (kind)`. */
export function unknownImports(module: WebAssembly.Module): string[] {
  return WebAssembly.Module.imports(module)
    .filter((i) => i.kind !== 'function' || !HOST_IMPORTS.has(`${i.module}.${i.name}`))
    .map((i) => `${i.module}.${i.name} (${i.kind})`);
}

export function buildImports(vm: WasmVm): WebAssembly.Imports {
  const env: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(ENV)) env[name] = fn.bind(vm);
  const wasi: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(wasiHost)) wasi[name] = fn.bind(vm);
  const imports: WebAssembly.Imports = { env: env as WebAssembly.ModuleImports };
  for (const m of WASI_MODULES) imports[m] = wasi as WebAssembly.ModuleImports;
  return imports;
}

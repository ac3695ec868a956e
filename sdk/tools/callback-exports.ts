// An asc transform that keeps out of a filter's exports the proxy_on_* callbacks none of its contexts implements.
import path from 'node:path';
import type { ClassPrototype, Element, Program } from 'assemblyscript';
import type { Transform } from 'assemblyscript/asc';

/**
 * The SDK methods each optional callback lands in. A host calls only what a module exports and takes a
 * missing callback as "nothing to do" (the spec; Envoy's cpp-host and Weft), so a callback no context
 * overrides would be a call into the module per request for the SDK's default to answer Continue.
 * The rest (context create and delete, VM start, configure, the allocator, HTTP call responses) are always exported.
 */
const OPTIONAL_CALLBACKS: Record<string, readonly string[]> = {
  proxy_on_request_headers: ['onRequestHeaders'],
  proxy_on_request_body: ['onRequestBody'],
  proxy_on_request_trailers: ['onRequestTrailers'],
  proxy_on_response_headers: ['onResponseHeaders'],
  proxy_on_response_body: ['onResponseBody'],
  proxy_on_response_trailers: ['onResponseTrailers'],
  proxy_on_log: ['onLog'],
  proxy_on_tick: ['onTick'],
  proxy_on_queue_ready: ['onQueueReady'],
};

/** The hooks' module argument as binaryen.js gives it (asc passes its own binaryen's Module). */
interface BinaryenModule {
  /** 0 when there is no such export. */
  getExport(name: string): number;
  removeExport(name: string): void;
}

/** Told apart by shape: `instanceof` would load the compiler with this file, which `build.ts` loads only when it builds. */
function isPrototype(element: Element): element is ClassPrototype {
  return 'basePrototype' in element && 'instanceMembers' in element;
}

/** Every class prototype of the program, nested namespaces included. */
function* classPrototypes(elements: Iterable<Element>): Generator<ClassPrototype> {
  for (const element of elements) {
    if (isPrototype(element)) yield element;
    if (element.members !== null) yield* classPrototypes(element.members.values());
  }
}

/**
 * The names of the methods that classes deriving from `bases` (by internal name) declare themselves;
 * null when the program has none of the bases (the SDK came in by another path), so nothing is known.
 */
function overriddenMethods(program: Program, bases: ReadonlySet<string>): Set<string> | null {
  const declared = new Set<string>();
  let sawBase = false;
  for (const prototype of classPrototypes(program.filesByName.values())) {
    if (bases.has(prototype.internalName)) {
      sawBase = true;
      continue;
    }
    let base = prototype.basePrototype;
    while (base !== null && !bases.has(base.internalName)) base = base.basePrototype;
    if (base === null || prototype.instanceMembers === null) continue;
    for (const name of prototype.instanceMembers.keys()) declared.add(name);
  }
  return sawBase ? declared : null;
}

/**
 * The transform for one filter folder: after the program is read it notes which context methods the
 * filter's classes override; after compiling it removes the exports of the callbacks nobody overrides,
 * before optimization, so their code goes too. `sdkInternalPath` is the SDK's assembly folder as asc names it.
 */
export function callbackExportsTransform(sdkInternalPath: string): Transform {
  const bases = new Set(['context/Context', 'rootContext/RootContext', 'httpContext/HttpContext'].map((name) => path.posix.join(sdkInternalPath, name)));
  let overridden: Set<string> | null = null;
  const transform = {
    afterInitialize(program: Program): void {
      overridden = overriddenMethods(program, bases);
    },
    afterCompile(module: BinaryenModule): void {
      const known = overridden;
      if (known === null) return;
      for (const [callback, methods] of Object.entries(OPTIONAL_CALLBACKS)) {
        if (module.getExport(callback) !== 0 && !methods.some((method) => known.has(method))) module.removeExport(callback);
      }
    },
  };
  // asc calls the hooks an object has; the rest of Transform (program, binaryen, log…) it sets on transform classes only.
  return transform as unknown as Transform;
}

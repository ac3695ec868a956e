// The live contexts by id, and the factory that makes each plugin's root context.
import { Context } from "./context";
import { HttpContext } from "./httpContext";
import { RootContext } from "./rootContext";

/** Makes the root context of a plugin; given to `setRootContext`. */
export type RootContextFactory = (contextId: u32) => RootContext;

let rootFactory: RootContextFactory = (contextId: u32): RootContext => new RootContext(contextId);

/**
 * Tells the SDK how to make the filter's root context. Call it once at the top level of the
 * filter's entry file; without it the filter lets everything through.
 */
export function setRootContext(factory: RootContextFactory): void {
  rootFactory = factory;
}

const rootContexts = new Map<u32, RootContext>();
const httpContexts = new Map<u32, HttpContext>();
// The stream the host spoke of last: a stream's callbacks come one after another (headers, body,
// log, delete), so most lookups are answered here without the map.
let lastStream: HttpContext | null = null;

/** Creates the context the host announced: a root when there is no parent, else a stream of that root. */
export function createContext(contextId: u32, parentId: u32): void {
  if (parentId == 0) {
    const factory = rootFactory;
    rootContexts.set(contextId, factory(contextId));
  } else {
    const stream = getRootContext(parentId).createHttpContext(contextId);
    httpContexts.set(contextId, stream);
    lastStream = stream;
  }
}

function cachedStream(contextId: u32): HttpContext | null {
  const stream = lastStream;
  return stream !== null && stream.contextId == contextId ? stream : null;
}

/** The root context with this id; a host that names an unknown root broke the ABI, so this traps. */
export function getRootContext(contextId: u32): RootContext {
  if (!rootContexts.has(contextId)) throw new Error("unknown root context " + contextId.toString());
  return rootContexts.get(contextId);
}

/** The HTTP context with this id; a host that names an unknown stream broke the ABI, so this traps. */
export function getHttpContext(contextId: u32): HttpContext {
  const cached = cachedStream(contextId);
  if (cached !== null) return cached;
  if (!httpContexts.has(contextId)) throw new Error("unknown http context " + contextId.toString());
  const stream = httpContexts.get(contextId);
  lastStream = stream;
  return stream;
}

/** The context with this id of either kind, or null once it was deleted. */
export function findContext(contextId: u32): Context | null {
  const cached = cachedStream(contextId);
  if (cached !== null) return cached;
  if (httpContexts.has(contextId)) return httpContexts.get(contextId);
  if (rootContexts.has(contextId)) return rootContexts.get(contextId);
  return null;
}

/** Forgets a context; returns it so its `onDelete` can run, or null if it was unknown. */
export function removeContext(contextId: u32): Context | null {
  const context = findContext(contextId);
  if (cachedStream(contextId) !== null) lastStream = null;
  if (context instanceof HttpContext) httpContexts.delete(contextId);
  else rootContexts.delete(contextId);
  return context;
}

// The single executable's first code, run as CommonJS (Node 24's only form for it): serves the bundle's ES modules from the
// executable's assets through module hooks, then imports the thread's entry. Worker threads run this same file (eval'd,
// see release/worker-threads.ts), with WEFT_ENTRY declared before it.
'use strict';
const { registerHooks } = require('node:module');
const { getAsset } = require('node:sea');
const { pathToFileURL } = require('node:url');

// The bundle lives in a directory named after the executable file itself: nothing on disk can be there, so no real
// file is ever shadowed, and paths inside it still read well in messages.
const rootPath = `${process.execPath}/`;
const root = pathToFileURL(rootPath).href;

registerHooks({
  resolve(specifier, context, nextResolve) {
    let url = specifier;
    // piscina and thread-stream require() their entries by path; chunks import each other by relative URL.
    if (specifier.startsWith(rootPath)) url = pathToFileURL(specifier).href;
    else if (context.parentURL?.startsWith(root) && /^\.\.?\//.test(specifier)) url = new URL(specifier, context.parentURL).href;
    if (url.startsWith(root)) return { url, format: 'module', shortCircuit: true };
    return nextResolve(specifier, context);
  },
  load(url, context, nextLoad) {
    if (!url.startsWith(root)) return nextLoad(url, context);
    return { format: 'module', source: getAsset(decodeURIComponent(url.slice(root.length)), 'utf8'), shortCircuit: true };
  },
});

// A child the executable forked with one of its own modules as entry (the filter compile process, core/proxy/filter-loader.ts)
// has an IPC channel and that module's path after the executable's (a single executable's argv[1] is itself).
const forked = process.channel && process.argv[2]?.startsWith(rootPath) ? pathToFileURL(process.argv[2]).href : undefined;

// A rejection here is the entry's own failure: left unhandled, Node prints it and exits 1 (or fails the worker).
import(typeof WEFT_ENTRY === 'string' ? WEFT_ENTRY : forked ?? `${root}weft.js`);

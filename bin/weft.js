#!/usr/bin/env -S MALLOC_ARENA_MAX=1 MALLOC_TOP_PAD_=0 MALLOC_TRIM_THRESHOLD_=65536 node --max-semi-space-size=4 --heap-growing-percent=50 --no-maglev --no-allocation-site-pretenuring
// The package's `weft` bin: a checkout runs its TypeScript sources (Node 24 strips the types); the npm package, which ships no sources, runs the bundle (npm run build:bin).
// The first line's environment and Node flags are every weft process's (release/node-flags.ts gives them to the
// executable, the deploy units and the bench): V8 would grow a proxy's young generation to 64 MiB a semi-space under
// load, 4 MiB halves a sidecar's RSS at no CPU measured; one glibc malloc arena instead of one per thread keeps 7–16 MiB
// fewer freed pages resident after load, at no CPU measured; with pretenuring off, V8 keeps allocating per-request
// objects young after some survived a scavenge, so closed HTTP/2 streams no longer live on until a mark-compact (~5%
// of CPU per HTTP/2 request) (ARCHITECTURE.md, "Memory budget").
// node:fs from the module itself: importing it reads its lazy exports, which load fs/promises and readline in every weft process.
const { existsSync } = process.getBuiltinModule('node:fs');

const sources = new URL('../cli/weft.ts', import.meta.url);
await import(existsSync(sources) ? sources.href : new URL('../dist/lib/weft.js', import.meta.url).href);

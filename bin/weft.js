#!/usr/bin/env node
// The package's `weft` bin: a checkout runs its TypeScript sources (Node 24 strips the types); the npm package, which ships no sources, runs the bundle (npm run build:bin).
import { existsSync } from 'node:fs';

const sources = new URL('../cli/weft.ts', import.meta.url);
await import(existsSync(sources) ? sources.href : new URL('../dist/lib/weft.js', import.meta.url).href);

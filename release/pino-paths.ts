// Injected first into every bundle entry (release/build.ts): tells pino and thread-stream where their worker entries are, as they ask bundlers to, since their own files are not beside the bundle.
import { fileURLToPath } from 'node:url';

// Paths, not file: URLs: Node 22's Worker takes no URL strings.
const entry = (name: string) => fileURLToPath(new URL(`./${name}.js`, import.meta.url));

(globalThis as { __bundlerPathsOverrides?: Record<string, string> }).__bundlerPathsOverrides = {
  'thread-stream-worker': entry('thread-stream-worker'),
  'pino-worker': entry('pino-worker'),
  'pino/file': entry('pino-file'),
};

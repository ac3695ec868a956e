// Injected first into every bundle entry (release/build.ts): tells pino and thread-stream where their worker entries are, as they ask bundlers to, since their own files are not beside the bundle.
const here = new URL('./', import.meta.url);
const entry = (name: string) => new URL(`${name}.js`, here).href;

(globalThis as { __bundlerPathsOverrides?: Record<string, string> }).__bundlerPathsOverrides = {
  'thread-stream-worker': entry('thread-stream-worker'),
  'pino-worker': entry('pino-worker'),
  'pino/file': entry('pino-file'),
};

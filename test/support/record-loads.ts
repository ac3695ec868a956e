// A `--import` preload that writes what each thread loads on stderr: every file, `weft-loaded <threadId> <url>`, and every 50 ms the builtins loaded since, `weft-builtins <threadId> <name,…>` (empty: nothing new). Worker threads inherit it (execArgv), so each thread reports its own.
import { registerHooks } from 'node:module';
import { threadId } from 'node:worker_threads';

registerHooks({
  load(url, context, next) {
    if (url.startsWith('file:')) process.stderr.write(`weft-loaded ${threadId} ${url}\n`);
    return next(url, context);
  },
});

// Builtins are read from process.moduleLoadList: no hook sees what Node loads for itself (node:http's WebSocket getter
// loads its own undici, which loads node:http2). A line is written even with nothing new, so that a reader that saw
// one written after some moment knows that every load before it has been reported.
// (An undocumented list, untyped: `NativeModule http2`, `Internal Binding http2`…)
const { moduleLoadList } = process as NodeJS.Process & { moduleLoadList: string[] };
let reported = 0;
setInterval(() => {
  const list = moduleLoadList;
  const loaded = list.slice(reported).filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
  reported = list.length;
  process.stderr.write(`weft-builtins ${threadId} ${loaded.join(',')}\n`);
}, 50).unref();

// A `--import` preload that writes every file a thread loads, one line each on stderr: `weft-loaded <threadId> <url>`. Worker threads inherit it (execArgv), so each thread reports its own.
import { registerHooks } from 'node:module';
import { threadId } from 'node:worker_threads';

registerHooks({
  load(url, context, next) {
    if (url.startsWith('file:')) process.stderr.write(`weft-loaded ${threadId} ${url}\n`);
    return next(url, context);
  },
});

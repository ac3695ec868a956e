// node:worker_threads as the bundle sees it (release/build.ts aliases it): a Worker whose entry is embedded in the single executable starts from its loader.
import { Worker as NodeWorker } from 'node:worker_threads';
import type { WorkerOptions } from 'node:worker_threads';
import { getAsset } from 'node:sea';
import { pathToFileURL } from 'node:url';
import { isEmbeddedModule } from '../core/runtime/assets.ts';

export * from 'node:worker_threads';

/**
 * Node's Worker, except that an entry inside the executable (the proxy's workers, piscina's, pino's transport
 * thread) has no file to load: the thread instead evaluates the executable's start code, which installs the
 * loader hooks in that thread and imports the entry from the embedded assets.
 */
export class Worker extends NodeWorker {
  constructor(filename: string | URL, options: WorkerOptions = {}) {
    const url = options.eval ? undefined : typeof filename === 'string' && !filename.startsWith('file:') ? pathToFileURL(filename) : new URL(filename);
    if (url && isEmbeddedModule(url)) {
      super(`const WEFT_ENTRY = ${JSON.stringify(url.href)};\n${getAsset('sea-main.cjs', 'utf8')}`, { ...options, eval: true });
    } else {
      super(filename, options);
    }
  }
}

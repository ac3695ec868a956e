// A worker slot served by the main thread itself (--workers 1: one V8 isolate), behind the face of a worker thread the supervisor already talks to.
import { EventEmitter } from 'node:events';
import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { FromWorker, ToWorker, WorkerData } from './messages.ts';
import type { Logger } from '../observe/log.ts';
import { serve } from './serve.ts';

/**
 * What the supervisor holds of a worker, whichever thread serves it: node's Worker, or an InProcessWorker. It
 * emits `message` (FromWorker) and `exit` (the exit code) as a Worker does.
 */
export interface WorkerHandle extends EventEmitter {
  postMessage(message: ToWorker): void;
  terminate(): Promise<number>;
}

/**
 * Runs core/proxy/serve.ts on this thread. The messages cross a MessageChannel both of whose ends live here, so
 * they are cloned and delivered a turn later exactly as a worker's are, and the serving code cannot tell: one
 * copy of it, whichever thread runs it. There is no thread to kill: `terminate` comes after the drain (or after
 * its start failed) and closes the channel, the last thing the serving code keeps open.
 */
export class InProcessWorker extends EventEmitter implements WorkerHandle {
  readonly #ours: MessagePort;
  readonly #theirs: MessagePort;
  #exited = false;

  constructor(data: WorkerData, log: Logger) {
    super();
    const { port1, port2 } = new MessageChannel();
    this.#ours = port1;
    this.#theirs = port2;
    let failed = false;
    port1.on('message', (m: FromWorker) => {
      this.emit('message', m);
      // Like a worker thread whose start failed, the slot ends once its reason is delivered.
      if (failed && m.type === 'start-error') void this.terminate(1);
    });
    try {
      serve(data, port2, log.child({ worker: data.index }));
    } catch {
      // serve() posted the reason as `start-error` before it threw.
      failed = true;
    }
  }

  postMessage(message: ToWorker): void {
    this.#ours.postMessage(message);
  }

  terminate(code = 0): Promise<number> {
    if (!this.#exited) {
      this.#exited = true;
      this.#theirs.close();
      this.#ours.close();
      this.emit('exit', code);
    }
    return Promise.resolve(code);
  }
}

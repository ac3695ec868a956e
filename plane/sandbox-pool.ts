// Runs sandbox checks off the plane's event loop, so watch fan-out never waits on a compile or a spinning filter.
import { Piscina } from 'piscina';
import { ErrorCodes, WeftError } from '../core/errors.ts';
import { entryUrl } from '../core/runtime/assets.ts';
import type { StartCase } from './sandbox.ts';
import type { SandboxResult, SandboxTask } from './sandbox-task.ts';

const TASK_URL = entryUrl(new URL('./sandbox-task.ts', import.meta.url), 'sandbox-task').href;

export class SandboxPool {
  #pool: Piscina | undefined;

  /** Throws FILTER_REJECTED with the reason when the module fails to compile or start in any case. */
  async check(name: string, bytes: Uint8Array, cases: StartCase[]): Promise<void> {
    const task: SandboxTask = { name, bytes, cases };
    const out = await this.#threads().run(task) as SandboxResult;
    if (!out.ok) throw new WeftError(ErrorCodes.FILTER_REJECTED, out.message);
  }

  /** Starts the thread ahead of the first push: loading binaryen into a fresh thread takes ~0.5 s, too much for a push to wait. */
  warm(): void {
    this.#threads();
  }

  /**
   * One thread, kept: pushes are rare but should be quick, and binaryen's ~80 MB is paid once. A thread that
   * exits when idle saved that memory only between pushes and made every first push after a pause slow.
   */
  #threads(): Piscina {
    // A small young generation: checks are rare and short, and the default one costs ~20 MB of RSS for nothing.
    this.#pool ??= new Piscina({ filename: TASK_URL, minThreads: 1, maxThreads: 1, idleTimeout: Infinity, resourceLimits: { maxYoungGenerationSizeMb: 2 } });
    return this.#pool;
  }

  async close(): Promise<void> {
    await this.#pool?.destroy();
    this.#pool = undefined;
  }
}

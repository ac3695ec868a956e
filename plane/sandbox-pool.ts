// Runs sandbox checks off the plane's event loop, so watch fan-out never waits on a compile, and frees their memory when idle.
import { Piscina } from 'piscina';
import { ErrorCodes, WeftError } from '../core/errors.ts';
import type { StartCase } from './sandbox.ts';
import type { SandboxResult, SandboxTask } from './sandbox-task.ts';

const TASK_URL = new URL('./sandbox-task.ts', import.meta.url).href;

export class SandboxPool {
  #pool: Piscina | undefined;

  /** Throws FILTER_REJECTED with the reason when the module fails to compile or start in any case. */
  async check(name: string, bytes: Uint8Array, cases: StartCase[]): Promise<void> {
    // One thread: pushes are rare, and binaryen's memory (~90 MB) is paid once, only while checks run.
    this.#pool ??= new Piscina({ filename: TASK_URL, minThreads: 0, maxThreads: 1, idleTimeout: 2_000 });
    const task: SandboxTask = { name, bytes, cases };
    const out = await this.#pool.run(task) as SandboxResult;
    if (!out.ok) throw new WeftError(ErrorCodes.FILTER_REJECTED, out.message);
  }

  async close(): Promise<void> {
    await this.#pool?.destroy();
    this.#pool = undefined;
  }
}

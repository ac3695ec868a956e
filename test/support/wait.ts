// Waiting in tests for something to become true: polled, never timed, and failing within a bound that names what did not happen.
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * How long a test waits for something that should happen: not a measure of speed (no test asserts one) but
 * the point where waiting longer would only hide a failure, wide enough for a machine twice as slow as ours
 * running two suites at once.
 */
export const WAIT_MS = 30_000;

/**
 * Polls `check` every 20 ms until it returns a value other than undefined or false, and resolves with it; after
 * `ms`, fails naming `what` (a function is read then, so it can show a log as it was at the failure).
 */
export async function waitFor<T>(what: string | (() => string), check: () => T | undefined | false | Promise<T | undefined | false>, ms = WAIT_MS): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(20);
  }
}

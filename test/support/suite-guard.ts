// The test run's global setup and teardown (node --test-global-setup): marks every process the run starts, bounds the run, and fails it when any outlives it.
import { readdirSync, readFileSync } from 'node:fs';
import { parseDuration } from '../../core/config/duration.ts';

/** How long the whole run may take (WEFT_TEST_RUN_TIMEOUT, a duration); each file is bounded too (file-guard.ts). */
const RUN_TIMEOUT_MS = parseDuration(process.env.WEFT_TEST_RUN_TIMEOUT ?? '') ?? 90 * 60_000;
/** A process killed a moment ago may still be on its way out when the run ends. */
const EXIT_GRACE_MS = 3000;

// Inherited by every test file process and everything they start (weft proxies, planes, the demo's own
// children in their process group, etcd, curl...): how this run tells its processes from another run's.
// Not WEFT_*: the demo and the bench drop those from their children's environment (they are env twins of flags).
const MARK = 'TEST_RUN_MARK';
const run = `${process.pid}-${Date.now()}`;
let bound: NodeJS.Timeout | undefined;

/** Live processes (other than this runner) that carry this run's mark, with their command lines. Linux: /proc. */
function markedProcesses(): { pid: number; command: string }[] {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid);
  } catch {
    return [];
  }
  const needle = `${MARK}=${run}\0`;
  const found: { pid: number; command: string }[] = [];
  for (const pid of pids) {
    try {
      // A zombie or another user's process reads as empty or throws: neither is one of ours still running.
      if (!readFileSync(`/proc/${pid}/environ`, 'latin1').includes(needle)) continue;
      found.push({ pid: Number(pid), command: readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ').trim().slice(0, 200) });
    } catch {
      // Gone between the listing and the read.
    }
  }
  return found;
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

export function globalSetup(): void {
  process.env[MARK] = run;
  bound = setTimeout(() => {
    const left = markedProcesses();
    process.stderr.write(`test run: still running after ${RUN_TIMEOUT_MS / 1000} s (WEFT_TEST_RUN_TIMEOUT): killing its ${left.length} process(es)\n`);
    // The test files die with the rest: the runner reports each as failed and ends.
    for (const p of left) kill(p.pid);
    process.exitCode = 1;
  }, RUN_TIMEOUT_MS).unref();
}

/** Blocks for `ms`: the runner does not wait for an asynchronous teardown (it may run from its exit path). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function globalTeardown(): void {
  clearTimeout(bound);
  let left = markedProcesses();
  for (const until = Date.now() + EXIT_GRACE_MS; left.length && Date.now() < until; left = markedProcesses()) pause(100);
  if (!left.length) return;
  for (const p of left) kill(p.pid);
  process.stderr.write(`test run: ${left.length} process(es) outlived the test files, killed:\n${left.map((p) => `  pid ${p.pid}: ${p.command}`).join('\n')}\n`);
  process.exitCode = 1;
}

// Loaded into every test file's process (npm's test:unit --import, and each support module): bounds the file's run time and kills, naming them, the children it leaves running.
import type { ChildProcess } from 'node:child_process';
import { subscribe } from 'node:diagnostics_channel';
import { relative } from 'node:path';
import { parseDuration } from '../../core/config/duration.ts';

/** How long one test file may run (WEFT_TEST_FILE_TIMEOUT, a duration): room for the slowest file on a machine twice as slow as ours. */
const FILE_TIMEOUT_MS = parseDuration(process.env.WEFT_TEST_FILE_TIMEOUT ?? '') ?? 15 * 60_000;
/** After the bound, how long the file's tests get to report the failures its killed children cause before the process exits. */
const REPORT_GRACE_MS = 5000;

const GUARD = Symbol.for('weft.test.file-guard');
const state = globalThis as { [GUARD]?: true };

const running = new Set<ChildProcess>();
const fileName = relative(process.cwd(), process.argv[1] ?? 'the test file');

function describe(child: ChildProcess): string {
  return `pid ${child.pid} (${child.spawnargs.join(' ').slice(0, 200)})`;
}

function killRunning(): ChildProcess[] {
  const left = [...running].filter((c) => c.exitCode === null && c.signalCode === null && c.pid !== undefined);
  for (const child of left) child.kill('SIGKILL');
  return left;
}

// Imported from several support modules and preloaded too: one guard per process.
if (!state[GUARD]) {
  state[GUARD] = true;
  // Node publishes every ChildProcess it creates here, whoever spawns it (a helper, a test, a library).
  subscribe('child_process', (message) => {
    const child = (message as { process: ChildProcess }).process;
    running.add(child);
    child.once('exit', () => running.delete(child));
  });

  // A file whose tests ended while children still run would hang on their pipes (the npm script's
  // --test-force-exit ends it instead): kill them here and fail the file, so a missing cleanup is seen.
  process.on('exit', () => {
    const left = killRunning();
    if (!left.length) return;
    process.stderr.write(`${fileName}: ${left.length} child process(es) still running when its tests ended, killed: ${left.map(describe).join('; ')}\n`);
    process.exitCode = 1;
  });

  setTimeout(() => {
    const left = killRunning();
    process.stderr.write(`${fileName}: still running after ${FILE_TIMEOUT_MS / 1000} s, the bound of a test file (WEFT_TEST_FILE_TIMEOUT); killed ${left.length} child process(es)${left.length ? `: ${left.map(describe).join('; ')}` : ''}\n`);
    process.exitCode = 1;
    // Their exits let the waiting tests fail with their own messages; whatever still waits then is cut.
    setTimeout(() => process.exit(1), REPORT_GRACE_MS).unref();
  }, FILE_TIMEOUT_MS).unref();
}

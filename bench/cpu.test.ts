// CPU accounting of a process tree, checked on a real parent whose child burns a known amount of CPU.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { processTree, treeCpuMicros } from './cpu.ts';

// The parent prints its child's pid, then both idle; on "burn" the child spins until it has used 400 ms of
// CPU (not wall time, so a busy neighbour cannot shorten it) and says "done".
const parentScript = `
const { spawn } = require('node:child_process');
const child = spawn(process.execPath, ['-e', \`
  process.stdin.on('data', () => {
    const end = process.cpuUsage().user + 400000;
    let x = 0;
    while (process.cpuUsage().user < end) for (let i = 0; i < 1e6; i++) x += i;
    console.log('done', x);
  });
\`], { stdio: ['pipe', 'pipe', 'inherit'] });
console.log(child.pid);
process.stdin.on('data', (d) => child.stdin.write(d));
child.stdout.pipe(process.stdout);
`;

test('the CPU a grandchild burns is charged to the root of its tree', async () => {
  const parent = spawn(process.execPath, ['-e', parentScript], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const [first] = (await once(parent.stdout, 'data')) as [Buffer];
    const childPid = Number(first.toString().trim());
    assert.deepEqual(processTree(parent.pid!).sort(), [parent.pid!, childPid].sort());
    // Let start-up settle so the idle baseline is idle.
    await sleep(200);
    const before = treeCpuMicros(parent.pid!);
    parent.stdin.write('burn\n');
    await once(parent.stdout, 'data');
    const used = treeCpuMicros(parent.pid!) - before;
    // 400 ms of user time, plus the system time of the spin and a clock tick of rounding either way.
    assert.ok(used >= 390_000 && used <= 600_000, `charged ${used} µs`);
  } finally {
    // Waited for, so the suite's guard finds nothing of this test still running.
    if (parent.exitCode === null && parent.signalCode === null) {
      const exited = once(parent, 'exit');
      parent.kill();
      await exited;
    }
  }
});

test('a process that does not exist has an empty tree and no CPU', () => {
  const missing = 2 ** 22 + 1; // above the kernel's pid_max ceiling
  assert.deepEqual(processTree(missing), []);
  assert.equal(treeCpuMicros(missing), 0);
});

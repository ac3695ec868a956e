// Resident memory of a process tree, checked on a real child that holds a known amount of anonymous memory.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { treeRssFileMiB, treeRssMiB } from './memory.ts';

// 64 MiB written page by page, so every page is resident and none of it is a file's.
const holder = 'const b = Buffer.alloc(64 << 20, 1); console.log("ready"); setInterval(() => b[0]++, 1000);';

test('RSS counts what a process holds, and the file-backed part is Node\'s binary, not its own memory', async () => {
  const child = spawn(process.execPath, ['-e', holder], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await once(child.stdout, 'data');
    const [rss, files] = [treeRssMiB(child.pid!, 'now'), treeRssFileMiB(child.pid!)];
    assert.ok(rss > 64, `RSS ${rss} MiB holds the 64 MiB buffer`);
    assert.ok(treeRssMiB(child.pid!, 'peak') >= rss);
    // Node's binary is tens of MiB and partly resident in any running node; the buffer is anonymous.
    assert.ok(files > 5 && files < rss - 64, `file-backed ${files} MiB of ${rss}`);
  } finally {
    child.kill();
    await once(child, 'exit');
  }
  assert.equal(treeRssMiB(child.pid!, 'now'), 0, 'a process that has exited holds nothing');
  assert.equal(treeRssFileMiB(child.pid!), 0);
});

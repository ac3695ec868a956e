// Guest memory views follow the module's memory as it grows; bytes decode as UTF-8 whatever their size.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GuestMemory, fromUtf8, utf8 } from './memory.ts';

test('views are rebuilt after the memory grows, and reads see bytes past the old end', () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const mem = new GuestMemory(memory);
  mem.writeUtf8(8, 'before', 6);
  assert.equal(mem.string(8, 6), 'before');
  assert.throws(() => mem.view(65536, 4), RangeError);
  assert.throws(() => mem.write(65534, Uint8Array.of(1, 2, 3)), RangeError);
  memory.grow(1);
  mem.write(65534, Uint8Array.of(1, 2, 3));
  assert.deepEqual([...mem.view(65534, 3)], [1, 2, 3]);
  mem.writeUtf8(65536, 'after', 5);
  mem.setU32(65544, 7);
  assert.equal(mem.string(65536, 5), 'after');
  assert.equal(mem.u32(65544), 7);
  assert.equal(mem.string(8, 6), 'before');
});

test('fromUtf8 reads ASCII, multi-byte and long text alike', () => {
  for (const text of ['', 'upstream', 'café → ünïcode', 'x'.repeat(200), `${'y'.repeat(100)}é`]) {
    assert.equal(fromUtf8(utf8(text)), text);
    assert.equal(fromUtf8(utf8(`..${text}`).slice(2)), text);
  }
});

// Guest memory views follow the module's memory as it grows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GuestMemory } from './memory.ts';

test('views are rebuilt after the memory grows, and reads see bytes past the old end', () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const mem = new GuestMemory(memory);
  mem.writeUtf8(8, 'before', 6);
  assert.equal(mem.string(8, 6), 'before');
  assert.throws(() => mem.view(65536, 4), RangeError);
  memory.grow(1);
  mem.writeUtf8(65536, 'after', 5);
  mem.setU32(65544, 7);
  assert.equal(mem.string(65536, 5), 'after');
  assert.equal(mem.u32(65544), 7);
  assert.equal(mem.string(8, 6), 'before');
});

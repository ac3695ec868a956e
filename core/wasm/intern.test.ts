// Interned names read from guest memory are the text of the bytes there now, whatever the table held before.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Interner } from './intern.ts';
import { GuestMemory, utf8 } from './memory.ts';

function guest(text: string): GuestMemory {
  const mem = new GuestMemory(new WebAssembly.Memory({ initial: 1 }));
  mem.write(16, utf8(text));
  return mem;
}

test('header names are lower-cased, and the same bytes give the same string again', () => {
  const names = new Interner(8, true);
  const mem = guest('X-Request-Id');
  const first = names.get(mem, 16, 12);
  assert.equal(first, 'x-request-id');
  assert.equal(names.get(guest('x-request-ID'), 16, 12), first);
  assert.equal(names.get(mem, 16, 9), 'x-request');
});

test('names sharing a slot each read as their own bytes; non-ASCII bytes are decoded', () => {
  const paths = new Interner(1, false);
  assert.equal(paths.get(guest('source\0address'), 16, 14), 'source\0address');
  assert.equal(paths.get(guest('weft\0route'), 16, 10), 'weft\0route');
  assert.equal(paths.get(guest('Source\0address'), 16, 14), 'Source\0address');
  assert.equal(paths.get(guest('café'), 16, 5), 'café');
  assert.equal(new Interner(4, true).get(guest('CAFÉ'), 16, 5), 'café');
  assert.equal(paths.get(guest(''), 16, 0), '');
});

// Keeps the error registry and its documentation in step: every code is documented, none is reused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ErrorCodes } from '../core/errors.ts';

test('every WEFT_ERR code in core/errors.ts is documented in docs/errors.md, and each code is unique', () => {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  const codes = Object.values(ErrorCodes);
  for (const code of codes) assert.ok(doc.includes(`\`${code}\``), `${code} is documented`);
  assert.equal(new Set(codes).size, codes.length, 'no two names share a code');
  for (const code of codes) assert.match(code, /^WEFT_ERR_[A-Z0-9_]+$/);
});

// The checked-in schema validators (ajv standalone code) are what release/generate-validators.ts makes from the current schemas, and judge documents exactly as ajv compiling those schemas does.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { generatedValidators, targets } from '../release/generate-validators.ts';
import { validateConfigSchema } from '../core/config/schema-validator.generated.js';
import { validatePolicySchema } from '../core/authz/policy-validator.generated.js';

const root = fileURLToPath(new URL('../', import.meta.url));

test('every generated validator file is what the generator makes from the schemas now (a schema edited without `npm run generate:validators` fails here)', () => {
  const files = generatedValidators();
  assert.deepEqual([...files.keys()].sort(), [
    'core/authz/policy-validator.generated.d.ts', 'core/authz/policy-validator.generated.js',
    'core/config/schema-validator.generated.d.ts', 'core/config/schema-validator.generated.js',
  ]);
  for (const [file, text] of files) {
    assert.ok(readFileSync(`${root}${file}`, 'utf8') === text, `${file} is stale: run npm run generate:validators`);
  }
});

/** Documents that between them break every keyword the two schemas use, and ones that fit. */
const configDocs: unknown[] = [
  {},
  { listen: '127.0.0.1:8080', workers: 2, clusters: [{ name: 'a', endpoints: ['http://127.0.0.1:3000'] }], routes: [{ cluster: 'a' }] },
  'not an object',
  {
    cluster: [], listen: 8080, admin: 'nowhere', workers: 0, logLevel: 'verbose', accessLog: '', drainTimeout: '5 seconds',
    limits: { maxHeaderSize: 10_000_000, unknown: 1 }, filterLimits: { memory: '1 GB' },
    tls: { cert: '' },
    clusters: [
      { name: 'payment', endpoints: [5, { url: 'ftp://x' }, { weight: 2000 }], lb: 'ring_hsh', healthCheck: {}, tls: { certFile: 'c.pem', sni: '-bad' } },
      { endpoints: [] },
    ],
    routes: [{ cluster: 5, match: { prefix: 'no-slash', headers: 'x' }, retries: { on: ['sometimes', 500] }, filters: { f: 3 } }],
    filters: [{ name: '', module: 7, fail: 'maybe', config: [1] }],
  },
];

const policyDocs: unknown[] = [
  { kind: 'AuthorizationPolicy', service: 'payments', rules: [{ name: 'r', from: { principals: ['spiffe://td/ns/a/sa/b'] } }] },
  [],
  {
    kind: 'AuthorisationPolicy', service: 'pay ments', mode: 'loud', default: 'maybe', extra: true,
    rules: [
      { name: 'a', actoin: 'allow', from: { principals: [], who: 1 }, to: { headers: { 'x tenant': 'a', 'x-ok': 5, 'x-list': [] }, paths: [''], methods: 'GET' } },
      { action: 'deny' },
      'rule',
    ],
  },
];

test('the generated validators give the same verdict and the same errors (schemas and data included) as ajv compiling the schemas', () => {
  const generated = new Map<string, { (data: unknown): boolean; errors?: unknown }>([
    ['validateConfigSchema', validateConfigSchema], ['validatePolicySchema', validatePolicySchema],
  ]);
  const docs = new Map([['validateConfigSchema', configDocs], ['validatePolicySchema', policyDocs]]);
  let refusals = 0;
  for (const t of targets) {
    const compiled = new Ajv(t.options).compile(t.schema);
    const validate = generated.get(t.exportName)!;
    for (const doc of docs.get(t.exportName)!) {
      const verdict = validate(doc);
      assert.equal(verdict, compiled(doc), `${t.exportName} ${JSON.stringify(doc)}`);
      assert.deepEqual(validate.errors ?? null, compiled.errors ?? null, `${t.exportName} ${JSON.stringify(doc)}`);
      if (!verdict) refusals++;
    }
  }
  assert.equal(refusals, 4, 'the corpus has four documents the schemas refuse');
});

// Every kind of schema error the config, policy and filter-config validators can produce reads as a sentence with its path, never as ajv's raw text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validatePolicy } from '../core/authz/policy.ts';
import { WeftError } from '../core/errors.ts';
import { validateFilterConfig } from '../sdk/tools/inspect.ts';
import { validateConfigDocument } from '../core/config/validate.ts';

/** The problems a validator reports, one per entry (the message joins them with "; " after the source). */
function refused(validate: () => unknown, source: string): string {
  try {
    validate();
  } catch (err) {
    assert.ok(err instanceof WeftError, String(err));
    assert.doesNotMatch(err.message, /\n/, 'one line');
    assert.ok(err.message.startsWith(`invalid ${source}: `), err.message);
    return err.message;
  }
  assert.fail('the document was accepted');
}

/** What ajv says by itself, which must never reach a user. */
const RAW_AJV = /must NOT|must have required property|must match pattern|must match "then"|must match "else"|must match a schema in anyOf|must be equal to one of|must be >=|must be <=|property name must be valid/;

test('config: every keyword its schema uses, and the cross-references, in one report', () => {
  const message = refused(() => validateConfigDocument({
    cluster: [],                                                   // additionalProperties at the root
    listen: 8080,                                                  // type, with the value given
    workers: 0,                                                    // minimum
    logLevel: 'verbose',                                           // enum
    accessLog: '',                                                 // minLength
    drainTimeout: '5 seconds',                                     // pattern, worded by its description
    limits: { maxHeaderSize: 10_000_000 },                         // maximum
    clusters: [{ name: 'payment', endpoints: [5], lb: 'ring_hsh', healthCheck: {} }], // if/then/else; enum typo; required
    routes: [{ cluster: 'paymnt' }],                               // cross-reference, alongside the schema's problems
  }, 'weft.yaml'), 'config weft.yaml');
  for (const sentence of [
    '(root): unknown field "cluster"; did you mean "clusters"?',
    'listen: must be a string (got 8080)',
    'workers: must be at least 1 (got 0)',
    'logLevel: must be one of fatal, error, warn, info, debug, trace, silent (got "verbose")',
    'accessLog: must not be empty',
    'drainTimeout: must be a duration such as 250ms, 5s, 2m (got "5 seconds")',
    'limits.maxHeaderSize: must be at most 1048576 (got 10000000)',
    'clusters[0].endpoints[0]: must be an origin such as http://127.0.0.1:3000, or { url, weight, zone } (got 5)',
    'clusters[0].lb: must be one of round_robin, least_request, random, peak_ewma, ring_hash (got "ring_hsh"); did you mean "ring_hash"?',
    'clusters[0].healthCheck.path: is required',
    'routes[0].cluster: unknown cluster "paymnt"; did you mean "payment"?',
  ]) assert.ok(message.includes(sentence), `${sentence}\n  in: ${message}`);
  assert.doesNotMatch(message, RAW_AJV);
});

test('policy: const, propertyNames, anyOf and minItems, with the rule checks in the same report', () => {
  const message = refused(() => validatePolicy({
    kind: 'AuthorisationPolicy',
    service: 'pay ments',
    rules: [
      { name: 'a', actoin: 'allow', from: { principals: [] }, to: { headers: { 'x tenant': 'a', 'x-ok': 5 }, paths: ['admin'] } },
    ],
  }, 'payments.yaml'), 'policy payments.yaml');
  for (const sentence of [
    'kind: must be AuthorizationPolicy (got "AuthorisationPolicy")',
    'service: must be a service name (letters, digits, ".", "-", "_") (got "pay ments")',
    'rules[0]: unknown field "actoin"; did you mean "action"?',
    'rules[0].from.principals: must not be empty (leave the field out to match anything)',
    'rules[0].to.headers.x tenant: is not a header name',
    'rules[0].to.headers.x-ok: must be a header value or a list of them (got 5)',
    'rules[0].to.paths[0]: "admin" must start with /',
  ]) assert.ok(message.includes(sentence), `${sentence}\n  in: ${message}`);
  assert.doesNotMatch(message, RAW_AJV);
});

test("a filter's own schema: every JSON Schema keyword, with JSON pointers and the pattern itself", () => {
  const metadata = {
    name: 'f', version: '1', sdk: '', abi: '',
    configSchema: {
      type: 'object', additionalProperties: false, required: ['name'],
      properties: {
        name: { type: 'string', pattern: '^[a-z]+$', description: 'what the header is for' },
        clusters: { type: 'array', uniqueItems: true, maxItems: 2, minItems: 2, contains: { const: 'main' } },
        weight: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, multipleOf: 0.25 },
        mode: { oneOf: [{ const: 'a' }, { const: 'b' }] },
        tags: { type: 'object', minProperties: 1, maxProperties: 1, propertyNames: { maxLength: 3 }, dependencies: { a: ['b'] } },
        code: { type: 'string', minLength: 2, maxLength: 3 },
        never: false,
        not: { not: { type: 'string' } },
      },
    },
  };
  const problems = validateFilterConfig(metadata, JSON.stringify({
    nmae: 'x', clusters: ['x', 'x', 'y'], weight: 1.1, mode: 'c', tags: { long: 1, a: 2 }, code: 'abcd', never: 1, not: 's',
  }));
  for (const sentence of [
    '/: unknown field "nmae"; did you mean "name"?',
    '/name: is required',
    '/clusters: must have at most 2 items',
    '/clusters: items 0 and 1 are the same; each may appear once',
    '/clusters: must contain an item that is "main"',
    '/weight: must be less than 1 (got 1.1)',
    '/weight: must be a multiple of 0.25 (got 1.1)',
    '/mode: must be "a" or "b" (got "c")',
    '/tags: must have at most 1 fields',
    '/tags/long: is not an allowed field name',
    '/tags/a: needs "b" beside it',
    '/code: must be at most 3 characters long (got "abcd")',
    '/never: is not allowed here',
    '/not: must not be a string (got "s")',
  ]) assert.ok(problems.includes(sentence), `${sentence}\n  in: ${problems.join('\n      ')}`);
  assert.equal(validateFilterConfig(metadata, '{"name": "Not"}')[0], '/name: must be a string matching ^[a-z]+$ (got "Not")');
  assert.equal(validateFilterConfig(metadata, '[]')[0], '/: must be an object (got an empty list)');
  for (const p of problems) assert.doesNotMatch(p, RAW_AJV);
});

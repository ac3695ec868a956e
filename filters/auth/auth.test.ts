// Tests of the auth filter in the real host: JWTs (HS256, RS256, ES256, inline and remote JWKS), API keys, rules, config checks.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { FilterHarness } from '../../sdk/tools/harness.ts';
import type { TestRequest } from '../../sdk/tools/harness.ts';
import { readFilterMetadata, validateFilterConfig } from '../../sdk/tools/inspect.ts';
import { loadBuiltinFilter } from '../build.ts';
import { configRejection } from '../config-rejection.ts';
import { assertReadmeExamplesConfigure, readmeExample } from '../readme-examples.ts';
import { ecKey, hmacKey, nowSeconds, rsaKey, signToken } from './test-tokens.ts';

const hs = hmacKey('hs-1', 'a-shared-secret-of-32-bytes-long!');
const rs = rsaKey('rs-1');
const es = ecKey('es-1');
const issuer = 'https://idp.example';
const apiKey = 'k-123456';
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const config = {
  jwt: {
    issuer,
    audiences: ['orders'],
    clockSkewSeconds: 30,
    jwks: { keys: [hs.jwk, rs.jwk, es.jwk] },
    forwardClaims: [{ claim: 'sub', header: 'x-user' }, { claim: 'tenant' }],
    stripToken: true,
  },
  apiKeys: { header: 'x-api-key', query: 'api_key', sha256: [sha256(apiKey)], strip: true },
  rules: [
    { prefix: '/public', require: 'anonymous' },
    { prefix: '/orders', methods: ['POST', 'DELETE'], require: 'jwt', claims: { scope: 'orders:write' } },
    { prefix: '/keys', require: 'apiKey' },
    { prefix: '/', require: 'any' },
  ],
};

function claims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { iss: issuer, aud: 'orders', sub: 'ada', tenant: 'acme', exp: nowSeconds() + 300, ...extra };
}

function bearer(token: string, request: TestRequest = {}): TestRequest {
  return { ...request, headers: { authorization: `Bearer ${token}`, ...(request.headers as Record<string, string> | undefined) } };
}

let bytes: Uint8Array;
let filter: FilterHarness;
before(async () => {
  bytes = await loadBuiltinFilter('auth');
  filter = await FilterHarness.fromBytes(bytes, { config });
});
after(() => filter.close());

describe('JWT bearer tokens', () => {
  for (const key of [hs, rs, es]) {
    test(`a valid ${key.alg} token passes, its claims forwarded and the token stripped`, async () => {
      const exchange = await filter.exchange(bearer(signToken(key, claims())));
      assert.equal(exchange.localReply, null);
      assert.equal(exchange.upstream?.header('x-user'), 'ada');
      assert.equal(exchange.upstream?.header('x-weft-claim-tenant'), 'acme');
      assert.equal(exchange.upstream?.header('authorization'), undefined);
    });
  }

  const refusals: [string, () => string, string][] = [
    ['expired', () => signToken(rs, claims({ exp: nowSeconds() - 60 })), 'token expired'],
    ['not yet valid', () => signToken(hs, claims({ nbf: nowSeconds() + 120 })), 'token not yet valid'],
    ['wrongly signed', () => signToken(rsaKey('rs-1'), claims()), 'bad signature'],
    ['for another audience', () => signToken(hs, claims({ aud: ['billing'] })), 'wrong audience'],
    ['from another issuer', () => signToken(es, claims({ iss: 'https://evil.example' })), 'wrong issuer'],
    ['signed with a key the set lacks', () => signToken(hs, claims(), { kid: 'other' }), 'no key for this token'],
    ['unsigned (alg none)', () => signToken(hs, claims(), { alg: 'none' }).replace(/[^.]+$/, ''), 'no key for this token'],
    ['an HMAC over the RSA key (algorithm confusion)', () => signToken(hmacKey('rs-1', JSON.stringify(rs.jwk)), claims()), 'no key for this token'],
    ['malformed', () => 'not-a-jwt', 'malformed token'],
  ];
  for (const [what, token, problem] of refusals) {
    test(`a token ${what} gets 401 naming the reason`, async () => {
      const exchange = await filter.exchange(bearer(token()));
      assert.equal(exchange.upstream, null);
      assert.equal(exchange.response.status, 401);
      assert.equal(exchange.response.header('content-type'), 'application/json');
      assert.deepEqual(JSON.parse(exchange.response.body), { error: 'invalid_token', message: problem });
      assert.equal(exchange.response.header('www-authenticate'),
        `Bearer realm="weft", error="invalid_token", error_description="${problem}", ApiKey realm="weft"`);
    });
  }

  test('the clock skew forgives a token that expired moments ago', async () => {
    const exchange = await filter.exchange(bearer(signToken(hs, claims({ exp: nowSeconds() - 10 }))));
    assert.equal(exchange.localReply, null);
  });

  test('claim headers sent by the client never reach the upstream', async () => {
    const exchange = await filter.exchange(bearer(signToken(hs, claims({ tenant: undefined })), { headers: { 'x-weft-claim-tenant': 'forged', 'x-user': 'eve' } }));
    assert.equal(exchange.upstream?.header('x-weft-claim-tenant'), undefined);
    assert.equal(exchange.upstream?.header('x-user'), 'ada');
  });
});

describe('verified tokens are cached, their time window checked again on every use', () => {
  test('a cached token is refused once it expires', async () => {
    const strict = await FilterHarness.fromBytes(bytes, { config: { ...config, jwt: { ...config.jwt, clockSkewSeconds: 0 } } });
    try {
      const expiresAt = nowSeconds() + 2;
      const token = signToken(hs, claims({ exp: expiresAt }));
      assert.equal((await strict.exchange(bearer(token))).localReply, null);
      assert.equal((await strict.exchange(bearer(token))).localReply, null, 'the second use, from the cache, passes too');
      await new Promise((resolve) => setTimeout(resolve, expiresAt * 1000 - Date.now() + 50));
      const late = await strict.exchange(bearer(token));
      assert.equal(late.response.status, 401);
      assert.deepEqual(JSON.parse(late.response.body), { error: 'invalid_token', message: 'token expired' });
    } finally {
      strict.close();
    }
  });

  test('a token refused for its issuer or audience is refused the same way on every use', async () => {
    const tokens: [string, string][] = [
      [signToken(es, claims({ iss: 'https://evil.example' })), 'wrong issuer'],
      [signToken(hs, claims({ aud: ['billing'] })), 'wrong audience'],
    ];
    for (const [token, problem] of tokens) {
      for (let use = 1; use <= 2; use++) {
        const exchange = await filter.exchange(bearer(token));
        assert.deepEqual(JSON.parse(exchange.response.body), { error: 'invalid_token', message: problem }, `use ${use}`);
      }
    }
  });
});

describe('rules', () => {
  test('an anonymous prefix needs no credentials', async () => {
    const exchange = await filter.exchange({ path: '/public/logo.png' });
    assert.equal(exchange.localReply, null);
  });

  test('no credentials on a protected path is 401 with the accepted schemes', async () => {
    const exchange = await filter.exchange({ path: '/orders' });
    assert.equal(exchange.response.status, 401);
    assert.equal(exchange.response.header('www-authenticate'), 'Bearer realm="weft", ApiKey realm="weft"');
    assert.equal(JSON.parse(exchange.response.body).error, 'missing_credentials');
  });

  test('a required scope: present passes, absent is 403 insufficient_scope', async () => {
    const write = await filter.exchange(bearer(signToken(hs, claims({ scope: 'orders:read orders:write' })), { method: 'POST', path: '/orders' }));
    assert.equal(write.localReply, null);
    const read = await filter.exchange(bearer(signToken(hs, claims({ scope: 'orders:read' })), { method: 'POST', path: '/orders' }));
    assert.equal(read.response.status, 403);
    assert.deepEqual(JSON.parse(read.response.body), { error: 'insufficient_scope', message: 'claim scope does not grant orders:write' });
    assert.match(read.response.header('www-authenticate') ?? '', /^Bearer realm="weft", error="insufficient_scope"/);
    const get = await filter.exchange(bearer(signToken(hs, claims({ scope: 'orders:read' })), { method: 'GET', path: '/orders' }));
    assert.equal(get.localReply, null, 'GET /orders falls to the catch-all rule');
  });

  test('denials are counted by reason', () => {
    assert.ok((filter.metric('weft_filter_auth_denied_total{reason="invalid_token"}') ?? 0) >= 9);
    assert.ok((filter.metric('weft_filter_auth_allowed_total') ?? 0) >= 3);
  });
});

describe('API keys', () => {
  test('a known key in the header passes and is stripped', async () => {
    const exchange = await filter.exchange({ path: '/keys/x', headers: { 'x-api-key': apiKey } });
    assert.equal(exchange.localReply, null);
    assert.equal(exchange.upstream?.header('x-api-key'), undefined);
  });

  test('a known key in the query passes and leaves the path', async () => {
    const exchange = await filter.exchange({ path: `/keys/x?a=1&api_key=${apiKey}&b=2` });
    assert.equal(exchange.upstream?.header(':path'), '/keys/x?a=1&b=2');
  });

  test('an unknown key is 401, and a token does not open an apiKey path', async () => {
    const wrong = await filter.exchange({ path: '/keys/x', headers: { 'x-api-key': 'guess' } });
    assert.deepEqual([wrong.response.status, JSON.parse(wrong.response.body).error], [401, 'invalid_api_key']);
    const token = await filter.exchange(bearer(signToken(hs, claims()), { path: '/keys/x' }));
    assert.deepEqual([token.response.status, JSON.parse(token.response.body).error], [401, 'missing_credentials']);
  });

  test('a key cannot satisfy a rule that needs claims', async () => {
    const exchange = await filter.exchange({ method: 'DELETE', path: '/orders/1', headers: { 'x-api-key': apiKey } });
    assert.equal(exchange.response.status, 401, 'the rule requires a jwt, so the key is not even looked at');
  });
});

describe('remote JWKS', () => {
  test('requests wait for the first fetch, then pass; the keys are fetched once', async () => {
    let fetches = 0;
    const remote = await FilterHarness.fromBytes(bytes, {
      config: { jwt: { remoteJwks: { cluster: 'idp', path: '/jwks.json' } } },
      clusters: {
        idp: async (call) => {
          fetches++;
          assert.equal(call.header(':path'), '/jwks.json');
          await new Promise((resolve) => setTimeout(resolve, 20));
          return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ keys: [rs.jwk] }) };
        },
      },
    });
    try {
      const token = signToken(rs, claims());
      const exchanges = await Promise.all([remote.exchange(bearer(token)), remote.exchange(bearer(token))]);
      assert.deepEqual(exchanges.map((e) => e.localReply), [null, null]);
      assert.equal(fetches, 1);
    } finally {
      remote.close();
    }
  });

  test('a token with a new kid makes the filter refetch the set (key rotation); a kid still unknown is 401', async () => {
    let keys = [rs.jwk];
    let fetches = 0;
    const remote = await FilterHarness.fromBytes(bytes, {
      config: { jwt: { remoteJwks: { cluster: 'idp', path: '/jwks.json', refreshSeconds: 3600, rotationCooldownSeconds: 0 } } },
      clusters: { idp: () => { fetches++; return { status: 200, body: JSON.stringify({ keys }) }; } },
    });
    try {
      await remote.until(() => fetches === 1 && remote.logs.some((l) => l.message.startsWith('auth: loaded 1 keys')));
      keys = [rs.jwk, es.jwk];
      const rotated = await remote.exchange(bearer(signToken(es, claims())));
      assert.equal(rotated.localReply, null);
      assert.equal(fetches, 2);
      const unknown = await remote.exchange(bearer(signToken(hmacKey('nobody', 'x'), claims())));
      assert.equal(unknown.response.status, 401);
      assert.equal(fetches, 3);
    } finally {
      remote.close();
    }
  });

  test('when the JWKS cannot be fetched, waiting requests get 503', async () => {
    const remote = await FilterHarness.fromBytes(bytes, {
      config: { jwt: { remoteJwks: { cluster: 'idp', path: '/jwks.json' } } },
      clusters: { idp: () => ({ status: 500 }) },
    });
    try {
      const exchange = await remote.exchange(bearer(signToken(rs, claims())));
      assert.equal(exchange.response.status, 503);
      assert.equal(JSON.parse(exchange.response.body).error, 'jwks_unavailable');
    } finally {
      remote.close();
    }
  });
});

describe('configuration', () => {
  test('the schema in the metadata rejects a bad config with its path', async () => {
    const metadata = await readFilterMetadata(bytes);
    assert.deepEqual(validateFilterConfig(metadata!, JSON.stringify(config)), []);
    assert.deepEqual(validateFilterConfig(metadata!, JSON.stringify({ rules: [{ require: 'magic' }] })),
      ['/rules/0/require: must be one of anonymous, jwt, apiKey, any (got "magic")']);
  });

  const bad: [string, object, string][] = [
    ['an unknown require', { apiKeys: { sha256: [] }, rules: [{ require: 'magic' }] }, '/rules/0/require must be one of "anonymous", "jwt", "apiKey", "any"'],
    ['a misspelt field', { jwt: { jwks: { keys: [hs.jwk] }, audience: 'x' } }, '/jwt must NOT have additional property "audience"'],
    ['a plain key instead of a digest', { apiKeys: { sha256: ['secret'] } }, '/apiKeys/sha256/0 must match pattern "^[0-9a-f]{64}$"'],
    ['a jwt rule without a jwt section', { apiKeys: { sha256: [] }, rules: [{ require: 'jwt' }] }, '/rules/0/require needs a jwt section'],
    ['both inline and remote keys', { jwt: { jwks: { keys: [hs.jwk] }, remoteJwks: { cluster: 'c', path: '/' } } }, '/jwt needs exactly one of jwks and remoteJwks'],
    ['an empty config', {}, '/ must NOT have fewer than 1 properties'],
  ];
  for (const [what, badConfig, message] of bad) {
    test(`the filter refuses ${what}, naming the path`, async () => {
      const errors = await configRejection(bytes, badConfig);
      assert.ok(errors.includes(`auth: invalid config: ${message}`), errors.join('\n'));
      assert.ok(errors.some((e) => e.includes('on_configure returned false')), errors.join('\n'));
    });
  }
});

describe('README examples', () => {
  const readme = new URL('README.md', import.meta.url).pathname;

  test('every example fits the schema and configures the filter', async () => {
    await assertReadmeExamplesConfigure(readme, bytes, { idp: () => ({ status: 200, body: JSON.stringify({ keys: [rs.jwk] }) }) });
  });

  test('inline-hs256: a token signed with the documented secret passes; writes need the scope', async () => {
    const readmeKey = hmacKey('main', 'change-me-to-a-long-random-secret');
    const example = await FilterHarness.fromBytes(bytes, { config: readmeExample(readme, 'inline-hs256') });
    try {
      const token = (extra: Record<string, unknown>) => signToken(readmeKey, { iss: 'https://login.example.com', aud: 'orders', sub: 'ada', exp: nowSeconds() + 60, ...extra });
      const read = await example.exchange(bearer(token({ tenant: 'acme' }), { path: '/orders/1' }));
      assert.deepEqual([read.upstream?.header('x-user'), read.upstream?.header('x-weft-claim-tenant'), read.upstream?.header('authorization')], ['ada', 'acme', undefined]);
      assert.equal((await example.exchange(bearer(token({}), { method: 'POST', path: '/orders' }))).response.status, 403);
      assert.equal((await example.exchange(bearer(token({ scope: 'orders:write' }), { method: 'POST', path: '/orders' }))).localReply, null);
      assert.equal((await example.exchange({ path: '/public/a' })).localReply, null);
      assert.equal((await example.exchange({ path: '/orders/1' })).response.status, 401);
    } finally {
      example.close();
    }
  });

  test('remote-jwks: keys come from the idp cluster; either audience passes', async () => {
    const example = await FilterHarness.fromBytes(bytes, {
      config: readmeExample(readme, 'remote-jwks'),
      clusters: { idp: (call) => ({ status: call.header(':path') === '/.well-known/jwks.json' ? 200 : 404, body: JSON.stringify({ keys: [rs.jwk, es.jwk] }) }) },
    });
    try {
      const claims = { iss: 'https://login.example.com', aud: ['billing'], sub: 'bob', exp: nowSeconds() + 60 };
      const exchange = await example.exchange(bearer(signToken(es, claims)));
      assert.equal(exchange.upstream?.header('x-weft-claim-sub'), 'bob');
      assert.equal((await example.exchange(bearer(signToken(rs, { ...claims, aud: 'shipping' })))).response.status, 401);
    } finally {
      example.close();
    }
  });

  test('api-keys: the documented key passes by header or query, others do not; health is open', async () => {
    const example = await FilterHarness.fromBytes(bytes, { config: readmeExample(readme, 'api-keys') });
    try {
      assert.equal((await example.exchange({ headers: { 'x-api-key': 'demo-key-123' } })).localReply, null);
      assert.equal((await example.exchange({ path: '/x?api_key=demo-key-123' })).upstream?.header(':path'), '/x');
      assert.equal((await example.exchange({ headers: { 'x-api-key': 'demo-key-124' } })).response.status, 401);
      assert.equal((await example.exchange({ path: '/health' })).localReply, null);
    } finally {
      example.close();
    }
  });
});

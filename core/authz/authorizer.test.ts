// The evaluator against policies a user would write: who, what, deny before allow, defaults, audit mode, plaintext callers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Authorizer, authzLogFields } from './authorizer.ts';
import { policyPath } from './path.ts';
import { validatePolicy } from './policy.ts';

const ORDERS = 'spiffe://mesh.local/ns/default/sa/orders';
const BILLING = 'spiffe://mesh.local/ns/finance/sa/billing';
const AUDITOR = 'spiffe://mesh.local/ns/finance/sa/auditor';
const STRANGER = 'spiffe://mesh.local/ns/lab/sa/stranger';

function authorizer(doc: Record<string, unknown>): Authorizer {
  return Authorizer.compile(validatePolicy({ kind: 'AuthorizationPolicy', service: 'payments', ...doc }));
}

/** [decision, rule, reason] for compact assertions. */
function check(a: Authorizer, principal: string | undefined, method: string, path: string, headers: string[] = []): string {
  const d = a.check(principal, method, path, headers);
  assert.equal(d.allowed, d.decision !== 'deny');
  return `${d.decision} ${d.rule} ${d.reason}`;
}

test('principals: exact, prefix (`*` suffix), any authenticated (`*`)', () => {
  const a = authorizer({ rules: [
    { name: 'orders', from: { principals: [ORDERS] } },
    { name: 'finance', from: { principals: ['spiffe://mesh.local/ns/finance/*'] }, to: { paths: ['/finance/*'] } },
    { name: 'anyone', from: { principals: ['*'] }, to: { paths: ['/health'] } },
  ] });
  assert.equal(check(a, ORDERS, 'POST', '/pay'), 'allow orders allowed_by_rule');
  assert.equal(check(a, BILLING, 'GET', '/finance/report'), 'allow finance allowed_by_rule');
  assert.equal(check(a, BILLING, 'GET', '/pay'), 'deny default no_rule_allows');
  assert.equal(check(a, STRANGER, 'GET', '/health'), 'allow anyone allowed_by_rule');
  assert.equal(check(a, `${ORDERS}-evil`, 'POST', '/pay'), 'deny default no_rule_allows', 'exact means exact');
});

test('namespaces are read from the SPIFFE ID; every field of from must match', () => {
  const a = authorizer({ rules: [
    { name: 'finance-ns', from: { namespaces: ['finance'] } },
    { name: 'prefixed-ns', from: { namespaces: ['team-*'] } },
    { name: 'both', from: { namespaces: ['default'], principals: ['spiffe://mesh.local/ns/default/sa/ord*'] } },
  ] });
  assert.equal(check(a, BILLING, 'GET', '/'), 'allow finance-ns allowed_by_rule');
  assert.equal(check(a, 'spiffe://mesh.local/ns/team-a/sa/x', 'GET', '/'), 'allow prefixed-ns allowed_by_rule');
  assert.equal(check(a, 'spiffe://mesh.local/ns/financeX/sa/x', 'GET', '/'), 'deny default no_rule_allows', 'a namespace is a whole segment');
  assert.equal(check(a, ORDERS, 'GET', '/'), 'allow both allowed_by_rule');
  assert.equal(check(a, 'spiffe://mesh.local/ns/default/sa/web', 'GET', '/'), 'deny default no_rule_allows', 'namespace alone is not enough');
});

test('to: exact paths, prefixes, methods, headers (case-insensitive names, any occurrence)', () => {
  const a = authorizer({ rules: [
    { name: 'pay', to: { paths: ['/pay'], methods: ['post'] } },
    { name: 'api', to: { paths: ['/api/*'], methods: ['GET', 'HEAD'] } },
    { name: 'tenant', to: { headers: { 'X-Tenant': ['acme', 'beta'], 'x-trace': '*' } } },
  ] });
  assert.equal(check(a, ORDERS, 'POST', '/pay'), 'allow pay allowed_by_rule');
  assert.equal(check(a, ORDERS, 'POST', '/pay?amount=3'), 'allow pay allowed_by_rule', 'the query is not part of the path');
  assert.equal(check(a, ORDERS, 'GET', '/pay'), 'deny default no_rule_allows');
  assert.equal(check(a, ORDERS, 'POST', '/pay/more'), 'deny default no_rule_allows');
  assert.equal(check(a, ORDERS, 'GET', '/api/v1/x'), 'allow api allowed_by_rule');
  assert.equal(check(a, ORDERS, 'GET', '/api'), 'deny default no_rule_allows', '/api/* needs the slash');
  assert.equal(check(a, ORDERS, 'PUT', '/x', ['x-tenant', 'other', 'X-TENANT', 'beta', 'X-Trace', '1']), 'allow tenant allowed_by_rule');
  assert.equal(check(a, ORDERS, 'PUT', '/x', ['x-tenant', 'acme']), 'deny default no_rule_allows', 'every header condition must hold');
  assert.equal(check(a, ORDERS, 'PUT', '/x', ['x-tenant', 'acmex', 'x-trace', '']), 'deny default no_rule_allows');
});

test('deny rules are evaluated before allow rules, whatever their order', () => {
  const a = authorizer({ rules: [
    { name: 'all-authenticated', from: { principals: ['*'] } },
    { name: 'no-admin', action: 'deny', to: { paths: ['/admin/*'] } },
  ] });
  assert.equal(check(a, ORDERS, 'GET', '/admin/users'), 'deny no-admin denied_by_rule');
  assert.equal(check(a, ORDERS, 'GET', '/orders'), 'allow all-authenticated allowed_by_rule');
});

test('normalized paths: dot segments, doubled slashes and escapes cannot dodge a rule', () => {
  const a = authorizer({ default: 'allow', rules: [{ name: 'no-admin', action: 'deny', to: { paths: ['/admin', '/admin/*'] } }] });
  for (const p of ['/admin', '//admin', '/./admin', '/x/../admin', '/%61dmin/', '/public%2F..%2Fadmin', '/public\\..\\admin/x', 'http://payments/admin?x', '/x/%2e%2e/admin']) {
    assert.equal(check(a, ORDERS, 'GET', p), 'deny no-admin denied_by_rule', p);
  }
  assert.equal(check(a, ORDERS, 'GET', '/administrator'), 'allow default default_allow');
  assert.equal(policyPath('/plain/path?q=1'), '/plain/path');
  const canonical = '/a/b.c/..d';
  assert.equal(policyPath(canonical), canonical);
  assert.equal(policyPath('/a/./b/../c//'), '/a/c/');
  assert.equal(policyPath('/../..'), '/');
});

test('default allow lets unmatched requests through; default deny (the default) refuses them', () => {
  assert.equal(check(authorizer({ default: 'allow', rules: [] }), STRANGER, 'GET', '/'), 'allow default default_allow');
  assert.equal(check(authorizer({}), ORDERS, 'GET', '/'), 'deny default no_rule_allows');
});

test('audit mode: what enforce would deny passes as audit, with the same rule and reason', () => {
  const doc = { rules: [{ name: 'orders', from: { principals: [ORDERS] } }, { name: 'no-auditor', action: 'deny', from: { principals: [AUDITOR] } }] };
  const audit = authorizer({ ...doc, mode: 'audit' });
  assert.equal(check(audit, ORDERS, 'GET', '/'), 'allow orders allowed_by_rule');
  assert.equal(check(audit, AUDITOR, 'GET', '/'), 'audit no-auditor denied_by_rule');
  assert.equal(check(audit, STRANGER, 'GET', '/'), 'audit default no_rule_allows');
  assert.equal(audit.check(STRANGER, 'GET', '/', []).allowed, true);
  const enforce = authorizer(doc);
  assert.equal(check(enforce, AUDITOR, 'GET', '/'), 'deny no-auditor denied_by_rule');
  assert.deepEqual(authzLogFields('payments', audit.check(AUDITOR, 'GET', '/x', []), AUDITOR, 'GET', '/x'),
    { authz: 'audit', service: 'payments', rule: 'no-auditor', reason: 'denied_by_rule', principal: AUDITOR, method: 'GET', path: '/x' });
});

test('a caller without a certificate matches no from condition; rules without from still apply to it', () => {
  const a = authorizer({ rules: [
    { name: 'health', to: { paths: ['/health'] } },
    { name: 'anyone-authenticated', from: { principals: ['*'] } },
    { name: 'ns', from: { namespaces: ['*'] } },
  ] });
  assert.equal(check(a, undefined, 'GET', '/health'), 'allow health allowed_by_rule');
  assert.equal(check(a, undefined, 'GET', '/pay'), 'deny default unauthenticated');
  const deny = authorizer({ default: 'allow', rules: [{ name: 'not-orders', action: 'deny', from: { principals: [ORDERS] } }] });
  assert.equal(check(deny, undefined, 'GET', '/'), 'allow default default_allow');
});

test('check returns the same frozen object per outcome: nothing is allocated per request', () => {
  const a = authorizer({ rules: [{ name: 'orders', from: { principals: [ORDERS] } }] });
  const d = a.check(ORDERS, 'GET', '/', []);
  assert.equal(a.check(ORDERS, 'POST', '/x', []), d);
  assert.ok(Object.isFrozen(d));
  assert.equal(a.check(STRANGER, 'GET', '/', []), a.check(STRANGER, 'GET', '/y', []));
});

test('validation names the path of every problem and fills in the defaults', () => {
  const problems = (doc: unknown) => {
    try {
      validatePolicy(doc, 'policy.yaml', { trustDomain: 'mesh.local' });
    } catch (err) {
      return (err as Error).message;
    }
    return 'valid';
  };
  const msg = problems({ kind: 'AuthorizationPolicy', service: 'payments', mode: 'audti', rules: [
    { name: 'a', from: { principals: [ORDERS, 'spiffe://mesh.local/ns/x', 'spiffe://mesh.locl/ns/a/sa/b', 'orders*'] }, to: { paths: ['pay', '/a/../b', '/x*y'], methods: ['GE T'] } },
    { name: 'a', action: 'permit', from: {}, to: { headers: { 'bad name': 'x' } } },
    { name: 'default', from: { principals: [] } },
  ] });
  for (const expected of [
    /^invalid policy policy\.yaml:/,
    /mode: must be one of enforce, audit/,
    /rules\[1\]\.action: must be one of allow, deny/,
    /rules\[1\]\.to\.headers\.bad name: is not a header name/,
    /rules\[2\]\.from\.principals: must not be empty/,
  ]) assert.match(msg, expected);
  const semantic = problems({ kind: 'AuthorizationPolicy', service: 'payments', rules: [
    { name: 'a', from: { principals: [ORDERS, 'spiffe://mesh.local/ns/x', 'spiffe://mesh.locl/ns/a/sa/b', 'orders*'] }, to: { paths: ['pay', '/a/../b', '/x*y'], methods: ['GE T'] } },
    { name: 'a', from: {} },
    { name: 'default' },
  ] });
  for (const expected of [
    /rules\[0\]\.from\.principals\[1\]: "spiffe:\/\/mesh\.local\/ns\/x" is not a workload SPIFFE ID/,
    /rules\[0\]\.from\.principals\[2\]: trust domain "mesh\.locl" is not this mesh's/,
    /rules\[0\]\.from\.principals\[3\]: "orders\*" must start with spiffe:\/\//,
    /rules\[0\]\.to\.paths\[0\]: "pay" must start with \//,
    /rules\[0\]\.to\.paths\[1\]: .* must be a normalized path/,
    /rules\[0\]\.to\.paths\[2\]: a \* may only end a value/,
    /rules\[0\]\.to\.methods\[0\]: "GE T" is not an HTTP method/,
    /rules\[1\]\.name: duplicate rule "a"/,
    /rules\[1\]\.from: give principals or namespaces/,
    /rules\[2\]\.name: "default" names the policy's default/,
  ]) assert.match(semantic, expected);
  assert.match(problems({ service: 'payments' }), /kind: is required/);
  assert.deepEqual(validatePolicy({ kind: 'AuthorizationPolicy', service: 'payments', rules: [{ name: 'r', to: { methods: ['get'], headers: { 'X-A': 'b' } } }] }), {
    kind: 'AuthorizationPolicy', service: 'payments', mode: 'enforce', default: 'deny',
    rules: [{ name: 'r', action: 'allow', to: { methods: ['GET'], headers: { 'x-a': 'b' } } }],
  });
  assert.throws(() => validatePolicy({ kind: 'AuthorizationPolicy', service: 'p', rules: [{ name: 'x', from: { principals: ['nope'] } }] }),
    /WEFT_ERR_CONFIG_INVALID|rules\[0\]\.from\.principals\[0\]/);
});

test('a TCP connection is decided by the caller alone: deny rules by their from, allow rules with a to never allow', () => {
  const a = authorizer({ rules: [
    { name: 'orders', from: { principals: [ORDERS] } },
    { name: 'finance-reads', from: { namespaces: ['finance'] }, to: { methods: ['GET'] } },
    { name: 'no-auditor-admin', action: 'deny', from: { principals: [AUDITOR] }, to: { paths: ['/admin'] } },
  ] });
  const conn = (p: string | undefined) => {
    const d = a.checkConnection(p);
    return `${d.decision} ${d.rule} ${d.reason}`;
  };
  assert.equal(conn(ORDERS), 'allow orders allowed_by_rule');
  assert.equal(conn(BILLING), 'deny default no_rule_allows', 'an allow rule that names paths or methods cannot allow a connection');
  assert.equal(conn(AUDITOR), 'deny no-auditor-admin denied_by_rule', 'a deny rule that names paths denies by its from alone');
  assert.equal(conn(undefined), 'deny default unauthenticated');
  assert.equal(authorizer({ mode: 'audit', rules: [{ name: 'x', action: 'deny', from: { principals: [ORDERS] } }] }).checkConnection(ORDERS).decision, 'audit');
});

test('a TCP service\'s policy may say who, not what: a rule with to is refused with its path', () => {
  const doc = { kind: 'AuthorizationPolicy', service: 'db', rules: [{ name: 'ok', from: { principals: [ORDERS] } }, { name: 'l7', to: { paths: ['/x'] } }] };
  assert.throws(() => validatePolicy(doc, 'db.yaml', { tcp: true }), /invalid policy db\.yaml: rules\[1\]\.to: the service is TCP/);
  assert.equal(validatePolicy(doc, 'db.yaml').rules.length, 2, 'the same rules are fine for an HTTP service');
});

// Authorization policies through the real CLI and a real plane: apply, replace, reject with paths, list, delete, in the snapshot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Snapshot } from '../../core/control/snapshot.ts';
import { startPlane, tempDir } from './support.ts';

const POLICY = `kind: AuthorizationPolicy
service: payments
rules:
  - name: orders-may-pay
    from: { principals: [spiffe://weft.local/ns/default/sa/orders] }
    to: { paths: [/pay], methods: [post] }
  - name: no-admin
    action: deny
    to: { paths: [/admin/*] }
`;

test('authorization policies on one plane', async (t) => {
  const plane = await startPlane();
  t.after(() => plane.stop());
  const dir = tempDir('policies');
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const trustDomain = (await plane.json<{ trustDomain: string }>('/v1/trust-bundle')).trustDomain;
  const policy = POLICY.replaceAll('weft.local', trustDomain);
  const snapshot = () => plane.json<Snapshot>('/v1/snapshot');

  await t.test('weft apply stores a policy; the snapshot carries it with its defaults filled in', async () => {
    assert.deepEqual((await snapshot()).policies, []);
    const r = await plane.weft(['apply', '-f', file('payments.yaml', policy)]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /applied policy for payments revision 1: 2 rules, enforce, default deny/);
    assert.deepEqual((await snapshot()).policies, [{
      kind: 'AuthorizationPolicy', service: 'payments', mode: 'enforce', default: 'deny',
      rules: [
        { name: 'orders-may-pay', action: 'allow', from: { principals: [`spiffe://${trustDomain}/ns/default/sa/orders`] }, to: { paths: ['/pay'], methods: ['POST'] } },
        { name: 'no-admin', action: 'deny', to: { paths: ['/admin/*'] } },
      ],
    }]);
  });

  await t.test('an invalid policy is refused naming each path (exit 2) and the stored one keeps serving', async () => {
    const before = await snapshot();
    const bad = policy
      .replace(`spiffe://${trustDomain}/ns/default/sa/orders`, `spiffe://${trustDomain}/ns/default/sa/orders, spiffe://${trustDomain}/ns/default`)
      .replace('[/admin/*]', '[admin]');
    const r = await plane.weft(['apply', '-f', file('bad.yaml', bad)]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /invalid policy .*bad\.yaml/);
    assert.match(r.stderr, /rules\[0\]\.from\.principals\[1\]: "spiffe:\/\/[^"]+\/ns\/default" is not a workload SPIFFE ID/);
    assert.match(r.stderr, /rules\[1\]\.to\.paths\[0\]: "admin" must start with \//);
    assert.match(r.stderr, /WEFT_ERR_CONFIG_INVALID/);
    const schemaBad = await plane.weft(['apply', '-f', file('schema.yaml', policy.replace('action: deny', 'action: block'))]);
    assert.equal(schemaBad.code, 2);
    assert.match(schemaBad.stderr, /rules\[1\]\.action: must be one of allow, deny/);
    const foreign = await plane.weft(['apply', '-f', file('foreign.yaml', policy.replaceAll(trustDomain, 'elsewhere.example'))]);
    assert.match(foreign.stderr, /rules\[0\]\.from\.principals\[0\]: trust domain "elsewhere\.example" is not this mesh's/);
    const after = await snapshot();
    assert.equal(after.version, before.version);
    assert.deepEqual(after.policies, before.policies);
  });

  await t.test('applying again replaces the policy; an unchanged apply changes nothing', async () => {
    const same = await plane.weft(['apply', '-f', file('payments.yaml', policy)]);
    assert.match(same.stdout, /unchanged: policy for payments revision 1/);
    const audit = await plane.weft(['apply', '-f', file('payments.yaml', `mode: audit\n${policy}`)]);
    assert.match(audit.stdout, /applied policy for payments revision 2: 2 rules, audit, default deny/);
    const policies = (await snapshot()).policies!;
    assert.equal(policies.length, 1);
    assert.equal(policies[0].mode, 'audit');
  });

  await t.test('a mesh document without kind still applies as mesh config; an unknown kind is refused', async () => {
    const mesh = await plane.weft(['apply', '-f', file('mesh.yaml', 'clusters:\n  - name: api\n    endpoints: [http://127.0.0.1:9]\nroutes:\n  - cluster: api\n')]);
    assert.equal(mesh.code, 0, mesh.stderr);
    const s = await snapshot();
    assert.deepEqual(s.clusters.map((c) => c.name), ['api']);
    assert.equal(s.policies!.length, 1, 'the mesh apply leaves policies alone');
    const other = await plane.weft(['apply', '-f', file('other.yaml', 'kind: Gateway\nservice: x\n')]);
    assert.equal(other.code, 2);
    assert.match(other.stderr, /kind: unknown kind "Gateway"/);
  });

  await t.test('list, get and delete', async () => {
    await plane.weft(['apply', '-f', file('ledger.yaml', `kind: AuthorizationPolicy\nservice: ledger\ndefault: allow\n`)]);
    const list = await plane.weft(['get', 'policies']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /ledger\s+enforce\s+allow\s+-\s+1/);
    assert.match(list.stdout, /payments\s+audit\s+deny\s+allow:orders-may-pay,deny:no-admin\s+2/);
    const one = await plane.weft(['get', 'policies', 'payments']);
    assert.match(one.stdout, /kind: AuthorizationPolicy\nservice: payments\nmode: audit/);
    assert.deepEqual((await snapshot()).policies!.map((p) => p.service), ['ledger', 'payments']);

    const res = await fetch(`${plane.url}/v1/policies/ledger`, { method: 'DELETE', headers: { authorization: `Bearer ${plane.token}` } });
    assert.equal(res.status, 200);
    assert.deepEqual((await snapshot()).policies!.map((p) => p.service), ['payments']);
    const again = await fetch(`${plane.url}/v1/policies/ledger`, { method: 'DELETE', headers: { authorization: `Bearer ${plane.token}` } });
    assert.equal(again.status, 404);
    assert.equal(((await again.json()) as { error: string }).error, 'WEFT_ERR_PLANE_NOT_FOUND');
    assert.match((await plane.weft(['get', 'policies', 'ledger'])).stderr, /no authorization policy for service "ledger"/);
  });
});

// weft_authz_decisions_total as a worker records it: one series per service, decision and rule, counted per check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import client from 'prom-client';
import { WorkerMetrics } from '../observe/metrics.ts';
import { Authorizer } from './authorizer.ts';

test('every decision is counted under its service, decision and rule', async () => {
  const metrics = new WorkerMetrics(0, () => []);
  const a = Authorizer.compile({ kind: 'AuthorizationPolicy', service: 'payments', mode: 'audit', default: 'deny', rules: [
    { name: 'orders', action: 'allow', from: { principals: ['spiffe://mesh.local/ns/default/sa/orders'] } },
  ] });
  for (let i = 0; i < 3; i++) metrics.authz('payments', a.check('spiffe://mesh.local/ns/default/sa/orders', 'GET', '/', []));
  metrics.authz('payments', a.check(undefined, 'GET', '/', []));
  // Rendered as the admin server renders a worker's counts.
  const text = await client.AggregatorRegistry.aggregate([metrics.json() as unknown as client.MetricObjectWithValues<client.MetricValue<string>>[]]).metrics();
  assert.match(text, /weft_authz_decisions_total\{service="payments",decision="allow",rule="orders"\} 3/);
  assert.match(text, /weft_authz_decisions_total\{service="payments",decision="audit",rule="default"\} 1/);
});

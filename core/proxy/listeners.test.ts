// What a sidecar's listeners route: nothing before the first snapshot, the chain per side, bound services, mTLS clusters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSettings } from '../config/settings.ts';
import type { ProxySettings, SidecarSettings } from '../config/settings.ts';
import { normalizeCluster, normalizeRoute } from '../config/normalize.ts';
import { listenerPlans, listenerRoutes } from './listeners.ts';

const PAY = 'spiffe://mesh.test/ns/default/sa/payments';

function sidecar(over: Partial<SidecarSettings> = {}, mesh: Partial<ProxySettings> = {}): ProxySettings {
  return {
    ...defaultSettings(), listen: { host: '127.0.0.1', port: 0 }, clusters: [], routes: [], filters: [], ...mesh,
    sidecar: {
      service: 'orders', app: 'http://127.0.0.1:8080', outbound: { host: '127.0.0.1', port: 15001 },
      binds: [{ service: 'ledger', listen: { host: '127.0.0.1', port: 9001 } }], permissive: false, chain: 'inbound', ...over,
    },
  };
}

const services = [{ name: 'payments', endpoints: ['http://127.0.0.1:7001'], identities: [PAY] }];

test('a sidecar opens inbound (mTLS, policy side), outbound and one listener per bind; permissive only changes inbound', () => {
  assert.deepEqual(listenerPlans(sidecar(), true).map((p) => [p.name, p.security, p.inbound]), [
    ['inbound', 'workload', true], ['outbound', 'plain', false], ['bind:ledger', 'plain', false],
  ]);
  assert.equal(listenerPlans(sidecar({ permissive: true }), true)[0].security, 'permissive');
});

test('nothing is routed before the first snapshot names the services', () => {
  const r = listenerRoutes(sidecar());
  assert.deepEqual(r.routes, [[], [], []]);
  assert.deepEqual(r.clusters, []);
});

test('inbound goes to the app; outbound by Host to each service over mTLS, then the mesh routes; a bind to its service', () => {
  const meshRoute = normalizeRoute({ name: 'mesh', cluster: 'pay', match: { prefix: '/m' } }, 0);
  const payCluster = { ...normalizeCluster({ name: 'pay', endpoints: ['http://127.0.0.1:7001'] }), service: 'payments' };
  const r = listenerRoutes(sidecar({ services }, { routes: [meshRoute], clusters: [payCluster] }));
  const byName = new Map(r.clusters.map((c) => [c.name, c]));
  assert.deepEqual(byName.get('inbound')!.endpoints, ['http://127.0.0.1:8080']);
  assert.equal(byName.get('inbound')!.peerIdentities, undefined, 'the app is plain HTTP');
  assert.deepEqual(byName.get('outbound:payments')!.peerIdentities, [PAY]);
  assert.deepEqual(byName.get('pay')!.peerIdentities, [PAY], 'a mesh cluster naming the service is mTLS too');
  assert.deepEqual(byName.get('outbound:ledger')!.endpoints, [], 'a bound service with no instance yet answers 503, not 404');
  assert.deepEqual(r.routes.map((rs) => rs.map((x) => [x.name, x.cluster, x.match.host])), [
    [['inbound', 'inbound', undefined]],
    [['outbound:payments', 'outbound:payments', 'payments'], ['mesh', 'pay', undefined]],
    [['outbound:ledger', 'outbound:ledger', undefined]],
  ]);
});

test('--chain picks the sides that run the filter chain', () => {
  const sides = (chain: SidecarSettings['chain']) => listenerRoutes(sidecar({ services, chain })).chain;
  assert.deepEqual(sides('inbound'), [true, false, false]);
  assert.deepEqual(sides('outbound'), [false, true, true]);
  assert.deepEqual(sides('both'), [true, true, true]);
});

test('a plain proxy has one listener with its own routes and the chain', () => {
  const plain: ProxySettings = { ...defaultSettings(), listen: { host: '127.0.0.1', port: 0 }, clusters: [], routes: [], filters: [] };
  assert.deepEqual(listenerPlans(plain, false).map((p) => p.security), ['plain']);
  assert.deepEqual(listenerRoutes(plain).chain, [true]);
});

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
  assert.deepEqual(r.clusters.map((c) => [c.name, c.protocol]), [
    ['inbound', 'http1'], ['inbound:grpc', 'http2'], ['pay', 'http2'], ['outbound:payments', 'http2'], ['outbound:ledger', 'http1'],
  ], 'sidecar to sidecar is HTTP/2; the app gets gRPC calls in h2c and the rest in HTTP/1.1 (auto)');
  assert.deepEqual(r.routes.map((rs) => rs.map((x) => [x.name, x.cluster, x.match.host, x.match.grpc])), [
    [['inbound', 'inbound:grpc', undefined, true], ['inbound', 'inbound', undefined, undefined]],
    [['outbound:payments', 'outbound:payments', 'payments', undefined], ['mesh', 'pay', undefined, undefined]],
    [['outbound:ledger', 'outbound:ledger', undefined, undefined]],
  ]);
});

test('the app\'s protocol: --app-protocol, else the service\'s in the registry, else auto', () => {
  const inbound = (over: Partial<SidecarSettings>) => {
    const r = listenerRoutes(sidecar(over));
    return [r.clusters.filter((c) => c.name.startsWith('inbound')).map((c) => c.protocol), r.routes[0].length];
  };
  const registered = [...services, { name: 'orders', endpoints: [], identities: [], protocol: 'http2' as const }];
  assert.deepEqual(inbound({ services }), [['http1', 'http2'], 2]);
  assert.deepEqual(inbound({ services: registered }), [['http2'], 1]);
  assert.deepEqual(inbound({ services: registered, appProtocol: 'http1' }), [['http1'], 1]);
  assert.deepEqual(inbound({ services, appProtocol: 'http2' }), [['http2'], 1]);
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

test('a TCP service: its bound port tunnels (no HTTP route, no cluster), outbound Host routing skips it', () => {
  const tcpServices = [...services, { name: 'ledger', endpoints: ['http://127.0.0.1:7002'], identities: ['spiffe://mesh.test/ns/default/sa/ledger'], protocol: 'tcp' as const }];
  const r = listenerRoutes(sidecar({ services: tcpServices }));
  assert.deepEqual(r.tcp.map((x) => x?.service), [undefined, undefined, 'ledger']);
  assert.deepEqual(r.tcp[2]!.endpoints, ['http://127.0.0.1:7002']);
  assert.deepEqual(r.tcp[2]!.identities, ['spiffe://mesh.test/ns/default/sa/ledger']);
  assert.equal(r.tcp[2]!.idleTimeoutMs, 3_600_000);
  assert.deepEqual(r.routes[2], []);
  assert.deepEqual(r.routes[1].map((x) => x.name), ['outbound:payments']);
  assert.ok(!r.clusters.some((c) => c.name === 'outbound:ledger'));
});

test('a mesh cluster declares a service TCP with its timeouts, before any instance registers; it is no HTTP cluster', () => {
  const declared = { ...normalizeCluster({ name: 'ledger', endpoints: ['http://127.0.0.1:1'], protocol: 'tcp', connectTimeout: '2s', idleTimeout: '10m' }), service: 'ledger' };
  const r = listenerRoutes(sidecar({ services }, { clusters: [declared] }));
  assert.deepEqual({ ...r.tcp[2] }, { service: 'ledger', endpoints: [], identities: [], connectTimeoutMs: 2000, idleTimeoutMs: 600_000 });
  assert.ok(!r.clusters.some((c) => c.name === 'ledger'));
});

test('a sidecar whose app speaks TCP serves CONNECT streams to it and routes no HTTP inbound', () => {
  const r = listenerRoutes(sidecar({ services, appProtocol: 'tcp' }));
  assert.deepEqual(r.routes[0], []);
  assert.ok(!r.clusters.some((c) => c.name === 'inbound'));
  assert.deepEqual(r.tcpApp, { service: 'orders', host: '127.0.0.1', port: 8080, connectTimeoutMs: 5000, idleTimeoutMs: 3_600_000 });
  // The registry's word counts when the flag is not given.
  const own = [...services, { name: 'orders', endpoints: [], identities: [], protocol: 'tcp' as const }];
  assert.equal(listenerRoutes(sidecar({ services: own })).tcpApp?.port, 8080);
  assert.equal(listenerRoutes(sidecar({ services })).tcpApp, undefined);
});

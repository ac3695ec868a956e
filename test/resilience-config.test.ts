// The resilience settings through the config validator (the one the plane's mesh config goes through too): defaults, the object endpoint form, and bad values named by path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfigDocument } from '../core/config/validate.ts';
import { WeftError } from '../core/errors.ts';

function problems(doc: unknown): string {
  try {
    validateConfigDocument(doc, 'test.yaml');
  } catch (err) {
    assert.ok(err instanceof WeftError);
    assert.equal(err.code, 'WEFT_ERR_CONFIG_INVALID');
    return err.message;
  }
  assert.fail('the document was accepted');
}

const routes = [{ cluster: 'app' }];

test('string endpoints stay valid and get the resilience defaults: round robin, panic at 50%, Linkerd\'s retry budget, no breakers', () => {
  const s = validateConfigDocument({ clusters: [{ name: 'app', endpoints: ['http://127.0.0.1:1/'] }], routes }, 't');
  const c = s.clusters![0];
  assert.deepEqual(c.endpoints, ['http://127.0.0.1:1']);
  assert.equal(c.endpointMeta, undefined);
  assert.equal(c.lb, 'round_robin');
  assert.equal(c.panicThreshold, 50);
  assert.deepEqual(c.retryBudget, { ratio: 0.2, minPerSecond: 10, windowMs: 10_000 });
  assert.equal(c.circuitBreakers, undefined);
  assert.equal(c.outlierDetection, undefined);
  assert.equal(c.healthCheck, undefined);
  const r = s.routes![0];
  assert.equal(r.idleTimeoutMs, r.timeoutMs);
  assert.equal(r.retries.backoffBaseMs, 25);
  assert.equal(r.retries.backoffMaxMs, 250);
});

test('object endpoints carry weight and zone; every resilience block is normalized to milliseconds', () => {
  const s = validateConfigDocument({
    clusters: [{
      name: 'app',
      endpoints: ['http://127.0.0.1:1', { url: 'http://127.0.0.1:2', weight: 3, zone: 'b' }],
      lb: 'ring_hash', hashOn: { header: 'X-User' }, localZone: 'b', panicThreshold: 30,
      healthCheck: { path: '/healthz', interval: '2s', timeout: '500ms', healthyThreshold: 1 },
      outlierDetection: { consecutiveFailures: 3, baseEjectionTime: '1s', maxEjectionTime: '10s', maxEjectionPercent: 50 },
      circuitBreakers: { maxRequests: 10, maxPending: 5 },
      retryBudget: { ratio: 0.5, window: '5s' },
    }],
    routes: [{ cluster: 'app', idleTimeout: '3s', retries: { attempts: 2, on: ['grpc-unavailable', 503], backoff: { base: '10ms' } } }],
  }, 't');
  const c = s.clusters![0];
  assert.deepEqual(c.endpointMeta, [{ weight: 1, zone: '' }, { weight: 3, zone: 'b' }]);
  assert.deepEqual(c.hashOn, { header: 'x-user' });
  assert.deepEqual(c.healthCheck, { path: '/healthz', intervalMs: 2000, timeoutMs: 500, healthyThreshold: 1, unhealthyThreshold: 3 });
  assert.deepEqual(c.outlierDetection, { consecutiveFailures: 3, baseEjectionMs: 1000, maxEjectionMs: 10_000, maxEjectionPercent: 50 });
  assert.deepEqual(c.circuitBreakers, { maxRequests: 10, maxPending: 5 });
  assert.deepEqual(c.retryBudget, { ratio: 0.5, minPerSecond: 10, windowMs: 5000 });
  const r = s.routes![0];
  assert.equal(r.idleTimeoutMs, 3000);
  assert.deepEqual(r.retries.on, ['grpc-unavailable', '503']);
  assert.equal(r.retries.backoffMaxMs, 100, 'max defaults to ten times the base');
});

test('bad resilience values are refused, each named by its path', () => {
  const msg = problems({
    clusters: [
      {
        name: 'app',
        endpoints: ['http://127.0.0.1:1', { url: 'http://127.0.0.1:2', weight: 0 }, { url: 'ftp://x' }],
        lb: 'fastest',
        panicThreshold: 101,
        healthCheck: { interval: '2 seconds' },
        outlierDetection: { maxEjectionPercent: 150, consecutiveFailures: 0 },
        circuitBreakers: { maxRequests: 0, maxSockets: 3 },
        retryBudget: { ratio: -1 },
      },
    ],
    routes: [{ cluster: 'app', idleTimeout: 'soon', retries: { on: ['teapot'], backoff: { base: 'x' } } }],
  });
  for (const path of [
    'clusters[0].endpoints[1].weight', 'clusters[0].endpoints[2].url', 'clusters[0].lb', 'clusters[0].panicThreshold',
    'clusters[0].healthCheck.path: is required', 'clusters[0].healthCheck.interval', 'clusters[0].outlierDetection.maxEjectionPercent',
    'clusters[0].outlierDetection.consecutiveFailures', 'clusters[0].circuitBreakers.maxRequests', 'clusters[0].circuitBreakers: unknown field "maxSockets" (known fields: maxConnections, maxPending, maxRequests, maxRetries)',
    'clusters[0].retryBudget.ratio', 'routes[0].idleTimeout', 'routes[0].retries.on[0]', 'routes[0].retries.backoff.base',
  ]) assert.ok(msg.includes(path), `${path} in:\n${msg}`);
});

test('settings that only make sense together are checked too', () => {
  const msg = problems({
    clusters: [
      { name: 'a', endpoints: ['http://127.0.0.1:1'], lb: 'ring_hash' },
      { name: 'b', endpoints: ['http://127.0.0.1:1', { url: 'http://127.0.0.1:1/' }], hashOn: { cookie: 's' } },
      { name: 'c', endpoints: ['http://127.0.0.1:1'], lb: 'ring_hash', hashOn: { header: 'h', cookie: 's' } },
      { name: 'd', endpoints: ['http://127.0.0.1:1'], outlierDetection: { baseEjectionTime: '1m', maxEjectionTime: '10s' } },
    ],
    routes: [{ cluster: 'a', retries: { backoff: { base: '1s', max: '100ms' } } }],
  });
  for (const line of [
    'clusters[0].hashOn: ring_hash needs a header or a cookie to hash',
    'clusters[1].hashOn: only used with lb: ring_hash',
    'clusters[1].endpoints[1]: duplicate endpoint http://127.0.0.1:1',
    'clusters[2].hashOn: give header or cookie, not both',
    'clusters[3].outlierDetection.maxEjectionTime: must not be shorter than baseEjectionTime',
    'routes[0].retries.backoff.max: must not be shorter than base',
  ]) assert.ok(msg.includes(line), `${line} in:\n${msg}`);
});

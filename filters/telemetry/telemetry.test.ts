// Tests of the telemetry filter in the real host: RED metrics, trace propagation (W3C, B3), OTLP/HTTP JSON export, access log, config checks.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { FilterHarness } from '../../sdk/tools/harness.ts';
import type { CallRequest, HarnessOptions } from '../../sdk/tools/harness.ts';
import { loadBuiltinFilter } from '../build.ts';
import { configRejection } from '../config-rejection.ts';
import { assertReadmeExamplesConfigure, readmeExample } from '../readme-examples.ts';

let bytes: Uint8Array;
before(async () => {
  bytes = await loadBuiltinFilter('telemetry');
});

async function withTelemetry(options: HarnessOptions, run: (filter: FilterHarness) => Promise<void>): Promise<void> {
  const filter = await FilterHarness.fromBytes(bytes, options);
  try {
    await run(filter);
  } finally {
    filter.close();
  }
}

const routed = { 'weft.route': 'api', 'weft.cluster': 'orders', 'source.address': '10.1.2.3:4567' };
const ordersPrincipal = 'spiffe://mesh.local/ns/default/sa/orders';
const incomingTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
const incomingParent = '00f067aa0ba902b7';

/** Collects what the tracing exporter posts to the `otel` cluster. */
function collector(status = 200): { posts: CallRequest[]; handler: (call: CallRequest) => { status: number } } {
  const posts: CallRequest[] = [];
  return { posts, handler: (call) => { posts.push(call); return { status }; } };
}

/** The host's realtime clock (core/wasm/host-logging.ts): monotonic from the process's time origin, so it can stray from Date.now(). */
const hostNow = () => performance.timeOrigin + performance.now();

describe('RED metrics', () => {
  test('requests by route, cluster and code; a duration histogram; body bytes both ways', async () => {
    await withTelemetry({ config: {} }, async (filter) => {
      await filter.exchange({ method: 'POST', body: ['12345', '678'], properties: routed }, { status: 201, body: 'created' });
      await filter.exchange({ properties: routed }, { status: 503 });
      await filter.exchange({ properties: routed }, { status: 201 });
      assert.equal(filter.metric('weft_filter_requests_total{route="api",cluster="orders",code="201"}'), 2);
      assert.equal(filter.metric('weft_filter_requests_total{route="api",cluster="orders",code="503"}'), 1);
      assert.equal(filter.sample('weft_filter_request_duration_milliseconds{route="api",cluster="orders"}')?.count, 3);
      assert.equal(filter.metric('weft_filter_request_bytes_total{route="api",cluster="orders"}'), 8);
      assert.equal(filter.metric('weft_filter_response_bytes_total{route="api",cluster="orders"}'), 7);
    });
  });

  test('each route and cluster keeps its own series, in any order, label values escaped', async () => {
    await withTelemetry({ config: {} }, async (filter) => {
      const to = (route: string, cluster: string) => ({ properties: { 'weft.route': route, 'weft.cluster': cluster } });
      for (const [route, cluster] of [['api', 'orders'], ['api', 'billing'], ['say "hi"\\', 'orders'], ['api', 'orders']]) {
        await filter.exchange(to(route, cluster));
      }
      assert.equal(filter.metric('weft_filter_requests_total{route="api",cluster="orders",code="200"}'), 2);
      assert.equal(filter.metric('weft_filter_requests_total{route="api",cluster="billing",code="200"}'), 1);
      assert.equal(filter.metric('weft_filter_requests_total{route="say \\"hi\\"\\\\",cluster="orders",code="200"}'), 1);
      assert.equal(filter.sample('weft_filter_request_duration_milliseconds{route="api",cluster="billing"}')?.count, 1);
    });
  });

  test('the prefix is configurable, and metrics can be turned off', async () => {
    await withTelemetry({ config: { metrics: { prefix: 'edge_' } } }, async (filter) => {
      await filter.exchange({ properties: routed });
      assert.equal(filter.metric('edge_requests_total{route="api",cluster="orders",code="200"}'), 1);
    });
    await withTelemetry({ config: { metrics: { enabled: false } } }, async (filter) => {
      await filter.exchange({ properties: routed });
      assert.deepEqual(filter.metrics.snapshot().map((m) => m.name), [], 'the filter defines none');
    });
  });
});

describe('trace propagation', () => {
  const tracing = { tracing: { collectorCluster: 'otel', exportIntervalMs: 10 } };

  test('an incoming traceparent keeps its trace id and flags with a new parent id; tracestate passes untouched', async () => {
    const { handler } = collector();
    await withTelemetry({ config: tracing, clusters: { otel: handler } }, async (filter) => {
      const exchange = await filter.exchange({ headers: { traceparent: `00-${incomingTrace}-${incomingParent}-01`, tracestate: 'vendor=abc,other=1' } });
      const [version, trace, parent, flags] = exchange.upstream!.header('traceparent')!.split('-');
      assert.deepEqual([version, trace, flags], ['00', incomingTrace, '01']);
      assert.match(parent, /^[0-9a-f]{16}$/);
      assert.notEqual(parent, incomingParent);
      assert.equal(exchange.upstream!.header('tracestate'), 'vendor=abc,other=1');
    });
  });

  test('without one, a trace starts here, sampled at the configured rate', async () => {
    await withTelemetry({ config: { tracing: { collectorCluster: 'otel', samplingRate: 1 } }, clusters: { otel: collector().handler } }, async (filter) => {
      const seen = new Set<string>();
      for (let i = 0; i < 20; i++) {
        const value = (await filter.exchange({})).upstream!.header('traceparent')!;
        assert.match(value, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
        seen.add(value.slice(3, 35));
      }
      assert.equal(seen.size, 20, 'every new trace has its own id');
    });
    await withTelemetry({ config: { tracing: { collectorCluster: 'otel', samplingRate: 0 } }, clusters: { otel: collector().handler } }, async (filter) => {
      assert.match((await filter.exchange({})).upstream!.header('traceparent')!, /-00$/);
    });
  });

  const invalid = [
    ['version ff', `ff-${incomingTrace}-${incomingParent}-01`],
    ['a zero trace id', `00-${'0'.repeat(32)}-${incomingParent}-01`],
    ['upper-case hex', `00-${incomingTrace.toUpperCase()}-${incomingParent}-01`],
    ['extra fields in version 00', `00-${incomingTrace}-${incomingParent}-01-x`],
  ];
  for (const [what, value] of invalid) {
    test(`a traceparent with ${what} is replaced by a new trace`, async () => {
      await withTelemetry({ config: tracing, clusters: { otel: collector().handler } }, async (filter) => {
        const out = (await filter.exchange({ headers: { traceparent: value } })).upstream!.header('traceparent')!;
        assert.match(out, /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
        assert.ok(!out.includes(incomingTrace));
      });
    });
  }

  test('B3 headers are read when there is no traceparent, and updated for the next hop', async () => {
    await withTelemetry({ config: tracing, clusters: { otel: collector().handler } }, async (filter) => {
      const multi = await filter.exchange({ headers: { 'x-b3-traceid': incomingTrace, 'x-b3-spanid': incomingParent, 'x-b3-sampled': '1' } });
      const [, trace, span] = multi.upstream!.header('traceparent')!.split('-');
      assert.equal(trace, incomingTrace);
      assert.equal(multi.upstream!.header('x-b3-spanid'), span);
      assert.equal(multi.upstream!.header('x-b3-parentspanid'), incomingParent);
      const single = await filter.exchange({ headers: { b3: `a3ce929d0e0e4736-${incomingParent}-0` } });
      assert.match(single.upstream!.header('traceparent')!, /^00-0000000000000000a3ce929d0e0e4736-[0-9a-f]{16}-00$/);
    });
    await withTelemetry({ config: { tracing: { collectorCluster: 'otel', b3: false } }, clusters: { otel: collector().handler } }, async (filter) => {
      const exchange = await filter.exchange({ headers: { b3: `${incomingTrace}-${incomingParent}-1` } });
      assert.ok(!exchange.upstream!.header('traceparent')!.includes(incomingTrace));
    });
  });
});

describe('span export', () => {
  test('spans are batched and posted as OTLP/HTTP JSON to the collector cluster on tick', async () => {
    const { posts, handler } = collector();
    const config = { tracing: { collectorCluster: 'otel', serviceName: 'edge', exportIntervalMs: 20 } };
    await withTelemetry({ config, clusters: { otel: handler } }, async (filter) => {
      const started = hostNow();
      await filter.exchange({ path: '/orders/7?x=1', authority: 'shop.local', headers: { traceparent: `00-${incomingTrace}-${incomingParent}-01` }, properties: routed }, { status: 502 });
      await filter.exchange({ properties: routed });
      await filter.until(() => filter.metric('weft_filter_spans_exported_total') === 2);
      assert.equal(posts.length, 1, 'both spans went in one batch');
      const post = posts[0];
      assert.deepEqual([post.header(':method'), post.header(':path'), post.header('content-type')], ['POST', '/v1/traces', 'application/json']);
      const body = JSON.parse(post.body);
      assert.deepEqual(body.resourceSpans[0].resource.attributes, [{ key: 'service.name', value: { stringValue: 'edge' } }]);
      assert.equal(body.resourceSpans[0].scopeSpans[0].scope.name, 'weft.telemetry');
      const [first, second] = body.resourceSpans[0].scopeSpans[0].spans;
      assert.equal(first.traceId, incomingTrace);
      assert.equal(first.parentSpanId, incomingParent);
      assert.match(first.spanId, /^[0-9a-f]{16}$/);
      assert.equal(first.name, 'GET api');
      assert.equal(first.kind, 2);
      assert.deepEqual(first.status, { code: 2 });
      const start = Number(BigInt(first.startTimeUnixNano) / 1_000_000n);
      assert.ok(start >= Math.floor(started) - 1 && start <= hostNow() + 1, `start time ${start} is the host's clock, read between ${started} and ${hostNow()}`);
      assert.ok(BigInt(first.endTimeUnixNano) >= BigInt(first.startTimeUnixNano));
      const attributes = Object.fromEntries(first.attributes.map((a: { key: string; value: Record<string, string> }) => [a.key, Object.values(a.value)[0]]));
      assert.deepEqual(attributes, {
        'http.request.method': 'GET', 'url.path': '/orders/7', 'server.address': 'shop.local', 'http.response.status_code': '502',
        'weft.route': 'api', 'weft.cluster': 'orders', 'client.address': '10.1.2.3',
      });
      assert.equal(second.parentSpanId, undefined, 'the second request started its trace here');
      assert.deepEqual(second.status, {});
    });
  });

  test('a caller with a verified identity has it on its span as weft.source.principal', async () => {
    const { posts, handler } = collector();
    await withTelemetry({ config: { tracing: { collectorCluster: 'otel', exportIntervalMs: 10 } }, clusters: { otel: handler } }, async (filter) => {
      await filter.exchange({ properties: { ...routed, 'source.principal': ordersPrincipal } });
      await filter.until(() => posts.length === 1);
      const [span] = JSON.parse(posts[0].body).resourceSpans[0].scopeSpans[0].spans;
      assert.deepEqual(span.attributes.find((a: { key: string }) => a.key === 'weft.source.principal'),
        { key: 'weft.source.principal', value: { stringValue: ordersPrincipal } });
    });
  });

  test('a collector that fails makes the batch count as dropped', async () => {
    const { posts, handler } = collector(500);
    await withTelemetry({ config: { tracing: { collectorCluster: 'otel', exportIntervalMs: 10 } }, clusters: { otel: handler } }, async (filter) => {
      await filter.exchange({});
      await filter.until(() => filter.metric('weft_filter_spans_dropped_total') === 1);
      assert.equal(posts.length, 1);
      assert.ok(filter.logs.some((l) => l.message === 'telemetry: dropped 1 spans: the collector answered 500'));
    });
  });

  test('unsampled requests export nothing', async () => {
    const { posts, handler } = collector();
    await withTelemetry({ config: { tracing: { collectorCluster: 'otel', exportIntervalMs: 10 } }, clusters: { otel: handler } }, async (filter) => {
      await filter.exchange({ headers: { traceparent: `00-${incomingTrace}-${incomingParent}-00` } });
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(posts.length, 0);
    });
  });
});

describe('access log', () => {
  test('one JSON line per request with the configured fields, in order', async () => {
    const fields = ['method', 'path', 'status', 'route', 'cluster', 'client_address', 'request_bytes', 'response_bytes',
      'trace_id', 'request_header:x-tenant', 'response_header:content-type', 'start_time', 'duration_ms'];
    const config = { accessLog: { fields }, tracing: { collectorCluster: 'otel' } };
    await withTelemetry({ config, clusters: { otel: collector().handler } }, async (filter) => {
      const started = hostNow();
      await filter.exchange(
        { method: 'PUT', path: '/a?b=1', body: 'abc', headers: { 'x-tenant': 'acme', traceparent: `00-${incomingTrace}-${incomingParent}-01` }, properties: routed },
        { status: 204, headers: { 'content-type': 'text/plain' } },
      );
      const line = filter.logs.find((l) => l.message.startsWith('{'));
      assert.ok(line, 'an access log line');
      assert.equal(line.level, 2);
      const entry = JSON.parse(line.message);
      assert.deepEqual(Object.keys(entry), fields);
      assert.deepEqual({ ...entry, start_time: undefined, duration_ms: undefined }, {
        method: 'PUT', path: '/a?b=1', status: 204, route: 'api', cluster: 'orders', client_address: '10.1.2.3',
        request_bytes: 3, response_bytes: 0, trace_id: incomingTrace, 'request_header:x-tenant': 'acme',
        'response_header:content-type': 'text/plain', start_time: undefined, duration_ms: undefined,
      });
      // The request's start on the host's clock: between the test's reads before and after the exchange (ms rounding aside).
      assert.ok(Date.parse(entry.start_time) >= Math.floor(started) - 1 && Date.parse(entry.start_time) <= hostNow() + 1, `start_time ${entry.start_time}`);
      assert.equal(typeof entry.duration_ms, 'number');
    });
  });
});

describe('access log: the caller\'s principal', () => {
  test('a caller\'s SPIFFE ID when it has one; null on plain text or an empty principal', async () => {
    await withTelemetry({ config: { accessLog: { fields: ['client_address', 'principal', 'status'] } } }, async (filter) => {
      await filter.exchange({ properties: { ...routed, 'source.principal': ordersPrincipal } });
      await filter.exchange({ properties: routed });
      await filter.exchange({ properties: { ...routed, 'source.principal': '' } });
      const entries = filter.logs.filter((l) => l.message.startsWith('{')).map((l) => JSON.parse(l.message) as unknown);
      assert.deepEqual(entries, [
        { client_address: '10.1.2.3', principal: ordersPrincipal, status: 200 },
        { client_address: '10.1.2.3', principal: null, status: 200 },
        { client_address: '10.1.2.3', principal: null, status: 200 },
      ]);
    });
  });
});

describe('configuration', () => {
  const bad: [string, object, string][] = [
    ['an unknown access log field', { accessLog: { fields: ['method', 'colour'] } }, '/accessLog/fields/1 is not a known field'],
    ['a sampling rate above 1', { tracing: { collectorCluster: 'otel', samplingRate: 2 } }, '/tracing/samplingRate must be <= 1'],
    ['tracing without a collector', { tracing: {} }, '/tracing must have required property "collectorCluster"'],
  ];
  for (const [what, config, message] of bad) {
    test(`the filter refuses ${what}, naming the path`, async () => {
      const errors = await configRejection(bytes, config);
      assert.ok(errors.includes(`telemetry: invalid config: ${message}`), errors.join('\n'));
    });
  }
});

describe('README examples', () => {
  const readme = new URL('README.md', import.meta.url).pathname;

  test('every example fits the schema and configures the filter', async () => {
    await assertReadmeExamplesConfigure(readme, bytes, { otel: collector().handler });
  });

  test('metrics-only: RED metrics, no trace headers added', async () => {
    await withTelemetry({ config: readmeExample(readme, 'metrics-only') }, async (filter) => {
      const exchange = await filter.exchange({ properties: routed });
      assert.equal(exchange.upstream?.header('traceparent'), undefined);
      assert.equal(filter.metric('weft_filter_requests_total{route="api",cluster="orders",code="200"}'), 1);
    });
  });

  test('tracing: continued traces are exported to otel under the service name', async () => {
    const { posts, handler } = collector();
    await withTelemetry({ config: readmeExample(readme, 'tracing'), clusters: { otel: handler } }, async (filter) => {
      await filter.exchange({ headers: { traceparent: `00-${incomingTrace}-${incomingParent}-01` } });
      await filter.until(() => posts.length === 1, () => 'an export', 4000);
      const body = JSON.parse(posts[0].body);
      assert.equal(body.resourceSpans[0].resource.attributes[0].value.stringValue, 'shop-edge');
      assert.equal(body.resourceSpans[0].scopeSpans[0].spans[0].traceId, incomingTrace);
    });
  });

  test('mesh-access-log: who called, in the order configured', async () => {
    await withTelemetry({ config: readmeExample(readme, 'mesh-access-log') }, async (filter) => {
      await filter.exchange({ method: 'POST', path: '/orders', properties: { 'source.principal': ordersPrincipal } }, { status: 201 });
      const entry = JSON.parse(filter.logs.find((l) => l.message.startsWith('{'))!.message) as Record<string, unknown>;
      assert.deepEqual(Object.keys(entry), ['start_time', 'principal', 'method', 'path', 'status', 'duration_ms']);
      assert.deepEqual([entry.principal, entry.method, entry.path, entry.status], [ordersPrincipal, 'POST', '/orders', 201]);
    });
  });

  test('everything: prefixed metrics, B3 ignored, an access log line', async () => {
    await withTelemetry({ config: readmeExample(readme, 'everything'), clusters: { otel: collector().handler } }, async (filter) => {
      const exchange = await filter.exchange({ headers: { b3: `${incomingTrace}-${incomingParent}-1`, 'x-tenant': 'acme' }, properties: routed });
      assert.ok(!exchange.upstream!.header('traceparent')!.includes(incomingTrace));
      assert.equal(filter.metric('edge_requests_total{route="api",cluster="orders",code="200"}'), 1);
      const entry = JSON.parse(filter.logs.find((l) => l.message.startsWith('{'))!.message);
      assert.deepEqual([entry.route, entry['request_header:x-tenant'], entry.client_address], ['api', 'acme', '10.1.2.3']);
    });
  });
});

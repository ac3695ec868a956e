// End to end through `weft proxy`: real @grpc/grpc-js clients and servers, unary and bidirectional calls, statuses and trailers, gRPC-shaped refusals.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startProxy } from './support/proxy.ts';
import type { RunningProxy } from './support/proxy.ts';
import { closedPort } from './support/upstream.ts';
import { writeConfig } from './support/config.ts';
import { watFile } from './support/filters.ts';
import { echoClient, grpc, say, startGrpcServer } from './support/grpc.ts';
import type { EchoClient, Note } from './support/grpc.ts';

let upstream: Awaited<ReturnType<typeof startGrpcServer>>;
let proxy: RunningProxy;
let client: EchoClient;

/** A filter that answers every request 403 "no entry" itself, giving proxy_send_local_response `grpcStatus`. */
function denyingFilter(name: string, grpcStatus: number): Promise<string> {
  return watFile(name, `(module
    (import "env" "proxy_send_local_response" (func $local (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 1)
    (data (i32.const 16) "no entry")
    (func (export "proxy_abi_version_0_2_1"))
    (func (export "malloc") (param i32) (result i32) (i32.const 1024))
    (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
      (drop (call $local (i32.const 403) (i32.const 0) (i32.const 0) (i32.const 16) (i32.const 8) (i32.const 0) (i32.const 0) (i32.const ${grpcStatus})))
      (i32.const 1)))`);
}

before(async () => {
  upstream = await startGrpcServer();
  const config = writeConfig(`
listen: 127.0.0.1:0
workers: 1
filters:
  - { name: deny, module: ${await denyingFilter('grpc-deny', -1)} }
  - { name: deny-unauthenticated, module: ${await denyingFilter('grpc-deny-16', 16)} }
clusters:
  - { name: echo, endpoints: ["${upstream.url}"], protocol: http2 }
  - { name: gone, endpoints: ["http://127.0.0.1:${await closedPort()}"], protocol: http2 }
routes:
  - name: denied
    match: { headers: { x-case: deny } }
    cluster: echo
    filters: { deny-unauthenticated: { disabled: true } }
  - name: unauthenticated
    match: { headers: { x-case: unauthenticated } }
    cluster: echo
    filters: { deny: { disabled: true } }
  - name: gone
    match: { headers: { x-case: gone } }
    cluster: gone
    filters: { deny: { disabled: true }, deny-unauthenticated: { disabled: true } }
  - name: echo
    cluster: echo
    filters: { deny: { disabled: true }, deny-unauthenticated: { disabled: true } }
`);
  proxy = await startProxy(['--config', config]);
  client = echoClient(`127.0.0.1:${proxy.port}`);
});

after(async () => {
  // Everything is stopped before the exit code is checked: a hook that throws skips the hooks after it.
  client?.close();
  const [code] = await Promise.all([proxy?.stop(), upstream?.stop()]);
  assert.equal(code, 0, 'the proxy exits 0 on SIGTERM');
});

function withCase(value: string): grpc.Metadata {
  const m = new grpc.Metadata();
  m.set('x-case', value);
  return m;
}

test('a unary call passes through with its reply, status OK and trailers', async () => {
  const { reply, err, trailers } = await say(client, 'hello');
  assert.equal(err, undefined);
  assert.deepEqual(reply, { text: 'echo: hello' });
  assert.deepEqual(trailers.get('x-trailer'), ['unary']);
});

test("an upstream's error status reaches the client as sent (a trailers-only response)", async () => {
  const { err } = await say(client, 'missing');
  assert.equal(err?.code, grpc.status.NOT_FOUND);
  assert.equal(err?.details, 'no such note');
});

test('a bidirectional stream is full duplex: each note is answered before the next is sent, then status and trailers', async () => {
  const call = client.Chat();
  const replies: string[] = [];
  const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
  const next = () => new Promise<Note>((resolve, reject) => {
    call.once('data', resolve);
    call.once('error', reject);
  });
  for (const text of ['one', 'two', 'three']) {
    const answer = next();
    call.write({ text });
    // The upstream answers only what it received: a proxy that waited for the whole request would hang here.
    replies.push((await answer).text);
  }
  call.end();
  const s = await status;
  assert.deepEqual(replies, ['echo: one', 'echo: two', 'echo: three']);
  assert.equal(s.code, grpc.status.OK);
  assert.deepEqual(s.metadata.get('x-trailer'), ['stream']);
  assert.deepEqual(s.metadata.get('x-count'), ['3']);
});

test("a filter's local 403 reaches the gRPC client as PERMISSION_DENIED with its body as the message", async () => {
  const { err, trailers } = await say(client, 'hello', withCase('deny'));
  assert.equal(err?.code, grpc.status.PERMISSION_DENIED);
  assert.equal(err?.details, 'no entry');
  assert.deepEqual(trailers.get('x-trailer'), []);
});

test('the grpc_status a filter gives proxy_send_local_response is the status the client gets', async () => {
  const { err } = await say(client, 'hello', withCase('unauthenticated'));
  assert.equal(err?.code, grpc.status.UNAUTHENTICATED);
  assert.equal(err?.details, 'no entry');
});

test("Weft's own error replies are gRPC statuses too: an unreachable upstream is UNAVAILABLE, with the error code", async () => {
  const { err, trailers } = await say(client, 'hello', withCase('gone'));
  assert.equal(err?.code, grpc.status.UNAVAILABLE);
  assert.match(err?.details ?? '', /upstream connect error/);
  assert.deepEqual(trailers.get('x-weft-error'), ['WEFT_ERR_UPSTREAM_CONNECT']);
});

test('gRPC calls are counted by grpc-status on /metrics', async () => {
  const text = await (await fetch(`${proxy.admin}/metrics`)).text();
  const count = (route: string, status: number) => Number(new RegExp(`weft_grpc_requests_total\\{route="${route}",cluster="[^"]*",grpc_status="${status}"[^}]*\\} (\\d+)`).exec(text)?.[1] ?? 0);
  assert.ok(count('echo', 0) >= 2, text);
  assert.ok(count('echo', 5) >= 1);
  assert.ok(count('denied', 7) >= 1);
  assert.ok(count('gone', 14) >= 1);
});

// `weft demo` (what `npm run demo` runs) shows traffic flowing through a real proxy, then stops cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runWeft } from './support/proxy.ts';

test('the demo starts a proxy, sends traffic, prints a live summary and exits 0', async () => {
  const { code, stdout, stderr } = await runWeft(['demo', '--duration', '3s', '--rate', '40']);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /proxy {5}http:\/\/127\.0\.0\.1:\d+/);
  assert.match(stdout, /metrics {3}http:\/\/127\.0\.0\.1:\d+\/metrics/);
  const last = stdout.split('\n').filter((l) => l.startsWith('sent')).pop() ?? '';
  const ok = Number(/200×(\d+)/.exec(last)?.[1] ?? 0);
  assert.ok(ok > 20, `traffic flowed: ${last}`);
  assert.match(last, /404×\d+/, 'the unrouted path gets 404s');
  assert.match(last, /orders-a=\d+ .*orders-b=\d+|orders-b=\d+ .*orders-a=\d+/, 'both instances answered');
  assert.match(stdout, /stopped \(proxy exit code 0\)/);
});

// Bad input around TCP services, refused by the real CLI in one line with its path: routes to a TCP cluster, TCP-only fields, --app-protocol.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../plane/test/support.ts';
import { runWeft } from './support/proxy.ts';

function config(yaml: string): string {
  const file = join(tempDir('tcp-config'), 'weft.yaml');
  writeFileSync(file, yaml);
  return file;
}

test('an HTTP route naming a TCP cluster, and idleTimeout on an HTTP cluster, are refused with their paths', async () => {
  const file = config(`listen: 127.0.0.1:0
clusters:
  - { name: db, endpoints: [http://127.0.0.1:6379], protocol: tcp, idleTimeout: 5m }
  - { name: app, endpoints: [http://127.0.0.1:3000], idleTimeout: 5m }
routes:
  - { match: { prefix: /db }, cluster: db }
  - { cluster: app }
`);
  const r = await runWeft(['proxy', '--config', file, '--admin', 'off']);
  assert.equal(r.code, 2);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^weft proxy: invalid config .*weft\.yaml: /);
  assert.match(lines[0], /clusters\[1\]\.idleTimeout: only for protocol: tcp/);
  assert.match(lines[0], /routes\[0\]\.cluster: cluster "db" is protocol: tcp \(opaque bytes, reached through a sidecar's --bind port\); an HTTP route cannot send requests to it/);
  assert.match(lines[0], /\(WEFT_ERR_CONFIG_INVALID\)$/);
});

test('--app-protocol takes http1, http2, auto or tcp, and only on a sidecar', async () => {
  const unknown = await runWeft(['proxy', '--listen', '127.0.0.1:0', '--upstream', 'http://127.0.0.1:1', '--app-protocol', 'tpc']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^weft proxy: --app-protocol: expected one of http1, http2, auto, tcp, got "tpc"; did you mean "tcp"\? \(WEFT_ERR_USAGE\)\n$/);
  const stray = await runWeft(['proxy', '--listen', '127.0.0.1:0', '--upstream', 'http://127.0.0.1:1', '--app-protocol', 'tcp']);
  assert.equal(stray.code, 2);
  assert.match(stray.stderr, /^weft proxy: --app-protocol is a sidecar flag: give --service NAME too \(WEFT_ERR_USAGE\)\n$/);
});

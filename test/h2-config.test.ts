// The HTTP/2 settings of the config file: a listener certificate and a cluster's protocol, each bad value named by its path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { runWeft } from './support/proxy.ts';
import { writeConfig } from './support/config.ts';

const tlsDir = fileURLToPath(new URL('fixtures/tls/', import.meta.url));

async function refused(yaml: string): Promise<string> {
  const r = await runWeft(['proxy', '--config', writeConfig(`listen: 127.0.0.1:0\n${yaml}`)]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /WEFT_ERR_CONFIG_INVALID/);
  return r.stderr;
}

const cluster = 'routes: [{ cluster: app }]\nclusters:\n  - { name: app, endpoints: ["http://127.0.0.1:1"]';

test('a cluster protocol other than http1 or http2 is refused, naming its path', async () => {
  assert.match(await refused(`${cluster}, protocol: http3 }`), /clusters\[0\]\.protocol: must be one of http1, http2/);
});

test('a listener certificate that cannot be read is refused, naming tls.cert', async () => {
  assert.match(await refused(`tls: { cert: /nonexistent/cert.pem, key: ${tlsDir}key.pem }\n${cluster} }`), /tls\.cert: cannot read \/nonexistent\/cert\.pem: no such file or folder \(ENOENT\)/);
});

test('a tls block without its key is refused, naming tls.key', async () => {
  assert.match(await refused(`tls: { cert: ${tlsDir}cert.pem }\n${cluster} }`), /tls\.key: is required/);
});

test('a key that does not belong to the certificate is refused at load, not at the first handshake', async () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const other = writeConfig(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 'other-key.pem');
  assert.match(await refused(`tls: { cert: ${tlsDir}cert.pem, key: ${other} }\n${cluster} }`), /tls: the certificate and key cannot be used together/);
});

// A plane behind TLS (an https:// --plane URL, as a TLS terminator in front of `weft plane` gives): the calls go over node:https and verify the plane's certificate against the trust store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import https from 'node:https';
import { once } from 'node:events';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import { createTestCa } from './support/test-ca.ts';

const planeRequestModule = pathToFileURL(fileURLToPath(new URL('../core/control/plane-request.ts', import.meta.url))).href;

/** One plane call in a fresh process (NODE_EXTRA_CA_CERTS is read at start): its status and body, or its error's message. */
function callInChild(url: string, env: Record<string, string>): Promise<string> {
  const script = `import { PlaneAgent, planeRequest } from ${JSON.stringify(planeRequestModule)};
const agent = new PlaneAgent();
try {
  const res = await planeRequest(process.argv[1], { agent, method: 'POST', body: 'hello', headersTimeout: 10000 });
  console.log(res.statusCode, await res.body.text());
} catch (err) {
  console.log('error', err.code, err.message);
} finally {
  agent.close();
}`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script, url], { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(stdout.trim());
    });
  });
}

test('an https:// plane is called over node:https and verified against the trust store', async (t) => {
  const ca = await createTestCa('plane-https');
  const leaf = await ca.issue('plane', { names: ['localhost'] });
  const server = https.createServer({ cert: leaf.cert, key: leaf.key }, (req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => res.end(`${req.method} ${req.url} ${body}`));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const url = `https://localhost:${(server.address() as AddressInfo).port}/v1/nodes/a/ack`;

  await t.test('with the plane\'s CA trusted, the call is answered', async () => {
    assert.equal(await callInChild(url, { NODE_EXTRA_CA_CERTS: ca.certFile }), '200 POST /v1/nodes/a/ack hello');
  });

  await t.test('without it, the call fails on the certificate and says so', async () => {
    const out = await callInChild(url, {});
    assert.match(out, /^error \S+ .*(certificate|self-signed|issuer)/i);
  });
});

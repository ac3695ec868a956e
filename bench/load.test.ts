// Both load drivers against a real counting server: what they report matches what the server saw.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { runLoad, type Driver } from './load.ts';
import { hasCommand } from './tools.ts';

let server: Server;
let url: string;
let served = 0;
const seenHeaders: string[] = [];

before(async () => {
  server = createServer((req, res) => {
    served++;
    seenHeaders.push(String(req.headers['x-bench']));
    res.statusCode = req.url === '/fail' ? 500 : 200;
    res.end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

// wrk is what CI installs; the Node driver is the fallback and must agree with it.
const drivers: Driver[] = hasCommand('wrk') ? ['wrk', 'node'] : ['node'];

for (const driver of drivers) {
  describe(`the ${driver} driver`, () => {
    test('saturated load: counts every request the server answered, sends the headers, no errors', async () => {
      const servedBefore = served;
      seenHeaders.length = 0;
      const r = await runLoad(driver, { url: `${url}/`, connections: 4, seconds: 1, thinkMs: 0, headers: { 'x-bench': 'yes' } });
      const answered = served - servedBefore;
      assert.equal(r.errors, 0);
      // Requests still in flight when time is up reach the server but are not counted by the driver.
      assert.ok(r.requests <= answered && r.requests >= answered - 4, `driver ${r.requests}, server ${answered}`);
      assert.ok(r.requests > 0, 'no requests');
      assert.ok(seenHeaders.every((h) => h === 'yes'));
      assert.ok(r.latencyUs.p50 > 0 && r.latencyUs.p50 <= r.latencyUs.p99 && r.latencyUs.p99 <= r.latencyUs.max);
    });

    test('think time paces each connection to about one request per think time', async () => {
      const r = await runLoad(driver, { url: `${url}/`, connections: 5, seconds: 2, thinkMs: 20, headers: {} });
      const expected = (5 * 1000) / 20;
      const rps = r.requests / r.seconds;
      // Paced, not saturated (unpaced, this server answers thousands a second). No floor: on a busy machine slow
      // responses and late timers stretch each cycle (66 req/s of 250 seen under a full test run with other load).
      assert.ok(r.requests > 0 && rps < expected * 1.3, `${rps.toFixed(0)} req/s, expected at most about ${expected}`);
    });

    test('an error status counts as an error', async () => {
      const r = await runLoad(driver, { url: `${url}/fail`, connections: 2, seconds: 1, thinkMs: 0, headers: {} });
      assert.ok(r.requests > 0);
      assert.equal(r.errors, r.requests);
    });
  });
}

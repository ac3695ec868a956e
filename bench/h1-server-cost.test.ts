// bench/h1-server-cost.ts end to end, one short round each way: every server variant answers the load driver without errors and is charged its CPU; no figure is judged.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { h1Report, h1ServerCost } from './h1-server-cost.ts';
import type { CostOptions } from './h1-server-cost.ts';
import { hasCommand } from './tools.ts';

// nginx as the reference proxy where it is installed (the bench's upstream falls back to a Node server without it).
const nginx = hasCommand('nginx');

for (const proxied of [false, true]) {
  test(`the HTTP/1.1 server cost bench measures every ${proxied ? 'proxying' : 'answering'} server`, async () => {
    const o: CostOptions = { rounds: 1, seconds: 1, connections: 4, proxied, weft: proxied, nginx: proxied && nginx, mode: 'together' };
    const c = await h1ServerCost(o);
    const expected = proxied ? ['node-http-proxy', 'llhttp-proxy', 'weft', ...(nginx ? ['nginx'] : [])] : ['node-http', 'llhttp', 'raw'];
    assert.deepEqual(c.variants, expected);
    for (const v of c.variants) {
      assert.equal(c.errors[v], 0, `${v}: ${JSON.stringify(c)}`);
      assert.ok(c.rps[v][0] > 0 && c.cpuUsPerRequest[v][0] > 0, `${v}: ${JSON.stringify(c)}`);
    }
    assert.match(h1Report(c, o), proxied ? /^\| node-http-proxy − llhttp-proxy \| -?[\d.]+ \(/m : /^\| node-http − llhttp \| -?[\d.]+ \(/m);
  });
}

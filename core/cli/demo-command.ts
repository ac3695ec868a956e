// `weft demo`: a sample service (two instances), a 2-worker proxy in front of it, steady traffic and a live summary.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flagsHelp, parseFlags, usageError } from './flags.ts';
import type { FlagSpec } from './flags.ts';
import { parseDuration } from '../config/duration.ts';
import { startSampleService } from '../demo/sample-service.ts';
import { Traffic } from '../demo/traffic.ts';
import { spawnProxy } from '../proxy/spawn.ts';

const demoFlags: FlagSpec[] = [
  { name: 'rate', value: 'N', help: 'requests per second of demo traffic', defaultText: '50' },
  { name: 'duration', value: 'DURATION', help: 'stop by itself after this long', defaultText: 'until Ctrl-C' },
];

export async function main(argv: string[]): Promise<number> {
  const { values } = parseFlags(demoFlags, argv, process.env);
  if (values.help) {
    console.log(flagsHelp('usage: weft demo [--rate N] [--duration D]', demoFlags));
    return 0;
  }
  const rate = Number(values.rate ?? 50);
  const durationMs = values.duration === undefined ? undefined : parseDuration(String(values.duration));
  if (!(rate > 0) || (values.duration !== undefined && durationMs === undefined)) throw usageError('--rate takes a number above 0 and --duration a duration such as 30s');

  const services = [await startSampleService('orders-a'), await startSampleService('orders-b')];
  const config = join(mkdtempSync(join(tmpdir(), 'weft-demo-')), 'demo.yaml');
  writeFileSync(config, [
    'listen: 127.0.0.1:0',
    'admin: 127.0.0.1:0',
    'workers: 2',
    'clusters:',
    `  - { name: orders, lb: least_request, endpoints: [${services.map((s) => `"${s.url}"`).join(', ')}] }`,
    'routes:',
    '  - name: orders-api',
    '    match: { prefix: /orders }',
    '    cluster: orders',
    '    timeout: 2s',
    '    retries: { attempts: 2, on: [503, connect-failure] }',
    '',
  ].join('\n'));
  const proxy = await spawnProxy(['--config', config]);
  const traffic = new Traffic(proxy.url, ['/orders/1', '/orders/2', '/orders?status=open', '/nowhere']);
  traffic.start(rate);

  console.log(`Weft demo: a 2-worker proxy in front of two instances of a sample "orders" service.

  proxy     ${proxy.url}        try: curl -i ${proxy.url}/orders/42
  metrics   ${proxy.admin}/metrics
  config    ${proxy.admin}/config   (generated from ${config})
  ready     ${proxy.admin}/ready

Sending ${rate} requests/s (/nowhere matches no route on purpose: 404 with x-weft-error; the service's rare 503s are retried).
Press Ctrl-C to stop.
`);
  const ticker = setInterval(() => console.log(traffic.summary()), 2000);

  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
    if (durationMs !== undefined) setTimeout(resolve, durationMs).unref();
  });
  clearInterval(ticker);
  await traffic.stop();
  console.log(traffic.summary());
  const code = await proxy.stop();
  await Promise.all(services.map((s) => s.close()));
  console.log(`stopped (proxy exit code ${code})`);
  return code === 0 ? 0 : 1;
}

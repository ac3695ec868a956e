// `weft service register|heartbeat|deregister|list`: endpoints of named services, kept alive by heartbeats.
import type { CommandGroup } from '../../core/cli/command.ts';
import { failureLine } from '../../core/cli/failure.ts';
import { durationFlag, usageError } from '../../core/cli/flags.ts';
import type { FlagValues } from '../../core/cli/flags.ts';
import type { ServiceInstance } from '../model.ts';
import { planeClient } from './client.ts';
import type { PlaneClient } from './client.ts';
import { ago, planeCommands, table } from './run.ts';

const endpointFlag = { name: 'endpoint', value: 'URL', help: 'http://HOST:PORT of the instance' };

function tagsOf(values: FlagValues): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const t of (values.tag as string[] | undefined) ?? []) {
    const eq = t.indexOf('=');
    if (eq <= 0) throw usageError(`--tag: expected KEY=VALUE, got "${t}"`);
    tags[t.slice(0, eq)] = t.slice(eq + 1);
  }
  return tags;
}

/** Heartbeats three times per TTL until SIGTERM/SIGINT, then deregisters. */
async function keepAlive(client: PlaneClient, name: string, endpoint: string, ttlMs: number): Promise<void> {
  await new Promise<void>((done) => {
    const timer = setInterval(() => {
      client.call('POST', `/v1/services/${name}/heartbeat`, { endpoint }).catch((err: unknown) => console.error(failureLine('service register', err, 'heartbeat failed, retrying')));
    }, Math.max(100, Math.floor(ttlMs / 3)));
    const stop = () => {
      clearInterval(timer);
      client.call('DELETE', `/v1/services/${name}/instances?endpoint=${encodeURIComponent(endpoint)}`).finally(done).catch(() => undefined);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

export const serviceCommands: CommandGroup = planeCommands({
  register: {
    usage: 'weft service register NAME --endpoint URL [--tag K=V]... [--protocol http1|http2|tcp] [--ttl 10s] [--keep]',
    summary: 'add an endpoint to a service; with --ttl it drops out unless heartbeated (--keep heartbeats until stopped, then deregisters)',
    flags: [
      endpointFlag,
      { name: 'tag', value: 'K=V', help: 'instance tag, matched by clusters that name the service with tags', multiple: true },
      { name: 'protocol', value: 'PROTO', help: 'what the app speaks: http1, http2 (h2c, gRPC) or tcp (opaque bytes: callers\' bound ports tunnel to it); sidecars speak it to the app', defaultText: 'not declared' },
      { name: 'ttl', value: 'DURATION', help: 'drop the endpoint this long after its last heartbeat', defaultText: 'never' },
      { name: 'keep', help: 'stay running and heartbeat (needs --ttl)' },
    ],
    args: ['NAME'],
    async run([name], values) {
      if (!values.endpoint) throw usageError('--endpoint URL is required');
      const ttlMs = durationFlag(values.ttl as string | undefined, 'ttl') ?? 0;
      if (values.keep && !ttlMs) throw usageError('--keep needs --ttl');
      const client = planeClient(values);
      const i = await client.call<ServiceInstance>('PUT', `/v1/services/${name}/instances`, { endpoint: values.endpoint, tags: tagsOf(values), ttlMs, protocol: values.protocol });
      console.log(`registered ${i.endpoint} in ${i.service}${ttlMs ? ` (ttl ${ttlMs} ms)` : ''}`);
      if (values.keep) await keepAlive(client, name, i.endpoint, ttlMs);
      return 0;
    },
  },
  heartbeat: {
    usage: 'weft service heartbeat NAME --endpoint URL',
    summary: "renew an instance's TTL",
    args: ['NAME'],
    flags: [endpointFlag],
    async run([name], values) {
      if (!values.endpoint) throw usageError('--endpoint URL is required');
      await planeClient(values).call('POST', `/v1/services/${name}/heartbeat`, { endpoint: values.endpoint });
      return 0;
    },
  },
  deregister: {
    usage: 'weft service deregister NAME --endpoint URL',
    summary: 'remove an endpoint from a service',
    args: ['NAME'],
    flags: [endpointFlag],
    async run([name], values) {
      if (!values.endpoint) throw usageError('--endpoint URL is required');
      await planeClient(values).call('DELETE', `/v1/services/${name}/instances?endpoint=${encodeURIComponent(String(values.endpoint))}`);
      console.log(`deregistered ${String(values.endpoint)} from ${name}`);
      return 0;
    },
  },
  list: {
    usage: 'weft service list [--json]',
    summary: 'live instances of every service',
    args: [],
    flags: [{ name: 'json', help: 'print JSON' }],
    async run(_positionals, values) {
      const list = await planeClient(values).call<ServiceInstance[]>('GET', '/v1/services');
      if (values.json) {
        console.log(JSON.stringify(list, null, 2));
        return 0;
      }
      const rows = [['SERVICE', 'ENDPOINT', 'PROTOCOL', 'TAGS', 'TTL', 'HEARTBEAT']];
      for (const i of list) {
        rows.push([i.service, i.endpoint, i.protocol ?? '-', Object.entries(i.tags).map(([k, v]) => `${k}=${v}`).join(',') || '-', i.ttlMs ? `${i.ttlMs / 1000}s` : '-', ago(i.lastHeartbeat)]);
      }
      console.log(table(rows));
      return 0;
    },
  },
});

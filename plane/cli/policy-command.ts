// `weft policy list|get|delete`: the authorization policies on the plane (`weft apply -f policy.yaml` stores them).
import { stringify as toYaml } from 'yaml';
import type { CommandGroup } from '../../core/cli/command.ts';
import type { PolicyRecord } from '../model.ts';
import { planeClient } from './client.ts';
import type { PlaneClient } from './client.ts';
import { ago, planeCommands, table } from './run.ts';

/**
 * Without a service: one line per policy. With one: its document as YAML, defaults filled in, so what is printed
 * can be edited and applied again.
 */
export async function printPolicies(client: PlaneClient, service: string | undefined, json: boolean): Promise<number> {
  if (service !== undefined) {
    const r = await client.call<PolicyRecord>('GET', `/v1/policies/${encodeURIComponent(service)}`);
    if (json) console.log(JSON.stringify(r, null, 2));
    else process.stdout.write(`# revision ${r.revision}, applied ${ago(r.appliedAt)} from ${r.source}\n${toYaml(r.policy)}`);
    return 0;
  }
  const list = await client.call<PolicyRecord[]>('GET', '/v1/policies');
  if (json) console.log(JSON.stringify(list, null, 2));
  else if (!list.length) console.log('no authorization policies (every service admits every caller)');
  else {
    console.log(table([
      ['SERVICE', 'MODE', 'DEFAULT', 'RULES', 'REVISION', 'APPLIED', 'SOURCE'],
      ...list.map((r) => [r.policy.service, r.policy.mode, r.policy.default, r.policy.rules.map((x) => `${x.action}:${x.name}`).join(',') || '-', String(r.revision), ago(r.appliedAt), r.source]),
    ]));
  }
  return 0;
}

const json = { name: 'json', help: 'print JSON' };

export const policyCommands: CommandGroup = planeCommands({
  list: {
    usage: 'weft policy list [--json]',
    summary: "every service's authorization policy: mode, default, rules (action:name), revision",
    args: [],
    flags: [json],
    run: (_positionals, values) => printPolicies(planeClient(values), undefined, Boolean(values.json)),
  },
  get: {
    usage: 'weft policy get SERVICE [--json]',
    summary: "one service's policy as YAML (defaults filled in), ready to edit and apply again",
    args: ['SERVICE'],
    flags: [json],
    run([service], values) {
      return printPolicies(planeClient(values), service, Boolean(values.json));
    },
  },
  delete: {
    usage: 'weft policy delete SERVICE',
    summary: "remove a service's policy: its sidecars then admit every caller again",
    args: ['SERVICE'],
    flags: [],
    async run([service], values) {
      await planeClient(values).call('DELETE', `/v1/policies/${encodeURIComponent(service)}`);
      console.log(`deleted the policy of ${service}`);
      return 0;
    },
  },
});

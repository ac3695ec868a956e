// `weft filter push|list|rollback|delete`: the plane's filter registry from the command line.
import { readFile } from 'node:fs/promises';
import { usageError } from '../../core/cli/flags.ts';
import { signModule } from '../../core/control/signature.ts';
import { parseFilterRef } from '../model.ts';
import type { FilterVersion } from '../model.ts';
import { planeClient } from './client.ts';
import { ago, runGroup, table } from './run.ts';
import type { Subcommand } from './run.ts';

type Listed = { name: string; versions: (FilterVersion & { current: boolean; inUse: string })[] }[];

const subcommands: Record<string, Subcommand> = {
  push: {
    usage: 'weft filter push NAME FILE.wasm --version V [--sign KEY.pem] [--hold]',
    summary: 'store an immutable version after the plane has started it in its sandbox; unpinned chain entries run it at once unless --hold',
    flags: [
      { name: 'version', value: 'V', help: 'the version label (immutable once pushed)' },
      { name: 'sign', value: 'KEY.pem', help: 'ed25519 private key: sign the module for proxies started with --trust-key' },
      { name: 'hold', help: 'store and check only; deploy later with weft rollout start NAME@V' },
    ],
    async run([name, file], values) {
      if (!name || !file) throw usageError('usage: weft filter push NAME FILE.wasm --version V');
      if (!values.version) throw usageError('--version V is required');
      const bytes = new Uint8Array(await readFile(file));
      const headers: Record<string, string> = { 'content-type': 'application/wasm' };
      if (values.sign) headers['x-weft-signature'] = signModule(bytes, await readFile(String(values.sign), 'utf8'));
      const query = values.hold ? '?hold=1' : '';
      const v = await planeClient(values).call<FilterVersion>('PUT', `/v1/filters/${name}/versions/${encodeURIComponent(String(values.version))}${query}`, bytes, headers);
      console.log(`pushed ${v.name}@${v.version} sha256:${v.sha256}${v.signature ? ' (signed)' : ''}${values.hold ? ' (held)' : ''}`);
      return 0;
    },
  },
  list: {
    usage: 'weft filter list [--json]',
    summary: 'every pushed version: digest, when, current (what unpinned entries run) and what keeps it in use',
    flags: [{ name: 'json', help: 'print JSON' }],
    async run(_positionals, values) {
      const list = await planeClient(values).call<Listed>('GET', '/v1/filters');
      if (values.json) {
        console.log(JSON.stringify(list, null, 2));
        return 0;
      }
      const rows = [['FILTER', 'VERSION', 'SHA256', 'SIGNED', 'PUSHED', 'CURRENT', 'IN USE']];
      for (const f of list) {
        for (const v of f.versions) {
          rows.push([f.name, v.version, v.sha256.slice(0, 12), v.signature ? 'yes' : 'no', ago(v.pushedAt), v.current ? '*' : '', v.inUse]);
        }
      }
      console.log(table(rows));
      return 0;
    },
  },
  rollback: {
    usage: 'weft filter rollback NAME',
    summary: 'point NAME back at the version pushed before the current one',
    flags: [],
    async run([name], values) {
      if (!name) throw usageError('usage: weft filter rollback NAME');
      const r = await planeClient(values).call<{ from: string; to: string }>('POST', `/v1/filters/${name}/rollback`);
      console.log(`${name}: ${r.from} -> ${r.to}`);
      return 0;
    },
  },
  delete: {
    usage: 'weft filter delete NAME@VERSION',
    summary: 'delete a version nothing uses (not current, not pinned, not in a rollout)',
    flags: [],
    async run([ref], values) {
      const { name, pin } = parseFilterRef(ref ?? '');
      if (!name || !pin) throw usageError('usage: weft filter delete NAME@VERSION');
      await planeClient(values).call('DELETE', `/v1/filters/${name}/versions/${encodeURIComponent(pin)}`);
      console.log(`deleted ${name}@${pin}`);
      return 0;
    },
  },
};

/** The registry half of `weft filter` (the SDK's tools own new, build, test and inspect). */
export const REGISTRY_SUBCOMMANDS = Object.keys(subcommands);

export function main(argv: string[]): Promise<number> {
  return runGroup('filter', subcommands, argv);
}

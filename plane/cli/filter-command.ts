// `weft filter push|list|rollback|delete`: the plane's filter registry from the command line.
import type { CommandGroup } from '../../core/cli/command.ts';
import { readInputFile } from '../../core/cli/files.ts';
import { usageError } from '../../core/cli/flags.ts';
import { signModule } from '../../core/control/signature.ts';
import { WeftError } from '../../core/errors.ts';
import { parseFilterRef } from '../model.ts';
import type { FilterVersion } from '../model.ts';
import { planeClient } from './client.ts';
import { ago, planeCommands, table } from './run.ts';

/** The module's signature with the --sign key, whose problems (not PEM, not ed25519) are usage errors naming it. */
async function signWith(file: string, bytes: Uint8Array): Promise<string> {
  const pem = (await readInputFile(file, 'signing key')).toString('utf8');
  try {
    return signModule(bytes, pem);
  } catch (err) {
    throw usageError(`--sign ${file}: ${err instanceof WeftError ? err.message : `not a PEM private key (${(err as Error).message})`}`);
  }
}

type Listed = { name: string; versions: (FilterVersion & { current: boolean; inUse: string })[] }[];

/** The registry half of `weft filter` (the SDK's tools own new, build, test and inspect). */
export const registryCommands: CommandGroup = planeCommands({
  push: {
    usage: 'weft filter push NAME FILE.wasm --version V [--sign KEY.pem] [--hold]',
    summary: 'store an immutable version after the plane has started it in its sandbox; unpinned chain entries run it at once unless --hold',
    flags: [
      { name: 'version', value: 'V', help: 'the version label (immutable once pushed)' },
      { name: 'sign', value: 'KEY.pem', help: 'ed25519 private key: sign the module for proxies started with --trust-key' },
      { name: 'hold', help: 'store and check only; deploy later with weft rollout start NAME@V' },
    ],
    args: ['NAME', 'FILE.wasm'],
    async run([name, file], values) {
      if (!values.version) throw usageError('--version V is required (versions are immutable labels, such as 1.0.0)');
      const bytes = new Uint8Array(await readInputFile(file, 'module'));
      const headers: Record<string, string> = { 'content-type': 'application/wasm' };
      if (values.sign) headers['x-weft-signature'] = await signWith(String(values.sign), bytes);
      const query = values.hold ? '?hold=1' : '';
      const v = await planeClient(values).call<FilterVersion>('PUT', `/v1/filters/${encodeURIComponent(name)}/versions/${encodeURIComponent(String(values.version))}${query}`, bytes, headers);
      console.log(`pushed ${v.name}@${v.version} sha256:${v.sha256}${v.signature ? ' (signed)' : ''}${values.hold ? ' (held)' : ''}`);
      return 0;
    },
  },
  list: {
    usage: 'weft filter list [--json]',
    summary: 'every pushed version: digest, when, current (what unpinned entries run) and what keeps it in use',
    args: [],
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
    args: ['NAME'],
    flags: [],
    async run([name], values) {
      const r = await planeClient(values).call<{ from: string; to: string }>('POST', `/v1/filters/${encodeURIComponent(name)}/rollback`);
      console.log(`${name}: ${r.from} -> ${r.to}`);
      return 0;
    },
  },
  delete: {
    usage: 'weft filter delete NAME@VERSION',
    summary: 'delete a version nothing uses (not current, not pinned, not in a rollout)',
    args: ['NAME@VERSION'],
    flags: [],
    async run([ref], values) {
      const { name, pin } = parseFilterRef(ref);
      if (!name || !pin) throw usageError(`expected NAME@VERSION, got "${ref}"`);
      await planeClient(values).call('DELETE', `/v1/filters/${encodeURIComponent(name)}/versions/${encodeURIComponent(pin)}`);
      console.log(`deleted ${name}@${pin}`);
      return 0;
    },
  },
});

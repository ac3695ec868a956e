// `weft identity token` (one-time join tokens) and `weft ca status|rotate|retire` (the plane's roots): the identity commands.
import type { CommandGroup } from '../../core/cli/command.ts';
import { durationFlag, usageError } from '../../core/cli/flags.ts';
import type { CaStatus } from '../ca/authority.ts';
import { planeClient } from './client.ts';
import { planeCommands, table } from './run.ts';

/** A join token is meant to be handed to one proxy starting now: minutes, not days. */
const DEFAULT_TOKEN_TTL_MS = 10 * 60_000;

export const identityCommands: CommandGroup = planeCommands({
  token: {
    usage: 'weft identity token --service NAME [--namespace NS] [--ttl 10m] [--json]',
    summary: 'a one-time join token: the first proxy that joins with it gets the certificate spiffe://TRUST-DOMAIN/ns/NS/sa/NAME',
    flags: [
      { name: 'service', value: 'NAME', help: 'the workload (service account) the proxy joins as' },
      { name: 'namespace', value: 'NS', help: 'its namespace', defaultText: 'default' },
      { name: 'ttl', value: 'DURATION', help: 'the token is refused after this', defaultText: '10m' },
      { name: 'json', help: 'print {token, spiffeId, expiresAt}' },
    ],
    args: [],
    async run(_positionals, values) {
      if (!values.service) throw usageError('--service NAME is required: the workload the token lets a proxy join as');
      const ttlMs = durationFlag(values.ttl as string | undefined, 'ttl') ?? DEFAULT_TOKEN_TTL_MS;
      const body = { service: values.service, ttlMs, ...(values.namespace === undefined ? {} : { namespace: values.namespace }) };
      const r = await planeClient(values).call<{ token: string; spiffeId: string; expiresAt: number }>('POST', '/v1/identity/tokens', body);
      if (values.json) console.log(JSON.stringify(r));
      else {
        // The token alone on stdout, so `TOKEN=$(weft identity token …)` works; what it is for goes to stderr.
        console.log(r.token);
        console.error(`one-time join token for ${r.spiffeId}, valid until ${new Date(r.expiresAt).toISOString()}`);
      }
      return 0;
    },
  },
});

function printStatus(s: CaStatus): void {
  console.log(`trust domain ${s.trustDomain}; workload certificates live ${s.certTtlMs / 1000}s${s.supplied ? '; CA supplied with --ca-cert' : ''}`);
  const rows = [['ROOT', 'ACTIVE', 'NOT AFTER', 'LAST CERT EXPIRES', 'SHA256']];
  for (const r of s.roots) {
    rows.push([r.subject, r.active ? 'yes' : 'no', r.notAfter, r.issuedUntil ? new Date(r.issuedUntil).toISOString() : '-', r.fingerprint]);
  }
  console.log(table(rows));
}

export const caCommands: CommandGroup = planeCommands({
  status: {
    usage: 'weft ca status [--json]',
    summary: 'the trusted roots, which one signs, and when the last certificate each issued expires',
    args: [],
    flags: [{ name: 'json', help: 'print JSON' }],
    async run(_positionals, values) {
      const s = await planeClient(values).call<CaStatus>('GET', '/v1/ca');
      if (values.json) console.log(JSON.stringify(s, null, 2));
      else printStatus(s);
      return 0;
    },
  },
  rotate: {
    usage: 'weft ca rotate',
    summary: 'add a new root that signs from now on; the old one stays in the trust bundle until `weft ca retire`',
    args: [],
    flags: [],
    async run(_positionals, values) {
      printStatus(await planeClient(values).call<CaStatus>('POST', '/v1/ca/rotate'));
      return 0;
    },
  },
  retire: {
    usage: 'weft ca retire [--force]',
    summary: 'drop every root but the signing one from the trust bundle, once no certificate they issued is still valid',
    args: [],
    flags: [{ name: 'force', help: 'retire now: proxies still holding an old-root certificate lose trust until they rejoin' }],
    async run(_positionals, values) {
      printStatus(await planeClient(values).call<CaStatus>('POST', `/v1/ca/retire${values.force ? '?force=1' : ''}`));
      return 0;
    },
  },
});

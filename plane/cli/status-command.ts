// `weft status`: every proxy's config and filter versions, its last ACK or NACK with the error, last seen, lag, and the slowest proxy.
import type { StatusReport } from '../status.ts';
import { planeClient } from './client.ts';
import type { Command } from '../../core/cli/command.ts';
import { ago, planeCommand, table } from './run.ts';

/** "in 5h 12m" or "expired 3m ago": a certificate that stops renewing shows up before it breaks traffic. */
function until(at: number): string {
  const s = Math.round((at - Date.now()) / 1000);
  const span = (n: number) => (n >= 3600 ? `${Math.floor(n / 3600)}h ${Math.floor((n % 3600) / 60)}m` : n >= 60 ? `${Math.floor(n / 60)}m` : `${n}s`);
  return s >= 0 ? `in ${span(s)}` : `expired ${span(-s)} ago`;
}

export const statusCommand: Command = planeCommand({
  usage: 'weft status [--json]',
  summary: 'every proxy: node, config version, filter versions, ACK/NACK (with the error), last seen, lag',
  args: [],
  flags: [{ name: 'json', help: 'print JSON' }],
  async run(_positionals, values) {
    const r = await planeClient(values).call<StatusReport>('GET', '/v1/status');
    if (values.json) {
      console.log(JSON.stringify(r, null, 2));
      return 0;
    }
    console.log(`config version ${r.version || '-'} (published ${ago(r.createdAt)}), ${r.nodes.length} proxies, ${r.watchers} watching this plane`);
    if (r.slowest) console.log(`slowest to apply it: ${r.slowest.node} in ${r.slowest.seconds.toFixed(3)}s`);
    const late = r.nodes.filter((n) => n.joinedLate && n.version === r.version).map((n) => n.node);
    if (late.length) console.log(`connected after it was published (applied on joining, not timed): ${late.join(', ')}`);
    const withIdentity = r.nodes.some((n) => n.identity);
    const rows = [['NODE', 'VERSION', 'FILTERS', 'LAST', 'LAST SEEN', 'LAG', ...(withIdentity ? ['IDENTITY', 'CERT EXPIRES'] : []), 'ERROR']];
    for (const n of r.nodes) {
      rows.push([
        n.node, n.version || '-', n.filters.map((f) => `${f.name}@${f.version}`).join(',') || '-',
        `${n.last.ok ? 'ACK' : 'NACK'} ${n.last.version}`, n.connected ? 'connected' : ago(n.lastSeen),
        n.lagSeconds ? `${n.lagSeconds.toFixed(1)}s` : '0',
        ...(withIdentity ? [n.identity?.spiffeId ?? '-', n.identity ? until(n.identity.notAfter) : '-'] : []),
        n.last.error ?? '',
      ]);
    }
    console.log(table(rows));
    return 0;
  },
});

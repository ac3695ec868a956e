// `weft explain ID`: a request's story at every sidecar it crossed, from the plane; `weft requests [SERVICE]`: the newest requests, each an ID to explain.
import type { StoryEvent } from '../../core/observe/story.ts';
import type { Command } from '../../core/cli/command.ts';
import type { Explanation, Hop, RecentRequests } from '../explain.ts';
import { planeClient } from './client.ts';
import { planeCommand, table } from './run.ts';
import { partialText } from '../peers.ts';

function ms(n: number): string {
  return `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms`;
}

/** One event as a line: what the step decided. */
function eventLine(e: StoryEvent): string {
  switch (e.step) {
    case 'authz': return `authorization: ${e.decision} by rule ${e.rule} of AuthorizationPolicy ${e.policy} (${e.reason})`;
    case 'route': return `route ${e.route}`;
    case 'filter': return `filter ${e.filter}${e.version ? `@${e.version}` : ''} ${e.callback}: ${e.result}${e.result === 'local_reply' ? ` ${e.status}` : ''}`;
    case 'endpoint': {
      const why = [e.lb, e.hashed && 'by hash', e.localZone && 'local zone only', e.panic && 'panic: all endpoints eligible'].filter(Boolean).join(', ');
      return `try ${e.try}: endpoint ${e.endpoint} of cluster ${e.cluster} (${why}; ${e.available} of ${e.endpoints} eligible)`;
    }
    case 'overflow': return `circuit breaker of cluster ${e.cluster} refused the try`;
    case 'retry': return `retry: the try failed with ${e.reason}`;
    case 'upstream': return `upstream answered ${e.status}`;
    default: return `answered ${e.status}${e.error ? ` ${e.error}` : ''}`;
  }
}

function hopText(h: Hop): string {
  const head = `${h.node} (${[h.service, h.listener, `worker ${h.worker}`].filter(Boolean).join(', ')}): ${h.method} ${h.path}${h.caller ? ` from ${h.caller}` : ''}` +
    (h.inFlight ? ` → still in flight after ${ms(h.durationMs)}` : ` → ${h.status}${h.error ? ` ${h.error}` : ''} in ${ms(h.durationMs)}`);
  const width = Math.max(...h.events.map((e) => ms(e.atMs).length));
  return [head, ...h.events.map((e) => `  +${ms(e.atMs).padStart(width)}  ${eventLine(e)}`)].join('\n');
}

export const explainCommand: Command = planeCommand({
  usage: 'weft explain REQUEST_ID [--json]',
  summary: 'why a request got its answer: its story at every sidecar it crossed (its x-request-id)',
  args: ['REQUEST_ID'],
  flags: [{ name: 'json', help: 'print the plane\'s JSON (GET /v1/requests/ID)' }],
  async run([id], values) {
    const r = await planeClient(values).call<Explanation>('GET', `/v1/requests/${encodeURIComponent(id)}`);
    if (values.json) {
      console.log(JSON.stringify(r, null, 2));
      return 0;
    }
    const lines = [r.summary, ''];
    for (const h of r.hops) lines.push(hopText(h), '');
    if (r.missing.length) lines.push(`not answered in time: ${r.missing.join(', ')}`);
    if (r.replicas.missing.length) lines.push(partialText(r.replicas).trim());
    console.log(lines.join('\n').trimEnd());
    return 0;
  },
});

export const requestsCommand: Command = planeCommand({
  usage: 'weft requests [SERVICE] [--limit N] [--json]',
  summary: 'the newest requests of a service\'s sidecars (all proxies without SERVICE), each with the ID to explain',
  args: ['[SERVICE]'],
  flags: [
    { name: 'limit', value: 'N', help: 'how many, 1 to 500 (default 20)' },
    { name: 'json', help: 'print the plane\'s JSON (GET /v1/requests?service=…)' },
  ],
  async run([service], values) {
    const query = new URLSearchParams({ limit: String(values.limit ?? 20) });
    if (service) query.set('service', service);
    const r = await planeClient(values).call<RecentRequests>('GET', `/v1/requests?${query}`);
    if (values.json) {
      console.log(JSON.stringify(r, null, 2));
      return 0;
    }
    const rows = [['TIME', 'NODE', 'LISTENER', 'STATUS', 'DURATION', 'ROUTE', 'REQUEST', 'ID', 'ERROR']];
    for (const q of r.requests) {
      rows.push([new Date(q.start).toISOString().slice(11, 23), q.node, q.listener, String(q.status), ms(q.durationMs), q.route ?? '-', `${q.method} ${q.path}`, q.requestId || '-', q.error ?? '']);
    }
    console.log(`${r.requests.length ? table(rows) : `no requests remembered (asked ${r.asked} ${r.asked === 1 ? 'proxy' : 'proxies'})`}${partialText(r.replicas) && `\n${partialText(r.replicas).trim()}`}`);
    return 0;
  },
});

// The Policies page: each service's authorization policy, rule by rule, with the allow / deny / audit-would-deny counts its sidecars report.
import { usePoll } from './api.js';
import { statsAt } from './stats.js';
import { html, pending, Stale } from './format.js';

function matchers(rule) {
  const parts = [];
  if (rule.from?.principals) parts.push(`from ${rule.from.principals.join(', ')}`);
  if (rule.from?.namespaces) parts.push(`namespaces ${rule.from.namespaces.join(', ')}`);
  if (rule.to?.methods) parts.push(rule.to.methods.join(', '));
  if (rule.to?.paths) parts.push(`paths ${rule.to.paths.join(', ')}`);
  if (rule.to?.headers) parts.push(`headers ${Object.keys(rule.to.headers).join(', ')}`);
  return parts.join('; ') || 'every request';
}

export function Policies() {
  const state = usePoll('/v1/policies', 3000);
  const stats = usePoll('/v1/stats?window=15m', 5000, statsAt);
  const wait = pending(state, 'policies (GET /v1/policies)');
  if (wait) return html`<h1>Policies</h1>${wait}`;
  const counts = new Map();
  for (const a of stats.data?.authz ?? []) {
    const key = `${a.service}\0${a.rule}`;
    counts.set(key, { ...(counts.get(key) ?? { allow: 0, deny: 0, audit: 0 }), [a.decision]: (counts.get(key)?.[a.decision] ?? 0) + a.count });
  }
  const cell = (service, rule, decision) => {
    if (stats.data === undefined) return html`<td class="num muted">-</td>`;
    return html`<td class="num">${counts.get(`${service}\0${rule}`)?.[decision] ?? 0}</td>`;
  };
  return html`<h1>Policies</h1><${Stale} state=${state} />
    ${stats.data === undefined ? pending(stats, 'decision counts (GET /v1/stats)') : html`<p class="muted">Counts over the last 15 minutes.</p>`}
    ${state.data.length === 0 ? html`<p class="empty">No policy applied: every service admits every caller.</p>` : state.data.map(({ policy: p, revision, appliedAt, source }) => html`
    <section class="policy" data-service=${p.service}>
      <h2>${p.service} <span class="phase ${p.mode}">${p.mode}</span></h2>
      <p class="muted">revision ${revision}, applied ${new Date(appliedAt).toLocaleString()} from ${source}; no rule matching → ${p.default}</p>
      <table><thead><tr><th>rule</th><th>action</th><th>matches</th><th>allowed</th><th>denied</th><th>audit: would deny</th></tr></thead>
      <tbody>${p.rules.map((r) => html`<tr><td>${r.name}</td><td class=${r.action === 'deny' ? 'bad' : 'good'}>${r.action}</td><td>${matchers(r)}</td>
        ${cell(p.service, r.name, 'allow')}${cell(p.service, r.name, 'deny')}${cell(p.service, r.name, 'audit')}</tr>`)}
        <tr class="muted"><td>(default)</td><td>${p.default}</td><td>no rule matched</td>${cell(p.service, 'default', 'allow')}${cell(p.service, 'default', 'deny')}${cell(p.service, 'default', 'audit')}</tr></tbody></table>
    </section>`)}`;
}

// The Filters and rollouts page: every pushed version (digest, signed or not, current, who runs it) and the rollout with its steps, judgement figures and reasons; "abort rollout" after a confirmation.
import { useState } from 'preact/hooks';
import { post, usePoll } from './api.js';
import { ago, html, pending, percent, short, Stale } from './format.js';

/** Which proxies run each name@version, from their last ACKs. */
function runners(nodes) {
  const by = new Map();
  for (const n of nodes ?? []) for (const f of n.filters) {
    const key = `${f.name}@${f.version}`;
    by.set(key, [...(by.get(key) ?? []), n.node]);
  }
  return by;
}

function Figures({ figures, r }) {
  if (!figures) return null;
  const row = (label, c) => html`<tr><td>${label}</td><td class="num">${c.requests}</td><td class="num">${c.filterErrors} (${percent(c.requests ? c.filterErrors / c.requests : undefined)})</td><td class="num">${c.upstreamErrors} (${percent(c.requests ? c.upstreamErrors / c.requests : undefined)})</td></tr>`;
  return html`<table class="figures-table"><thead><tr><th>version</th><th>requests</th><th>filter errors</th><th>upstream errors</th></tr></thead>
    <tbody>${row(`${r.filter}@${r.to}`, figures.canary)}${row(`${r.filter}@${r.from}`, figures.stable)}</tbody></table>`;
}

function Rollout() {
  const state = usePoll('/v1/rollout', 2000);
  const [aborting, setAborting] = useState('');
  const wait = pending(state, 'a rollout');
  if (wait) return html`<h2>Rollout</h2>${state.missing ? html`<p class="empty">No rollout has run.</p>` : wait}`;
  const r = state.data;
  const abort = async () => {
    if (!confirm(`Abort the rollout of ${r.filter}@${r.to}? Every proxy goes back to ${r.filter}@${r.from} at once.`)) return;
    setAborting('aborting…');
    try {
      await post('/v1/rollout/abort');
      setAborting('');
    } catch (err) {
      setAborting(`could not abort: ${err.message}`);
    }
  };
  return html`<h2>Rollout</h2><${Stale} state=${state} />
    <div class="rollout" data-testid="rollout">
      <p><b>${r.filter}: ${r.from} → ${r.to}</b> <span class="phase ${r.phase}">${r.phase}</span> at ${r.percent}%
        (step ${r.step}%, every ${r.intervalMs / 1000}s, error rates at most ${r.maxErrorRate} above ${r.from}'s, judged on ${r.minRequests} requests)</p>
      <p>${r.reason}</p>
      ${r.phase === 'running' ? html`<p><button class="danger" onClick=${abort}>Abort rollout</button> <span class="error">${aborting}</span></p>` : null}
      ${r.window ? html`<h3>This step, since ${ago(r.stepStartedAt)}</h3><${Figures} figures=${r.window} r=${r} />` : null}
      <h3>Steps</h3>
      <ol class="history">${r.history.map((e) => html`<li><span class="muted">${ago(e.at)}</span> <b>${e.event}</b> at ${e.percent}%: ${e.reason}<${Figures} figures=${e.figures} r=${r} /></li>`)}</ol>
    </div>`;
}

export function Filters() {
  const filters = usePoll('/v1/filters', 3000);
  const status = usePoll('/v1/status', 3000);
  const wait = pending(filters, 'the filter registry (GET /v1/filters)');
  const running = runners(status.data?.nodes);
  return html`<h1>Filters and rollouts</h1>
    ${wait ?? (filters.data.length === 0 ? html`<p class="empty">No data yet: no filter has been pushed.</p>` : html`
    <table data-testid="filters">
      <thead><tr><th>filter</th><th>version</th><th>digest (sha256)</th><th>signed</th><th>pushed</th><th>state</th><th>run by</th></tr></thead>
      <tbody>${filters.data.flatMap((f) => f.versions.map((v) => html`<tr data-version="${f.name}@${v.version}">
        <td>${f.name}</td><td>${v.version}</td><td><code title=${v.sha256}>${short(v.sha256)}</code></td><td>${v.signature ? 'signed' : 'unsigned'}</td>
        <td>${ago(v.pushedAt)}</td><td>${[v.current ? 'current' : '', v.inUse].filter(Boolean).join('; ')}</td>
        <td>${(running.get(`${f.name}@${v.version}`) ?? []).join(', ') || '-'}</td></tr>`))}</tbody>
    </table>`)}
    <${Rollout} />`;
}

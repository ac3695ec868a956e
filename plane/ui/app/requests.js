// The Requests page: a live tail of a service's recent requests (GET /v1/requests?service=), each linked to its explanation (GET /v1/requests/ID) across the sidecars it crossed.
import { useState } from 'preact/hooks';
import { usePoll } from './api.js';
import { ago, html, millis, pending, Stale } from './format.js';

const pick = (x, ...names) => names.map((n) => x?.[n]).find((v) => v !== undefined && v !== null);

function row(r) {
  return {
    id: pick(r, 'id', 'requestId'),
    at: pick(r, 'at', 'start', 'time'),
    status: pick(r, 'status'),
    duration: pick(r, 'durationMs', 'ms', 'duration'),
    route: pick(r, 'route'),
    method: pick(r, 'method'),
    path: pick(r, 'path'),
    error: pick(r, 'error', 'code'),
  };
}

export function Requests({ service }) {
  const registry = usePoll('/v1/services', 5000);
  const [chosen, setChosen] = useState(service);
  const current = chosen || service;
  const tail = usePoll(current ? `/v1/requests?service=${encodeURIComponent(current)}` : null, 1000);
  const names = [...new Set((registry.data ?? []).map((i) => i.service))].sort();
  const choose = (e) => { setChosen(e.target.value); location.hash = `#/requests/${encodeURIComponent(e.target.value)}`; };
  const list = tail.data === undefined ? [] : (Array.isArray(tail.data) ? tail.data : tail.data.requests ?? []).map(row);
  return html`<h1>Requests</h1>
    <p><label>Service <select onChange=${choose} value=${current ?? ''}>
      <option value="">choose…</option>${names.map((n) => html`<option value=${n}>${n}</option>`)}</select></label>
      <span class="muted"> Newest first, refreshed every second; header values are not shown.</span></p>
    ${!current ? html`<p class="muted">Choose a service to follow its requests.</p>` : pending(tail, `recent requests of ${current} (GET /v1/requests)`) ?? html`<${Stale} state=${tail} />
    ${list.length === 0 ? html`<p class="empty">No data yet: no request recorded for ${current}.</p>` : html`
    <table data-testid="requests">
      <thead><tr><th>when</th><th>request</th><th>route</th><th>status</th><th>duration</th><th>error</th><th></th></tr></thead>
      <tbody>${list.map((r) => html`<tr>
        <td>${ago(r.at)}</td><td>${r.method ?? ''} ${r.path ?? ''}</td><td>${r.route ?? '-'}</td>
        <td class=${r.status >= 500 ? 'bad' : r.status >= 400 ? 'warn' : ''}>${r.status ?? '-'}</td><td class="num">${millis(r.duration)}</td>
        <td>${r.error ? html`<code>${r.error}</code>` : ''}</td>
        <td>${r.id ? html`<a href="#/explain/${encodeURIComponent(r.id)}">explain</a>` : ''}</td></tr>`)}</tbody>
    </table>`}`}`;
}

/** One step of a story, as the proxies tell it: whatever fields it has, in order. */
function Step({ step }) {
  if (typeof step !== 'object' || step === null) return html`<li>${String(step)}</li>`;
  const { what, step: name, ms, ...rest } = step;
  return html`<li><b>${what ?? name ?? ''}</b> ${ms !== undefined ? html`<span class="muted">${millis(ms)}</span>` : ''}
    ${Object.keys(rest).length ? html`<code class="detail">${JSON.stringify(rest)}</code>` : ''}</li>`;
}

export function Explain({ id }) {
  const state = usePoll(`/v1/requests/${encodeURIComponent(id)}`, 5000);
  const head = html`<h1>Request <code>${id}</code></h1>`;
  const wait = pending(state, `the story of request ${id} (GET /v1/requests/ID)`);
  if (wait) return html`${head}${wait}`;
  const story = state.data;
  const hops = pick(story, 'hops', 'stories', 'proxies') ?? [];
  return html`${head}
    ${pick(story, 'summary', 'text') ? html`<p class="summary" data-testid="summary">${pick(story, 'summary', 'text')}</p>` : null}
    ${hops.map((hop) => html`<section class="hop">
      <h2>${pick(hop, 'node', 'proxy', 'service') ?? 'a proxy'} <span class="muted">${pick(hop, 'listener', 'side') ?? ''}</span></h2>
      ${pick(hop, 'summary', 'text') ? html`<p>${pick(hop, 'summary', 'text')}</p>` : null}
      <ol>${(pick(hop, 'steps', 'events') ?? []).map((s) => html`<${Step} step=${s} />`)}</ol>
    </section>`)}`;
}

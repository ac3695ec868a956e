// The Requests page: a live tail of a service's recent requests (GET /v1/requests?service=), each linked to its explanation (GET /v1/requests/ID) across the sidecars it crossed.
import { useState } from 'preact/hooks';
import { usePoll } from './api.js';
import { ago, html, millis, pending, Stale } from './format.js';

/** Who did not answer the plane's question in time, proxies and plane replicas: what is shown may be missing their part. */
function Missing({ nodes, replicas }) {
  const silent = (replicas?.missing ?? []).map((r) => `plane replica ${r.url} (${r.reason}), so its proxies`);
  const all = [...silent, ...nodes ?? []];
  return all.length ? html`<p class="warn">Not heard from in time: ${all.join(', ')}.</p>` : null;
}

function statusClass(status) {
  return status >= 500 ? 'bad' : status >= 400 ? 'warn' : '';
}

export function Requests({ service }) {
  const registry = usePoll('/v1/services', 5000);
  const [chosen, setChosen] = useState(service);
  const current = chosen || service;
  const tail = usePoll(current ? `/v1/requests?service=${encodeURIComponent(current)}` : null, 1000);
  const names = [...new Set((registry.data ?? []).map((i) => i.service))].sort();
  const choose = (e) => { setChosen(e.target.value); location.hash = `#/requests/${encodeURIComponent(e.target.value)}`; };
  const list = tail.data?.requests ?? [];
  return html`<h1>Requests</h1>
    <p><label>Service <select onChange=${choose} value=${current ?? ''}>
      <option value="">choose…</option>${names.map((n) => html`<option value=${n}>${n}</option>`)}</select></label>
      <span class="muted"> Newest first, refreshed every second. Paths without their query; no header values are recorded.</span></p>
    ${!current ? html`<p class="muted">Choose a service to follow its requests.</p>` : pending(tail, `recent requests of ${current} (GET /v1/requests)`) ?? html`<${Stale} state=${tail} />
    <${Missing} nodes=${tail.data.missing} replicas=${tail.data.replicas} />
    ${list.length === 0 ? html`<p class="empty">No data yet: no request of ${current} is remembered by its sidecars.</p>` : html`
    <table data-testid="requests">
      <thead><tr><th>when</th><th>sidecar</th><th>request</th><th>route</th><th>status</th><th>duration</th><th>error</th><th></th></tr></thead>
      <tbody>${list.map((r) => html`<tr data-status=${r.status}>
        <td>${ago(r.start)}</td><td>${r.node} <span class="muted">${r.listener}</span></td><td>${r.method} ${r.path}</td><td>${r.route ?? '-'}</td>
        <td class=${statusClass(r.status)}>${r.status}</td><td class="num">${millis(r.durationMs)}</td>
        <td>${r.error ? html`<code>${r.error}</code>` : ''}</td>
        <td><a href="#/explain/${encodeURIComponent(r.requestId)}">explain</a></td></tr>`)}</tbody>
    </table>`}`}`;
}

/** One step of a hop, as the proxy recorded it: its name, when (from the request's start), and what it decided. */
function Step({ event }) {
  const { step, atMs, ...rest } = event;
  const detail = Object.entries(rest).filter(([, v]) => v !== null && v !== false).map(([k, v]) => `${k} ${v}`).join(', ');
  return html`<li><span class="muted">${millis(atMs)}</span> <b>${step}</b> ${detail}</li>`;
}

export function Explain({ id }) {
  const state = usePoll(`/v1/requests/${encodeURIComponent(id)}`, 5000);
  const head = html`<h1>Request <code>${id}</code></h1>`;
  const wait = pending(state, `the story of request ${id} (GET /v1/requests/ID)`);
  if (wait) return html`${head}${wait}`;
  const story = state.data;
  return html`${head}
    <p class="summary" data-testid="summary">${story.summary}</p>
    <${Missing} nodes=${story.missing} replicas=${story.replicas} />
    ${story.hops.map((hop) => html`<section class="hop">
      <h2>${hop.node} <span class="muted">${hop.listener}</span> <span class=${statusClass(hop.status)}>${hop.status}</span> <span class="muted">${millis(hop.durationMs)}</span></h2>
      <p>${hop.summary}</p>
      <p class="muted">${hop.method} ${hop.path}${hop.caller ? ` from ${hop.caller}` : ''}${hop.endpoint ? ` → ${hop.endpoint}` : ''}</p>
      <ol>${hop.events.map((e) => html`<${Step} event=${e} />`)}</ol>
    </section>`)}`;
}

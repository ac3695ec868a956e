// The Service page: golden metrics over time (requests/s, success rate, p50/p95/p99) as uPlot charts, and per route (with its filter versions) and upstream.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { usePoll } from './api.js';
import { statsAt } from './stats.js';
import { health, html, millis, Partial, pending, percent, rate, Stale } from './format.js';

/** One uPlot chart, made once and fed new data on each poll. */
function Chart({ title, series, data, unit }) {
  const box = useRef(null);
  const plot = useRef(null);
  useEffect(() => {
    const width = Math.max(320, box.current.clientWidth || 480);
    plot.current = new uPlot({
      title, width, height: 200,
      scales: { x: { time: true } },
      axes: [{}, { values: (_u, ticks) => ticks.map(unit) }],
      series: [{}, ...series.map(([label, stroke]) => ({ label, stroke, width: 2, value: (_u, v) => (v === null || v === undefined ? '-' : unit(v)) }))],
    }, data, box.current);
    return () => plot.current.destroy();
  }, []);
  useEffect(() => { plot.current?.setData(data); }, [data]);
  return html`<div class="chart" ref=${box}></div>`;
}

const asNull = (x) => (x === undefined ? null : x);

/** A table of golden metrics by route or upstream; `extra` adds one column of its own. */
function Breakdown({ title, rows, what, extra }) {
  if (!rows.length) return null;
  return html`<h2>${title}</h2>
    <table><thead><tr><th>${what}</th>${extra ? html`<th>${extra[0]}</th>` : null}<th>requests/s</th><th>success</th><th>p50</th><th>p95</th><th>p99</th></tr></thead>
    <tbody>${rows.map((r) => html`<tr><td>${r.name || '(none)'}</td>${extra ? html`<td>${extra[1](r)}</td>` : null}<td class="num">${rate(r.rps)}</td><td class="num ${health(r.success)}">${percent(r.success)}</td>
      <td class="num">${millis(r.p50)}</td><td class="num">${millis(r.p95)}</td><td class="num">${millis(r.p99)}</td></tr>`)}</tbody></table>`;
}

export function Service({ name }) {
  // The figures and tables say what the service does now (the last minute); the charts show the kept 15 minutes.
  const state = usePoll(`/v1/stats?service=${encodeURIComponent(name)}&window=1m`, 5000, statsAt);
  const history = usePoll(`/v1/stats?service=${encodeURIComponent(name)}&window=15m`, 5000, statsAt);
  const head = html`<h1>Service ${name}</h1><p><a href="#/requests/${encodeURIComponent(name)}">Recent requests to ${name}</a></p>`;
  const wait = pending(state, `metrics of ${name} (GET /v1/stats)`);
  if (wait) return html`${head}${wait}`;
  const s = state.data.services.find((x) => x.name === name);
  if (!s) return html`${head}<p class="empty">No data yet: ${name}'s sidecars have reported no traffic in the last minute.</p>`;
  const series = history.data?.services.find((x) => x.name === name)?.series ?? [];
  const t = series.map((p) => p.at / 1000);
  const col = (k) => series.map((p) => asNull(p[k]));
  return html`${head}<${Stale} state=${state} /><${Partial} stats=${state.data} />
    <p class="figures" data-testid="golden" title="over the last minute">
      <span><b>${rate(s.rps)}</b> requests/s</span>
      <span class=${health(s.success)}><b>${percent(s.success)}</b> success</span>
      <span><b>${millis(s.p50)}</b> p50</span><span><b>${millis(s.p95)}</b> p95</span><span><b>${millis(s.p99)}</b> p99</span>
    </p>
    ${series.length === 0 ? html`<p class="empty">No data yet: no points over time.</p>` : html`
    <div class="charts" data-testid="charts">
      <${Chart} title="Requests/s" unit=${(v) => rate(v)} series=${[['requests/s', '#3056d3']]} data=${[t, col('rps')]} />
      <${Chart} title="Success rate" unit=${(v) => percent(v)} series=${[['success', '#2e7d32']]} data=${[t, col('success')]} />
      <${Chart} title="Latency" unit=${(v) => millis(v)} series=${[['p50', '#7a8bd6'], ['p95', '#ef8f00'], ['p99', '#c62828']]} data=${[t, col('p50'), col('p95'), col('p99')]} />
    </div>`}
    ${Object.keys(s.errors).length ? html`<p>Errors by code: ${Object.entries(s.errors).map(([code, n]) => html`<code>${code}</code> ${n} `)}</p>` : null}
    <${Breakdown} title="Routes (by listener; a rollout's canary and stable versions on separate rows)" what="listener and route" rows=${s.routes}
      extra=${['filters', (r) => r.filters.map((f) => html`<code>${f}</code> `)]} />
    <${Breakdown} title="Upstreams" what="service called" rows=${s.upstreams} extra=${['transport', (r) => (r.mtls ? 'mTLS' : 'plain')]} />`;
}

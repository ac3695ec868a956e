// How the dashboard writes numbers and times, and the pieces every page shows (empty states, errors, tables).
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);

export function ago(at, now = Date.now()) {
  if (!at) return '-';
  const s = Math.max(0, (now - at) / 1000);
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  return `${Math.floor(s / 3600)}h ago`;
}

export function until(at, now = Date.now()) {
  if (!at) return '-';
  const s = (at - now) / 1000;
  if (s <= 0) return 'expired';
  if (s < 3600) return `in ${Math.ceil(s / 60)}m`;
  if (s < 86400 * 2) return `in ${(s / 3600).toFixed(1)}h`;
  return `in ${Math.round(s / 86400)}d`;
}

export function percent(x) {
  return x === undefined || x === null || Number.isNaN(x) ? '-' : `${(x * 100).toFixed(x >= 0.9995 ? 0 : 1)}%`;
}

export function rate(x) {
  return x === undefined || x === null ? '-' : `${x < 10 ? x.toFixed(1) : Math.round(x)}/s`;
}

export function millis(x) {
  if (x === undefined || x === null) return '-';
  return x < 1 ? `${(x * 1000).toFixed(0)}µs` : x < 1000 ? `${x < 10 ? x.toFixed(1) : Math.round(x)}ms` : `${(x / 1000).toFixed(2)}s`;
}

/** The colour of a success rate: the same scale on the graph and in the tables. */
export function health(success) {
  if (success === undefined || success === null) return 'unknown';
  return success >= 0.99 ? 'good' : success >= 0.95 ? 'warn' : 'bad';
}

export function short(digest) {
  return digest ? digest.slice(0, 12) : '-';
}

/** A page's state from usePoll: loading, "no data yet" (with why), or the error; undefined once there is data. */
export function pending(state, what) {
  if (state.data !== undefined) return undefined;
  if (state.loading) return html`<p class="muted">Loading ${what}…</p>`;
  // The plane answers a route it does not have with "no GET /path": an API that has not landed on this plane.
  if (state.missing) return html`<p class="empty">No data yet: ${what}, ${!state.message || state.message.startsWith('no GET ') ? 'not served by this plane yet' : state.message}.</p>`;
  return html`<p class="error" role="alert">Could not read ${what}: ${state.error}</p>`;
}

/** A /v1/stats reading that misses some plane replicas' proxies says so. */
export function Partial({ stats }) {
  return stats?.silent?.length ? html`<p class="warn">Partial: plane replica ${stats.silent.join(', ')} did not answer; its proxies' traffic is not counted.</p>` : null;
}

export function Stale({ state }) {
  return state.error && state.data !== undefined ? html`<p class="error" role="alert">Showing the last reading: ${state.error}</p>` : null;
}

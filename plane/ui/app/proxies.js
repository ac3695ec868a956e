// The Proxies page: every proxy the plane knows (GET /v1/status) with its config and filter versions, ACK or NACK with the error, last seen, propagation, SPIFFE ID and certificate expiry.
import { usePoll } from './api.js';
import { ago, html, pending, short, Stale, until } from './format.js';

function propagation(n) {
  if (n.propagationSeconds !== undefined) return `${(n.propagationSeconds * 1000).toFixed(0)} ms`;
  return n.joinedLate ? 'applied on joining' : '-';
}

export function Proxies() {
  const state = usePoll('/v1/status', 2000);
  const wait = pending(state, 'the proxies (GET /v1/status)');
  if (wait) return html`<h1>Proxies</h1>${wait}`;
  const { nodes, version, slowest } = state.data;
  const now = Date.now();
  return html`
    <h1>Proxies</h1><${Stale} state=${state} />
    <p class="muted">The plane serves config version <code>${short(version)}</code>. ${slowest ? `Slowest to apply it: ${slowest.node}, ${(slowest.seconds * 1000).toFixed(0)} ms.` : ''}</p>
    ${nodes.length === 0 ? html`<p class="empty">No data yet: no proxy has reported to this plane.</p>` : html`
    <table data-testid="proxies">
      <thead><tr><th>proxy</th><th>config</th><th>filters</th><th>last report</th><th>last seen</th><th>propagation</th><th>SPIFFE ID</th><th>certificate expires</th></tr></thead>
      <tbody>${[...nodes].sort((a, b) => a.node.localeCompare(b.node)).map((n) => html`
        <tr data-node=${n.node}>
          <td>${n.node}<br /><span class=${n.connected ? 'good' : 'muted'}>${n.connected ? 'connected' : 'not connected'}</span></td>
          <td><code>${short(n.version)}</code>${n.lagSeconds > 0 ? html`<br /><span class="warn">behind ${n.lagSeconds.toFixed(0)}s</span>` : ''}</td>
          <td>${n.filters.map((f) => html`<code>${f.name}@${f.version}</code> `)}</td>
          <td>${n.last.ok
            ? html`<span class="ack good">ACK</span> <code>${short(n.last.version)}</code>`
            : html`<span class="nack bad">NACK</span> <code>${short(n.last.version)}</code><div class="error">${n.last.error}</div>`}
            <br /><span class="muted">${ago(n.last.at, now)}</span></td>
          <td>${n.connected ? 'now' : ago(n.lastSeen, now)}</td>
          <td>${propagation(n)}</td>
          <td>${n.identity ? html`<code>${n.identity.spiffeId}</code>` : '-'}</td>
          <td>${n.identity ? html`<span title=${new Date(n.identity.notAfter).toISOString()}>${until(n.identity.notAfter, now)}</span>` : '-'}</td>
        </tr>`)}</tbody>
    </table>`}`;
}

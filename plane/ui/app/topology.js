// The Topology page: services as nodes (instances, version tags), caller → callee edges with requests/s, success and p99, coloured by success, mTLS or plain.
import { useEffect, useRef } from 'preact/hooks';
import cytoscape from 'cytoscape';
import { usePoll } from './api.js';
import { statsAt } from './stats.js';
import { health, html, millis, Partial, pending, percent, rate } from './format.js';

const COLOURS = { good: '#2e7d32', warn: '#ef8f00', bad: '#c62828', unknown: '#8a8f98' };
/** HTTP, gRPC and TCP edges told apart by their arrow as well as their label. */
const ARROWS = { http: 'triangle', grpc: 'diamond', tcp: 'square' };

/** The registry's live instances grouped by service, with the version tags they carry. */
function servicesOf(instances) {
  const by = new Map();
  for (const i of instances ?? []) {
    const s = by.get(i.service) ?? { name: i.service, instances: 0, versions: new Set() };
    s.instances++;
    if (i.tags?.version) s.versions.add(i.tags.version);
    by.set(i.service, s);
  }
  return by;
}

function elements(services, stats) {
  const names = new Set(services.keys());
  for (const e of stats?.edges ?? []) { names.add(e.from); names.add(e.to); }
  const golden = new Map((stats?.services ?? []).map((s) => [s.name, s]));
  const nodes = [...names].filter(Boolean).sort().map((name) => {
    const s = services.get(name);
    const g = golden.get(name);
    const label = [name, s ? `${s.instances} instance${s.instances === 1 ? '' : 's'}${s.versions.size ? ` · ${[...s.versions].join(', ')}` : ''}` : 'outside the registry',
      g ? `${rate(g.rps)} · ${percent(g.success)}` : ''].filter(Boolean).join('\n');
    return { data: { id: name, label, colour: COLOURS[health(g?.success)] } };
  });
  const edges = (stats?.edges ?? []).filter((e) => e.from && e.to).map((e) => ({
    data: {
      id: `${e.from}->${e.to}:${e.protocol}`, source: e.from, target: e.to,
      label: `${e.protocol.toUpperCase()} ${rate(e.rps)} · ${percent(e.success)} · p99 ${millis(e.p99)}${e.mtls ? '' : ' · plain'}`,
      colour: COLOURS[health(e.success)], style: e.mtls ? 'solid' : 'dashed', arrow: ARROWS[e.protocol] ?? 'triangle',
    },
  }));
  return [...nodes, ...edges];
}

const STYLE = [
  { selector: 'node', style: { label: 'data(label)', 'text-wrap': 'wrap', 'text-valign': 'bottom', 'text-margin-y': 6, 'font-size': 11, 'background-color': 'data(colour)', width: 34, height: 34, color: '#1d2330' } },
  { selector: 'edge', style: {
    label: 'data(label)', 'font-size': 10, 'curve-style': 'bezier', 'target-arrow-shape': 'data(arrow)', width: 3,
    'line-color': 'data(colour)', 'target-arrow-color': 'data(colour)', 'line-style': 'data(style)',
    'text-background-color': '#fff', 'text-background-opacity': 0.85, 'text-background-padding': 2, 'text-rotation': 'autorotate',
  } },
];

/**
 * Callers left of their callees: a node's column is its longest path from a node nobody calls (a cycle's nodes
 * stay where the walk first put them), and each column is spread vertically. Labels stay readable on a chain
 * like frontend → orders → payments, which a top-down breadth-first layout stacks label on label.
 */
function columns(g) {
  const depth = new Map();
  const visit = (node, d, seen) => {
    if (seen.has(node.id()) || (depth.get(node.id()) ?? -1) >= d) return;
    depth.set(node.id(), d);
    seen.add(node.id());
    node.outgoers('node').forEach((next) => visit(next, d + 1, seen));
    seen.delete(node.id());
  };
  g.nodes().filter((n) => n.indegree(false) === 0).forEach((n) => visit(n, 0, new Set()));
  g.nodes().forEach((n) => { if (!depth.has(n.id())) visit(n, 0, new Set()); });
  const byColumn = new Map();
  for (const [id, d] of depth) byColumn.set(d, [...(byColumn.get(d) ?? []), id]);
  const positions = {};
  for (const [d, ids] of byColumn) ids.sort().forEach((id, i) => { positions[id] = { x: d * 280, y: (i - (ids.length - 1) / 2) * 150 }; });
  return positions;
}

function Graph({ items }) {
  const box = useRef(null);
  const cy = useRef(null);
  const shape = useRef('');
  useEffect(() => {
    cy.current = cytoscape({ container: box.current, style: STYLE, userZoomingEnabled: false, boxSelectionEnabled: false, autoungrabify: true, maxZoom: 1.6 });
    cy.current.on('tap', 'node', (e) => { location.hash = `#/service/${encodeURIComponent(e.target.id())}`; });
    return () => cy.current.destroy();
  }, []);
  useEffect(() => {
    const g = cy.current;
    g.json({ elements: items });
    // Laid out again only when nodes or edges come or go, so a refresh of the figures does not move the graph.
    const now = items.map((i) => i.data.id).sort().join(' ');
    if (now !== shape.current) {
      shape.current = now;
      g.layout({ name: 'preset', positions: columns(g), fit: true, padding: 60 }).run();
    }
  }, [items]);
  return html`<div class="graph" ref=${box} data-testid="topology-graph"></div>`;
}

export function Topology() {
  const registry = usePoll('/v1/services', 3000);
  const stats = usePoll('/v1/stats?window=1m', 2000, statsAt);
  const wait = pending(registry, 'the service registry');
  if (wait) return html`<h1>Topology</h1>${wait}`;
  const services = servicesOf(registry.data);
  const items = elements(services, stats.data);
  const edges = stats.data?.edges ?? [];
  return html`
    <h1>Topology</h1>
    <p class="muted">Services in the registry and the calls between them over the last minute, as their sidecars report them. Click a service for its metrics. Solid edges are mTLS, dashed plain text; the arrow is a triangle for HTTP, a diamond for gRPC, a square for TCP.</p>
    ${stats.data === undefined ? pending(stats, 'traffic between services (GET /v1/stats)') : html`<${Partial} stats=${stats.data} />`}
    <${Graph} items=${items} />
    <h2>Services</h2>
    <table data-testid="services">
      <thead><tr><th>service</th><th>instances</th><th>versions</th><th>requests/s</th><th>success</th><th>p99</th></tr></thead>
      <tbody>${[...services.values()].sort((a, b) => a.name.localeCompare(b.name)).map((s) => {
        const g = stats.data?.services.find((x) => x.name === s.name);
        return html`<tr data-service=${s.name}><td><a href="#/service/${encodeURIComponent(s.name)}">${s.name}</a></td><td class="num">${s.instances}</td>
          <td>${[...s.versions].join(', ') || '-'}</td><td class="num">${rate(g?.rps)}</td><td class="num ${health(g?.success)}">${percent(g?.success)}</td><td class="num">${millis(g?.p99)}</td></tr>`;
      })}</tbody>
    </table>
    <h2>Calls</h2>
    ${edges.length === 0 ? html`<p class="empty">No data yet: no calls between services reported.</p>` : html`
    <table data-testid="edges">
      <thead><tr><th>caller</th><th>callee</th><th>protocol</th><th>requests/s</th><th>success</th><th>p99</th><th>transport</th></tr></thead>
      <tbody>${edges.map((e) => html`<tr>
        <td><a href="#/service/${encodeURIComponent(e.from)}">${e.from}</a></td><td><a href="#/service/${encodeURIComponent(e.to)}">${e.to}</a></td>
        <td>${e.protocol}</td><td class="num">${rate(e.rps)}</td><td class="num ${health(e.success)}">${percent(e.success)}</td><td class="num">${millis(e.p99)}</td>
        <td>${e.mtls ? 'mTLS' : 'plain'}</td></tr>`)}</tbody>
    </table>`}`;
}

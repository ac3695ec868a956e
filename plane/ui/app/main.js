// The dashboard's entry: the navigation and a page per address (#/topology, #/service/NAME, #/proxies, #/filters, #/policies, #/requests, #/explain/ID).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html } from './format.js';
import { Topology } from './topology.js';
import { Service } from './service.js';
import { Proxies } from './proxies.js';
import { Filters } from './filters.js';
import { Policies } from './policies.js';
import { Explain, Requests } from './requests.js';

const PAGES = [
  ['topology', 'Topology'],
  ['proxies', 'Proxies'],
  ['filters', 'Filters and rollouts'],
  ['policies', 'Policies'],
  ['requests', 'Requests'],
];

function route() {
  const [page = 'topology', ...rest] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  return { page, arg: rest.join('/') };
}

function Page({ page, arg }) {
  switch (page) {
    case 'service': return html`<${Service} name=${arg} />`;
    case 'proxies': return html`<${Proxies} />`;
    case 'filters': return html`<${Filters} />`;
    case 'policies': return html`<${Policies} />`;
    case 'requests': return html`<${Requests} service=${arg} />`;
    case 'explain': return html`<${Explain} id=${arg} />`;
    default: return html`<${Topology} />`;
  }
}

function App() {
  const [where, setWhere] = useState(route());
  useEffect(() => {
    const onHash = () => setWhere(route());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  const current = where.page === 'service' ? 'topology' : where.page === 'explain' ? 'requests' : where.page;
  return html`
    <header>
      <span class="brand">Weft</span>
      <nav>${PAGES.map(([id, label]) => html`<a href="#/${id}" class=${current === id ? 'current' : ''}>${label}</a>`)}</nav>
      <form method="post" action="/ui/logout"><button class="link">Log out</button></form>
    </header>
    <main><${Page} ...${where} /></main>`;
}

render(html`<${App} />`, document.getElementById('app'));

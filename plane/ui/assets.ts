// The dashboard's files: its own browser modules (plane/ui/app/) and the front-end libraries, served from node_modules in a checkout and from the bundle when built.
import { readModuleFile, shippedFile } from '../../core/runtime/assets.ts';

/** What the browser may ask for under /ui/: the name it asks by → the file in the checkout. */
const SOURCES: Record<string, URL> = {
  'app/main.js': new URL('./app/main.js', import.meta.url),
  'app/api.js': new URL('./app/api.js', import.meta.url),
  'app/format.js': new URL('./app/format.js', import.meta.url),
  'app/stats.js': new URL('./app/stats.js', import.meta.url),
  'app/topology.js': new URL('./app/topology.js', import.meta.url),
  'app/service.js': new URL('./app/service.js', import.meta.url),
  'app/proxies.js': new URL('./app/proxies.js', import.meta.url),
  'app/filters.js': new URL('./app/filters.js', import.meta.url),
  'app/policies.js': new URL('./app/policies.js', import.meta.url),
  'app/requests.js': new URL('./app/requests.js', import.meta.url),
  'app/style.css': new URL('./app/style.css', import.meta.url),
  // ES module builds only: the browser imports them as they are, with no bundling step.
  'vendor/preact.js': new URL('../../node_modules/preact/dist/preact.mjs', import.meta.url),
  'vendor/preact-hooks.js': new URL('../../node_modules/preact/hooks/dist/hooks.mjs', import.meta.url),
  'vendor/htm.js': new URL('../../node_modules/htm/dist/htm.module.js', import.meta.url),
  'vendor/uplot.js': new URL('../../node_modules/uplot/dist/uPlot.esm.js', import.meta.url),
  'vendor/uplot.css': new URL('../../node_modules/uplot/dist/uPlot.min.css', import.meta.url),
  'vendor/cytoscape.js': new URL('../../node_modules/cytoscape/dist/cytoscape.esm.min.mjs', import.meta.url),
};

/** The bare names the libraries import each other by (preact/hooks imports "preact"), for the page's import map. */
export const IMPORTS: Record<string, string> = {
  preact: '/ui/vendor/preact.js',
  'preact/hooks': '/ui/vendor/preact-hooks.js',
  htm: '/ui/vendor/htm.js',
  uplot: '/ui/vendor/uplot.js',
  cytoscape: '/ui/vendor/cytoscape.js',
};

/** Every file, for release/build.ts to put into the bundle as ui/NAME. */
export const uiFiles: { name: string; source: URL }[] = Object.entries(SOURCES).map(([name, source]) => ({ name: `ui/${name}`, source }));

const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

export interface Asset { type: string; bytes: Uint8Array }

/** Read once, on first request, and kept: a few hundred KiB that only change with the plane's own code. */
const loaded = new Map<string, Promise<Asset>>();

export function uiAsset(name: string): Promise<Asset> | undefined {
  const source = SOURCES[name];
  if (!source) return undefined;
  let asset = loaded.get(name);
  if (!asset) {
    asset = readModuleFile(shippedFile(`ui/${name}`, source)).then((bytes) => ({ type: TYPES[name.slice(name.lastIndexOf('.') + 1)], bytes }));
    // A failed read is not cached, so a file built after start is served once it exists.
    asset.catch(() => loaded.delete(name));
    loaded.set(name, asset);
  }
  return asset;
}

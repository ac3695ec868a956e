// The two HTML documents the plane writes itself: the login form and the dashboard's shell (which loads the app's modules), with their security headers.
import { createHash } from 'node:crypto';
import { IMPORTS } from './assets.ts';

const IMPORT_MAP = JSON.stringify({ imports: IMPORTS });
/** The import map is the one inline script; the policy allows it by its digest and nothing else inline. */
const IMPORT_MAP_HASH = createHash('sha256').update(IMPORT_MAP).digest('base64');

/**
 * No framing (clickjacking the abort button), no referrer to other sites, nothing from elsewhere. The referrer
 * is kept for the plane's own pages so that a browser without Sec-Fetch-Site still sends their real Origin on a
 * form's POST (no-referrer makes it "null", which the cross-site check must refuse).
 */
export function htmlHeaders(): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': `default-src 'self'; script-src 'self' 'sha256-${IMPORT_MAP_HASH}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'`,
    'x-frame-options': 'DENY',
    'referrer-policy': 'same-origin',
    'x-content-type-options': 'nosniff',
  };
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function loginPage(message?: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Weft: log in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/ui/app/style.css"></head>
<body class="login"><main>
<h1>Weft</h1>
<form method="post" action="/ui/login">
<label for="token">The plane's API token (<code>weft plane token</code>)</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
${message ? `<p class="error" role="alert">${escape(message)}</p>` : ''}
<button type="submit">Log in</button>
</form>
</main></body></html>
`;
}

export function appPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Weft</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/ui/vendor/uplot.css">
<link rel="stylesheet" href="/ui/app/style.css">
<script type="importmap">${IMPORT_MAP}</script>
<script type="module" src="/ui/app/main.js"></script></head>
<body><div id="app"></div></body></html>
`;
}

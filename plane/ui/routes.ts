// The dashboard's HTTP side, behind the plane's routes: the shell or the login page, the login form and one-time links, logout, and the static files.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { uiAsset } from './assets.ts';
import { appPage, htmlHeaders, loginPage } from './pages.ts';
import { clearedCookie, hasSession, isToken, LoginLinks, sessionCookie } from './session.ts';

export interface UiCall {
  req: IncomingMessage;
  res: ServerResponse;
  params: string[];
  token: string;
}

const links = new LoginLinks();

/** Behind a TLS-terminating proxy the cookie must be Secure too; it says so with x-forwarded-proto. */
function secure(req: IncomingMessage): boolean {
  return 'encrypted' in req.socket || req.headers['x-forwarded-proto'] === 'https';
}

function html(res: ServerResponse, status: number, body: string, extra: Record<string, string> = {}): undefined {
  res.writeHead(status, { ...htmlHeaders(), ...extra, 'content-length': Buffer.byteLength(body) });
  res.end(body);
  return undefined;
}

/** Into the dashboard with a new session; 303 so a reload does not post the form again. */
function loggedIn({ req, res, token }: UiCall): undefined {
  res.writeHead(303, { location: '/ui/', 'set-cookie': sessionCookie(token, Date.now(), secure(req)), 'cache-control': 'no-store' });
  res.end();
  return undefined;
}

/** /ui and /ui/: the dashboard for a session, otherwise the login page (401: nothing of the mesh is shown without it). */
export async function home(call: UiCall): Promise<undefined> {
  if (hasSession(call.req.headers, call.token, Date.now())) return html(call.res, 200, appPage());
  return html(call.res, 401, loginPage());
}

/** The form's body is `token=…` (application/x-www-form-urlencoded): the token travels in a POST body, never in a URL. */
export async function login(call: UiCall, body: string): Promise<undefined> {
  const given = new URLSearchParams(body).get('token') ?? '';
  if (!isToken(given, call.token)) return html(call.res, 401, loginPage("That is not this plane's token."));
  return loggedIn(call);
}

export async function redeem(call: UiCall): Promise<undefined> {
  if (!links.redeem(call.params[0], Date.now())) return html(call.res, 401, loginPage('That login link was used already or has expired: log in with the token.'));
  return loggedIn(call);
}

export async function logout({ res }: UiCall): Promise<undefined> {
  res.writeHead(303, { location: '/ui/', 'set-cookie': clearedCookie(), 'cache-control': 'no-store' });
  res.end();
  return undefined;
}

/** A one-time login path for a client that holds the token (`npm run demo` prints it): `/ui/login/CODE`. */
export function loginLink(now: number): { path: string } {
  return { path: `/ui/login/${links.create(now)}` };
}

export async function asset({ res, params }: UiCall): Promise<boolean> {
  const found = uiAsset(params[0]);
  if (!found) return false;
  const { type, bytes } = await found;
  // The files change only with the plane's version; a short cache keeps a reload cheap without pinning an old app.
  res.writeHead(200, { 'content-type': type, 'content-length': bytes.length, 'cache-control': 'private, max-age=300', 'x-content-type-options': 'nosniff' });
  res.end(bytes);
  return true;
}

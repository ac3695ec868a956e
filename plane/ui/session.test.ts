// The dashboard's sessions and login links: what a cookie must carry to count, and a link that works once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossSite, hasSession, isToken, LoginLinks, SESSION_MS, sessionCookie } from './session.ts';

const TOKEN = 'a'.repeat(64);
const NOW = 1_800_000_000_000;
const valueOf = (setCookie: string) => setCookie.split(';')[0];

test('a session cookie is HttpOnly and SameSite=Strict, Secure only over TLS, and never holds the token', () => {
  const plain = sessionCookie(TOKEN, NOW, false);
  assert.match(plain, /^weft_session=\d+\.[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
  assert.ok(!plain.includes(TOKEN));
  assert.match(sessionCookie(TOKEN, NOW, true), /; Secure$/);
});

test('a session counts with the token that made it, until it expires, and not once altered', () => {
  const cookie = valueOf(sessionCookie(TOKEN, NOW, false));
  assert.equal(hasSession({ cookie }, TOKEN, NOW + 1000), true);
  assert.equal(hasSession({ cookie: `theme=dark; ${cookie}; other=1` }, TOKEN, NOW + 1000), true, 'among other cookies');
  assert.equal(hasSession({ cookie }, TOKEN, NOW + SESSION_MS), false, 'expired');
  assert.equal(hasSession({ cookie }, 'b'.repeat(64), NOW + 1000), false, 'a new token ends every session');
  const [expiry, mac] = cookie.slice('weft_session='.length).split('.');
  assert.equal(hasSession({ cookie: `weft_session=${Number(expiry) + SESSION_MS}.${mac}` }, TOKEN, NOW + 1000), false, 'a later expiry with the old MAC');
  assert.equal(hasSession({ cookie: `weft_session=${expiry}.${mac.slice(1)}x` }, TOKEN, NOW + 1000), false);
  assert.equal(hasSession({}, TOKEN, NOW), false);
});

test('the login form compares the whole token', () => {
  assert.equal(isToken(` ${TOKEN}\n`, TOKEN), true, 'pasted with spaces around it');
  assert.equal(isToken(TOKEN.slice(1), TOKEN), false);
  assert.equal(isToken('', TOKEN), false);
});

test('a login link opens one session, once, within 10 minutes', () => {
  const links = new LoginLinks();
  const code = links.create(NOW);
  assert.match(code, /^[\w-]{32}$/);
  assert.equal(links.redeem(code, NOW + 1000), true);
  assert.equal(links.redeem(code, NOW + 2000), false, 'used');
  const late = links.create(NOW);
  assert.equal(links.redeem(late, NOW + 10 * 60_000), false, 'expired');
  assert.equal(links.redeem('made-up', NOW), false);
});

test('a dashboard write is cross-site when Sec-Fetch-Site says so, else when Origin is not the plane\'s host', () => {
  const host = '127.0.0.1:7900';
  assert.equal(crossSite({ host, 'sec-fetch-site': 'same-origin', origin: 'null' }), null, 'Sec-Fetch-Site decides when present');
  assert.equal(crossSite({ host, 'sec-fetch-site': 'same-site', origin: 'http://127.0.0.1:3000' }), 'Sec-Fetch-Site: same-site');
  assert.equal(crossSite({ host, 'sec-fetch-site': 'cross-site' }), 'Sec-Fetch-Site: cross-site');
  assert.equal(crossSite({ host, origin: `http://${host}` }), null);
  assert.equal(crossSite({ host, origin: 'http://evil.example' }), 'Origin: http://evil.example');
  assert.equal(crossSite({ host, origin: 'null' }), 'Origin: null');
  assert.equal(crossSite({ host }), null, 'neither header: not a browser');
});

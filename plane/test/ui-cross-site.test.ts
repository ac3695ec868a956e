// The dashboard's writes (logout, login, abort rollout) refused with a 403 when another site's page sends them, over real HTTP to a real plane; its own page's still work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startPlane } from './support.ts';

test('dashboard writes from another site are refused, the plane\'s own pages\' go through', async (t) => {
  const plane = await startPlane();
  t.after(() => plane.stop());
  const own = { origin: plane.url, 'sec-fetch-site': 'same-origin' };
  const post = async (path: string, headers: Record<string, string>, body?: string) => {
    const res = await request(`${plane.url}${path}`, { method: 'POST', headers: body ? { 'content-type': 'application/x-www-form-urlencoded', ...headers } : headers, body });
    const text = await res.body.text();
    return { status: res.statusCode, cookie: res.headers['set-cookie'], text };
  };

  const login = await post('/ui/login', own, `token=${plane.token}`);
  assert.equal(login.status, 303, login.text);
  const cookie = String(login.cookie).split(';')[0];
  assert.match(cookie, /^weft_session=\d+\./);

  await t.test('logout from another site: 403 with the reason, and the session cookie is left alone', async () => {
    for (const [headers, why] of [
      [{ origin: 'http://evil.example' }, 'Origin: http://evil.example'],
      [{ origin: 'null' }, 'Origin: null'],
      [{ 'sec-fetch-site': 'cross-site', origin: 'http://evil.example' }, 'Sec-Fetch-Site: cross-site'],
      // Another port of the same host is the same site but not the same origin: another app on the machine.
      [{ 'sec-fetch-site': 'same-site', origin: 'http://127.0.0.1:1' }, 'Sec-Fetch-Site: same-site'],
    ] as const) {
      const r = await post('/ui/logout', { cookie, ...headers });
      assert.equal(r.status, 403, why);
      assert.equal(r.cookie, undefined, 'no Set-Cookie: the session stays');
      assert.deepEqual(JSON.parse(r.text), {
        error: 'WEFT_ERR_PLANE_CROSS_SITE',
        message: `refused POST /ui/logout from another site's page (${why}): the dashboard's forms and buttons work only from the plane's own pages`,
      });
    }
    const home = await request(`${plane.url}/ui/`, { headers: { cookie } });
    await home.body.text();
    assert.equal(home.statusCode, 200, 'still logged in');
  });

  await t.test('login and abort rollout from another site are refused too; a bearer-token client is not a browser and is not', async () => {
    const forgedLogin = await post('/ui/login', { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' }, `token=${plane.token}`);
    assert.equal(forgedLogin.status, 403);
    assert.equal(forgedLogin.cookie, undefined);
    const forgedAbort = await post('/v1/rollout/abort', { cookie, 'x-weft-ui': '1', origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' });
    assert.equal(forgedAbort.status, 403);
    assert.equal(JSON.parse(forgedAbort.text).error, 'WEFT_ERR_PLANE_CROSS_SITE');
    // From the dashboard's own page the abort reaches the rollout controller, which has no rollout to abort.
    const ownAbort = await post('/v1/rollout/abort', { cookie, 'x-weft-ui': '1', ...own });
    assert.notEqual(ownAbort.status, 403);
    assert.notEqual(JSON.parse(ownAbort.text).error, 'WEFT_ERR_PLANE_CROSS_SITE');
    const bearer = await post('/v1/rollout/abort', { authorization: `Bearer ${plane.token}`, origin: 'http://evil.example' });
    assert.equal(bearer.status, ownAbort.status);
  });

  await t.test('logout from the dashboard\'s own page, and from a client that is not a browser, clears the session', async () => {
    // A form under a no-referrer policy says `Origin: null` from its own page; Sec-Fetch-Site decides then.
    for (const headers of [own, { 'sec-fetch-site': 'same-origin', origin: 'null' }, { origin: plane.url }, {}] as Record<string, string>[]) {
      const r = await post('/ui/logout', { cookie, ...headers });
      assert.equal(r.status, 303);
      assert.match(String(r.cookie), /^weft_session=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0$/);
    }
  });
});

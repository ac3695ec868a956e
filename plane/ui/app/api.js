// The dashboard's reads of the plane's API (the session cookie stands for the token), polled; an API that is not there yet shows as "no data yet".
import { useEffect, useState } from 'preact/hooks';

/** A reply the page can show: `missing` for a 404 (no such endpoint on this plane yet, or nothing recorded), `error` for the rest. */
export async function getJson(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' }, cache: 'no-store' });
  // The session expired or the token changed: the shell's address answers with the login page.
  if (res.status === 401) {
    location.reload();
    return { missing: true };
  }
  if (res.status === 404) return { missing: true, message: await messageOf(res) };
  if (!res.ok) return { error: `${res.status}: ${await messageOf(res)}` };
  return { data: await res.json() };
}

async function messageOf(res) {
  try {
    const body = await res.json();
    return body.message ?? res.statusText;
  } catch {
    return res.statusText;
  }
}

/** A write the dashboard may make (the plane requires x-weft-ui with the cookie on those). */
export async function post(path) {
  const res = await fetch(path, { method: 'POST', headers: { 'x-weft-ui': '1' } });
  if (!res.ok) throw new Error(await messageOf(res));
  return res.json();
}

/** `path` read (by `read`) now and every `ms`; null skips. The last good reading stays on screen through a failed poll. */
export function usePoll(path, ms = 2000, read = getJson) {
  const [state, setState] = useState({ loading: true });
  useEffect(() => {
    if (!path) return undefined;
    let stopped = false;
    let timer;
    const tick = async () => {
      let next;
      try {
        next = await read(path);
      } catch (err) {
        next = { error: err.message };
      }
      if (stopped) return;
      setState((prev) => (next.error && prev.data ? { ...prev, error: next.error } : next));
      timer = setTimeout(tick, ms);
    };
    setState({ loading: true });
    tick();
    return () => { stopped = true; clearTimeout(timer); };
  }, [path, ms, read]);
  return state;
}

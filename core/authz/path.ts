// The path a policy sees: normalized and decoded, so `/./admin`, `//admin` or `/%61dmin` cannot slip past a rule on /admin.

/**
 * True when the path part (before `?`) needs no work: starts with `/`, no `%`, `\`, `//`, and no `.`/`..` segment.
 * Almost every request is canonical, so this scan is the whole cost and nothing is allocated.
 */
function isCanonical(raw: string, end: number): boolean {
  if (raw.charCodeAt(0) !== 47 /* / */) return false;
  for (let i = 1; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (c === 37 /* % */ || c === 92 /* \ */) return false;
    if (raw.charCodeAt(i - 1) === 47 && (c === 47 || (c === 46 /* . */ && isDotSegment(raw, i, end)))) return false;
  }
  return true;
}

/** Whether the segment starting at i (after a slash) is "." or "..". */
function isDotSegment(s: string, i: number, end: number): boolean {
  let j = i + 1;
  if (j < end && s.charCodeAt(j) === 46) j++;
  return j === end || s.charCodeAt(j) === 47;
}

function decode(segment: string): string {
  if (!segment.includes('%')) return segment;
  // Byte by byte, so a malformed escape stays literal instead of making the whole path undecodable.
  return segment.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/**
 * The request target's path as policies match it: query dropped; absolute-form (`http://host/p`) reduced to its path;
 * percent-escapes decoded (an encoded `/` or `\` becomes a separator, as many upstreams treat it); `\` read as `/`;
 * empty segments merged; `.` and `..` resolved (RFC 3986 §5.2.4). Returns `raw` itself when already canonical.
 */
export function policyPath(raw: string): string {
  const q = raw.indexOf('?');
  const end = q < 0 ? raw.length : q;
  if (isCanonical(raw, end)) return q < 0 ? raw : raw.slice(0, q);
  let path = raw.slice(0, end);
  if (path === '*') return path;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*/.exec(path);
  if (scheme) path = path.slice(scheme[0].length);
  // Decoding first: an escaped dot or slash must not hide a segment from the resolution below.
  path = decode(path).replace(/\\/g, '/');
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  const trailing = path.endsWith('/') || path.endsWith('/.') || path.endsWith('/..');
  return `/${out.join('/')}${trailing && out.length ? '/' : ''}`;
}

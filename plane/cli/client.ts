// How client commands reach the plane: --plane / WEFT_PLANE (a list, tried in order) and --token / WEFT_TOKEN.
import { request } from 'undici';
import type { FlagSpec, FlagValues } from '../../core/cli/flags.ts';
import { usageError } from '../../core/cli/flags.ts';
import { parseDuration } from '../../core/config/duration.ts';
import { ErrorCodes, WeftError } from '../../core/errors.ts';
import type { ErrorCode } from '../../core/errors.ts';

export const CLIENT_FLAGS: FlagSpec[] = [
  { name: 'plane', value: 'URL[,URL]', help: 'the plane API; several are tried in order' },
  { name: 'token', value: 'TOKEN', help: "the plane's bearer token (its <data-dir>/token)" },
];

export interface PlaneClient {
  call<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
}

export function planeClient(values: FlagValues): PlaneClient {
  const planes = String(values.plane ?? '').split(',').map((p) => p.trim().replace(/\/$/, '')).filter(Boolean);
  if (!planes.length) throw usageError('give the plane with --plane URL or WEFT_PLANE');
  const token = values.token === undefined ? undefined : String(values.token);
  return {
    async call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
      const h: Record<string, string> = { ...headers };
      if (token) h.authorization = `Bearer ${token}`;
      let payload: string | Uint8Array | undefined;
      if (body instanceof Uint8Array) payload = body;
      else if (body !== undefined) {
        payload = JSON.stringify(body);
        h['content-type'] = 'application/json';
      }
      const failures: string[] = [];
      for (const plane of planes) {
        let res;
        try {
          res = await request(`${plane}${path}`, { method: method as 'GET', headers: h, body: payload, headersTimeout: 30_000, bodyTimeout: 30_000 });
        } catch (err) {
          failures.push(`${plane}: ${(err as Error).message}`);
          continue;
        }
        const text = await res.body.text();
        let parsed: unknown;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          // Something other than a plane answered (a proxy or load balancer in between).
          throw new WeftError(ErrorCodes.PLANE_UNREACHABLE, `${plane} answered ${res.statusCode} with a body that is not the plane's JSON`);
        }
        if (res.statusCode >= 400) {
          const e = parsed as { error?: ErrorCode; message?: string } | undefined;
          throw new WeftError(e?.error ?? ErrorCodes.STORE_FAILED, e?.message ?? `plane answered ${res.statusCode}`, e?.error === ErrorCodes.CONFIG_INVALID || e?.error === ErrorCodes.USAGE ? 2 : 1);
        }
        return parsed as T;
      }
      throw new WeftError(ErrorCodes.PLANE_UNREACHABLE, `no plane answered: ${failures.join('; ')}`);
    },
  };
}

/** A duration flag ("10s", "500ms") in ms; undefined when not given. */
export function durationFlag(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined) throw usageError(`--${flag}: expected a duration such as 10s, got "${text}"`);
  return ms;
}

// How client commands reach the plane: --plane / WEFT_PLANE (a list, tried in order) and --token or --token-file (WEFT_TOKEN, WEFT_TOKEN_FILE).
import { request } from 'undici';
import type { FlagSpec, FlagValues } from '../../core/cli/flags.ts';
import { usageError } from '../../core/cli/flags.ts';
import { TOKEN_FLAGS, tokenOption } from '../../core/cli/token.ts';
import { ErrorCodes, WeftError } from '../../core/errors.ts';
import type { ErrorCode } from '../../core/errors.ts';

export const CLIENT_FLAGS: FlagSpec[] = [
  { name: 'plane', value: 'URL[,URL]', help: 'the plane API; several are tried in order' },
  ...TOKEN_FLAGS,
];

export interface PlaneClient {
  call<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
}

/** The plane URLs of --plane / WEFT_PLANE, each checked to be one. */
function planeUrls(text: string): string[] {
  const planes = text.split(',').map((p) => p.trim().replace(/\/$/, '')).filter(Boolean);
  if (!planes.length) throw usageError('give the plane with --plane URL or WEFT_PLANE');
  for (const p of planes) {
    if (!URL.canParse(p) || !/^https?:$/.test(new URL(p).protocol)) throw usageError(`--plane: expected a URL such as http://127.0.0.1:7900, got "${p}"`);
  }
  return planes;
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'unknown host',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no answer within 30s',
  UND_ERR_BODY_TIMEOUT: 'the answer stalled for 30s',
  UND_ERR_SOCKET: 'the connection closed before an answer',
};

function unreachableReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e.code ?? e.cause?.code;
  return code && REASONS[code] ? `${REASONS[code]}, ${code}` : e.message;
}

/** A 401 says which of the two it is: no token was sent, or the plane refused the one sent. */
function unauthorized(plane: string, sentToken: boolean): WeftError {
  return new WeftError(ErrorCodes.PLANE_UNAUTHORIZED, sentToken
    ? `the plane at ${plane} refused the token (401): it is not this plane's token (compare it with what \`weft plane token\` prints where the plane runs)`
    : `the plane at ${plane} needs its bearer token (401): give WEFT_TOKEN, --token-file or --token (\`weft plane token\` prints it)`);
}

export function planeClient(values: FlagValues): PlaneClient {
  const planes = planeUrls(String(values.plane ?? ''));
  const token = tokenOption(values, process.env);
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
          failures.push(`${plane} (${unreachableReason(err)})`);
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
        if (res.statusCode === 401) throw unauthorized(plane, Boolean(token));
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

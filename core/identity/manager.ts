// A proxy's identity over time: joins with a one-time token (or resumes from disk), renews at two thirds of the life (earlier when that leaves too little time), warns before a certificate expires unrenewed, follows the trust bundle.
import { EventEmitter } from 'node:events';
import type { SecureContext } from 'node:tls';
import { planeRequest } from '../control/plane-request.ts';
import { ErrorCodes, WeftError } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import type { Logger } from '../observe/log.ts';
import { IdentityFiles } from './files.ts';
import { identityOf } from './identity.ts';
import type { Identity } from './identity.ts';
import { JOIN_PATH, RENEW_PATH } from './protocol.ts';
import type { IssuedCertificate } from './protocol.ts';
import { joinRequest, renewRequest } from './request.ts';
import { contextOptions } from './tls.ts';
import { splitPem } from './pem.ts';

const { createSecureContext } = process.getBuiltinModule('node:tls');

export interface IdentityOptions {
  /** Plane URLs, tried in order. */
  planes: string[];
  dataDir: string;
  /** One-time join token (`weft identity token`): used only when no valid identity is on disk. */
  joinToken?: string;
  /** Share of a certificate's life after which it is renewed (capped by the safety margin); the rest is time to retry. */
  renewAt?: number;
  log?: Logger;
}

export interface IdentityEvents {
  /** A new certificate (renewal) or a new trust bundle: listeners swap their TLS context for new connections. */
  change: [Identity];
  /** A renewal attempt failed; another follows after `retryInMs` (backoff), or none (null) once the certificate has expired. */
  'renewal-failed': [err: Error, retryInMs: number | null];
}

const DEFAULT_RENEW_AT = 2 / 3;
/**
 * A renewal starts at least this long before expiry whatever the share says, so a plane that is down for a
 * while, or a slow machine, still leaves time for retries; a certificate shorter than twice this renews at half its life.
 */
const SAFETY_MARGIN_MS = 10 * 60_000;
/** Share of the life after which a certificate not yet renewed is logged as a warning: the last sixth is left. */
const ALARM_AT = 5 / 6;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;
/** One attempt's bound, shortened to half the time left so a plane that hangs leaves time for another. */
const REQUEST_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MIN_MS = 1000;
/** setTimeout's longest delay (about 24.8 days); a later time is reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class IdentityManager extends EventEmitter<IdentityEvents> {
  readonly files: IdentityFiles;
  readonly #o: IdentityOptions;
  #current: Identity | null = null;
  #context: SecureContext | null = null;
  #timer: NodeJS.Timeout | null = null;
  #alarm: NodeJS.Timeout | null = null;
  #lastFailure = '';
  #retryMs = RETRY_MIN_MS;
  #closed = false;

  constructor(options: IdentityOptions) {
    super();
    if (!options.planes.length) throw new WeftError(ErrorCodes.USAGE, 'the identity manager needs at least one plane URL', 2);
    this.#o = { ...options, planes: options.planes.map((p) => p.replace(/\/$/, '')) };
    this.files = new IdentityFiles(options.dataDir);
  }

  /** Resumes the identity on disk while it is valid, else joins with the token; then keeps it renewed. */
  async start(): Promise<Identity> {
    const stored = this.files.read();
    if (stored && stored.notAfter > Date.now()) {
      this.#set(stored);
      this.#o.log?.info({ spiffeId: stored.spiffeId, notAfter: new Date(stored.notAfter).toISOString() }, 'identity resumed from disk');
    } else {
      if (!this.#o.joinToken) throw new WeftError(ErrorCodes.IDENTITY_UNAVAILABLE, `no valid certificate under ${this.files.dir} and no join token (weft identity token --service NAME)`);
      const { key, body } = joinRequest(this.#o.joinToken);
      this.#set(this.#accept(key, await this.#call(JOIN_PATH, body, REQUEST_TIMEOUT_MS)));
      this.#o.log?.info({ spiffeId: this.#current!.spiffeId, notAfter: new Date(this.#current!.notAfter).toISOString() }, 'identity joined');
    }
    this.#schedule(renewalTime(this.#current!, this.#o.renewAt ?? DEFAULT_RENEW_AT));
    return this.#current!;
  }

  /** The identity now: key, certificate, chain and bundle as PEM (plain data: it can be posted to worker threads). */
  current(): Identity {
    if (!this.#current) throw new WeftError(ErrorCodes.IDENTITY_UNAVAILABLE, 'the identity manager has not started');
    return this.#current;
  }

  trustBundle(): string[] {
    return this.current().bundle;
  }

  /** A TLS context for the current identity (TLS 1.3 only), built once per change. */
  secureContext(): SecureContext {
    this.#context ??= createSecureContext(contextOptions(this.current()));
    return this.#context;
  }

  /** A trust bundle from the plane (a snapshot's `trustBundle`): applied and stored when it differs. */
  updateTrustBundle(pems: string[]): void {
    const bundle = pems.flatMap((p) => splitPem(p));
    const current = this.current();
    if (bundle.length && bundle.join('') !== current.bundle.join('')) {
      this.files.writeBundle(bundle);
      this.#set({ ...current, bundle });
      this.#o.log?.info({ roots: bundle.length }, 'trust bundle updated');
    }
  }

  /** Renews now with a fresh key, proving the current one; resolves with the new identity. */
  async renew(): Promise<Identity> {
    const current = this.current();
    const { key, body } = renewRequest(current);
    const timeoutMs = Math.max(REQUEST_TIMEOUT_MIN_MS, Math.min(REQUEST_TIMEOUT_MS, (current.notAfter - Date.now()) / 2));
    const next = this.#accept(key, await this.#call(RENEW_PATH, body, timeoutMs));
    if (this.#closed) return next;
    this.#set(next);
    this.#o.log?.info({ spiffeId: next.spiffeId, notAfter: new Date(next.notAfter).toISOString() }, 'identity renewed');
    return next;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#alarm) clearTimeout(this.#alarm);
    this.#timer = null;
    this.#alarm = null;
  }

  #accept(key: string, issued: IssuedCertificate): Identity {
    const id = identityOf(key, issued.cert, issued.chain.flatMap((p) => splitPem(p)), issued.bundle.flatMap((p) => splitPem(p)));
    this.files.write(id);
    return id;
  }

  #set(id: Identity): void {
    const previous = this.#current;
    this.#current = id;
    this.#context = null;
    if (previous?.cert !== id.cert) this.#armAlarm(id);
    if (previous) this.emit('change', id);
  }

  #schedule(at: number): void {
    if (this.#closed) return;
    if (this.#timer) clearTimeout(this.#timer);
    runAt(at, () => { void this.#renewOnTimer(); }, (t) => { this.#timer = t; });
  }

  /** The certificate `id` in its last sixth and still not replaced: said once, so the alarm rings before mTLS breaks. */
  #armAlarm(id: Identity): void {
    if (this.#closed) return;
    if (this.#alarm) clearTimeout(this.#alarm);
    runAt(id.notBefore + ALARM_AT * (id.notAfter - id.notBefore), () => {
      this.#alarm = null;
      if (this.#closed || this.#current?.cert !== id.cert) return;
      this.#o.log?.warn({
        spiffeId: id.spiffeId, notAfter: new Date(id.notAfter).toISOString(), expiresInSeconds: Math.round((id.notAfter - Date.now()) / 1000),
        lastError: this.#lastFailure || undefined,
      }, 'certificate in the last sixth of its life and not renewed: it expires soon unless a renewal succeeds');
    }, (t) => { this.#alarm = t; });
  }

  /** Renews; on failure retries with backoff (never past expiry), and once expired says so and stops. */
  async #renewOnTimer(): Promise<void> {
    this.#timer = null;
    try {
      const next = await this.renew();
      this.#retryMs = RETRY_MIN_MS;
      this.#lastFailure = '';
      this.#schedule(renewalTime(next, this.#o.renewAt ?? DEFAULT_RENEW_AT));
    } catch (err) {
      if (this.#closed) return;
      this.#lastFailure = (err as Error).message;
      const left = this.current().notAfter - Date.now();
      if (left <= 0) {
        this.emit('renewal-failed', err as Error, null);
        this.#o.log?.error({ err: (err as Error).message, code: ErrorCodes.IDENTITY_UNAVAILABLE }, 'certificate expired before a renewal succeeded: the proxy needs a new join token');
        return;
      }
      const wait = Math.round(Math.min(this.#retryMs, left / 2));
      this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
      this.emit('renewal-failed', err as Error, wait);
      this.#o.log?.warn({ err: (err as Error).message, retryInMs: wait, expiresInSeconds: Math.round(left / 1000) }, 'certificate renewal failed');
      this.#schedule(Date.now() + wait);
    }
  }

  /** POSTs to each plane in turn; a plane's refusal (4xx) is final, an unreachable or failing one passes to the next. */
  async #call(path: string, body: unknown, timeoutMs: number): Promise<IssuedCertificate> {
    const failures: string[] = [];
    for (const plane of this.#o.planes) {
      let res;
      try {
        res = await planeRequest(`${plane}${path}`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
          headersTimeout: timeoutMs, bodyTimeout: timeoutMs,
        });
      } catch (err) {
        failures.push(`${plane}: ${(err as Error).message}`);
        continue;
      }
      const answer = await res.body.json().catch(() => undefined) as (IssuedCertificate & { error?: ErrorCode; message?: string }) | undefined;
      if (res.statusCode === 200 && answer?.cert) return answer;
      if (res.statusCode >= 400 && res.statusCode < 500) {
        throw new WeftError(answer?.error ?? ErrorCodes.IDENTITY_REFUSED, answer?.message ?? `${plane} answered ${res.statusCode}`);
      }
      failures.push(`${plane}: answered ${res.statusCode}`);
    }
    throw new WeftError(ErrorCodes.PLANE_UNREACHABLE, `no plane issued a certificate: ${failures.join('; ')}`);
  }
}

/**
 * When to renew: `share` of the way from notBefore to notAfter, but no later than SAFETY_MARGIN_MS before
 * notAfter (half the life for a certificate shorter than twice the margin).
 */
export function renewalTime(id: Identity, share: number): number {
  const life = id.notAfter - id.notBefore;
  const latest = Math.max(id.notBefore + life / 2, id.notAfter - SAFETY_MARGIN_MS);
  return Math.min(id.notBefore + share * life, latest);
}

/** Calls `fn` at `time` (epoch ms), handing each timer it arms to `keep` (for clearTimeout): a delay past setTimeout's cap is reached in steps. */
function runAt(time: number, fn: () => void, keep: (timer: NodeJS.Timeout) => void): void {
  const wait = time - Date.now();
  keep(setTimeout(wait > MAX_TIMER_MS ? () => runAt(time, fn, keep) : fn, Math.max(0, Math.min(wait, MAX_TIMER_MS))));
}

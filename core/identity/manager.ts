// A proxy's identity over time: joins with a one-time token (or resumes from disk), renews at about two thirds of the life, follows the trust bundle.
import { EventEmitter } from 'node:events';
import { createSecureContext } from 'node:tls';
import type { SecureContext } from 'node:tls';
import { request } from 'undici';
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
import { splitPem } from './x509.ts';

export interface IdentityOptions {
  /** Plane URLs, tried in order. */
  planes: string[];
  dataDir: string;
  /** One-time join token (`weft identity token`): used only when no valid identity is on disk. */
  joinToken?: string;
  /** Share of a certificate's life after which it is renewed; the rest is time to retry. */
  renewAt?: number;
  log?: Logger;
}

export interface IdentityEvents {
  /** A new certificate (renewal) or a new trust bundle: listeners swap their TLS context for new connections. */
  change: [Identity];
  /** A renewal attempt failed; another follows with backoff until the certificate expires. */
  'renewal-failed': [Error];
}

const DEFAULT_RENEW_AT = 2 / 3;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;
const REQUEST_TIMEOUT_MS = 10_000;

export class IdentityManager extends EventEmitter<IdentityEvents> {
  readonly files: IdentityFiles;
  readonly #o: IdentityOptions;
  #current: Identity | null = null;
  #context: SecureContext | null = null;
  #timer: NodeJS.Timeout | null = null;
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
      const { key, body } = await joinRequest(this.#o.joinToken);
      this.#set(this.#accept(key, await this.#call(JOIN_PATH, body)));
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
    const { key, body } = await renewRequest(this.current());
    const next = this.#accept(key, await this.#call(RENEW_PATH, body));
    if (this.#closed) return next;
    this.#set(next);
    this.#o.log?.info({ spiffeId: next.spiffeId, notAfter: new Date(next.notAfter).toISOString() }, 'identity renewed');
    return next;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #accept(key: string, issued: IssuedCertificate): Identity {
    const id = identityOf(key, issued.cert, issued.chain.flatMap((p) => splitPem(p)), issued.bundle.flatMap((p) => splitPem(p)));
    this.files.write(id);
    return id;
  }

  #set(id: Identity): void {
    const first = this.#current === null;
    this.#current = id;
    this.#context = null;
    if (!first) this.emit('change', id);
  }

  #schedule(at: number): void {
    if (this.#closed) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => { void this.#renewOnTimer(); }, Math.max(0, at - Date.now()));
  }

  /** Renews; on failure retries with backoff (never past expiry), and once expired says so and stops. */
  async #renewOnTimer(): Promise<void> {
    this.#timer = null;
    try {
      const next = await this.renew();
      this.#retryMs = RETRY_MIN_MS;
      this.#schedule(renewalTime(next, this.#o.renewAt ?? DEFAULT_RENEW_AT));
    } catch (err) {
      if (this.#closed) return;
      this.emit('renewal-failed', err as Error);
      const left = this.current().notAfter - Date.now();
      if (left <= 0) {
        this.#o.log?.error({ err: (err as Error).message, code: ErrorCodes.IDENTITY_UNAVAILABLE }, 'certificate expired before a renewal succeeded: the proxy needs a new join token');
        return;
      }
      const wait = Math.min(this.#retryMs, left / 2);
      this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
      this.#o.log?.warn({ err: (err as Error).message, retryInMs: Math.round(wait) }, 'certificate renewal failed');
      this.#schedule(Date.now() + wait);
    }
  }

  /** POSTs to each plane in turn; a plane's refusal (4xx) is final, an unreachable or failing one passes to the next. */
  async #call(path: string, body: unknown): Promise<IssuedCertificate> {
    const failures: string[] = [];
    for (const plane of this.#o.planes) {
      let res;
      try {
        res = await request(`${plane}${path}`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
          headersTimeout: REQUEST_TIMEOUT_MS, bodyTimeout: REQUEST_TIMEOUT_MS,
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

/** When to renew: `share` of the way from notBefore to notAfter. */
export function renewalTime(id: Identity, share: number): number {
  return id.notBefore + share * (id.notAfter - id.notBefore);
}

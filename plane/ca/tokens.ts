// One-time join tokens: each names one workload (namespace, service), is stored only as its sha256, and is consumed by one join.
import { createHash, randomBytes } from 'node:crypto';
import { ErrorCodes, WeftError } from '../../core/errors.ts';
import { keys } from '../model.ts';
import type { Store } from '../store/store.ts';

/** What `identity/tokens/SHA256` holds: the workload the token lets a proxy join as, and until when. */
export interface JoinTokenRecord {
  namespace: string;
  service: string;
  createdAt: number;
  expiresAt: number;
}

const PREFIX = 'weft-join-';

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new token for the workload; expired tokens are swept first so unused ones do not pile up. */
export async function createJoinToken(store: Store, workload: { namespace: string; service: string }, ttlMs: number, now: number): Promise<{ token: string; expiresAt: number }> {
  for (const e of await store.list(keys.joinTokens)) {
    if ((JSON.parse(e.value) as JoinTokenRecord).expiresAt <= now) await store.swap(e.key, e.value, undefined);
  }
  const token = `${PREFIX}${randomBytes(32).toString('base64url')}`;
  const record: JoinTokenRecord = { ...workload, createdAt: now, expiresAt: now + ttlMs };
  await store.put(keys.joinToken(digest(token)), JSON.stringify(record));
  return { token, expiresAt: record.expiresAt };
}

/**
 * The workload a token names, deleting it in the same step (compare-and-set, so of two joins racing with
 * one token, on one replica or two, exactly one wins). Unknown, used and expired tokens are refused alike.
 */
export async function consumeJoinToken(store: Store, token: string, now: number): Promise<JoinTokenRecord> {
  const refused = new WeftError(ErrorCodes.IDENTITY_REFUSED, 'the join token is unknown, already used or expired: create one with weft identity token');
  if (!token.startsWith(PREFIX)) throw refused;
  const key = keys.joinToken(digest(token));
  const raw = await store.get(key);
  if (raw === undefined || !await store.swap(key, raw, undefined)) throw refused;
  const record = JSON.parse(raw) as JoinTokenRecord;
  if (record.expiresAt <= now) throw refused;
  return record;
}

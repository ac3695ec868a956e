// Authorization policies on the plane: one per service, validated with the proxies' own validator, replaced whole on apply.
import { validatePolicy } from '../core/authz/policy.ts';
import { ErrorCodes, WeftError } from '../core/errors.ts';
import { keys } from './model.ts';
import { liveInstances, loadState } from './state.ts';
import { isObject } from '../core/config/schema-errors.ts';
import type { PolicyRecord } from './model.ts';
import type { Store } from './store/store.ts';

/**
 * Validates (exact principals must be of the plane's trust domain) and stores the policy under its service.
 * An invalid one throws CONFIG_INVALID and leaves the stored one serving.
 */
export async function applyPolicy(store: Store, doc: unknown, source: string, trustDomain: string, now: number): Promise<PolicyRecord & { changed: boolean }> {
  const service = isObject(doc) && typeof doc.service === 'string' ? doc.service : undefined;
  const tcp = service !== undefined && await isTcpService(store, service);
  const policy = validatePolicy(doc, source, { trustDomain, tcp });
  for (;;) {
    const raw = await store.get(keys.policy(policy.service));
    const prev = raw ? JSON.parse(raw) as PolicyRecord : null;
    // An unchanged apply keeps its revision and writes nothing, so proxies are not sent an equal snapshot again.
    if (prev && JSON.stringify(prev.policy) === JSON.stringify(policy)) return { ...prev, changed: false };
    const record: PolicyRecord = { policy, revision: (prev?.revision ?? 0) + 1, appliedAt: now, source };
    if (await store.swap(keys.policy(policy.service), raw, JSON.stringify(record))) return { ...record, changed: true };
  }
}

/** Whether a live instance registered the service as TCP, or the mesh config declares it so (a cluster with protocol: tcp). */
async function isTcpService(store: Store, service: string): Promise<boolean> {
  const state = await loadState(store);
  return liveInstances(state.services).some((i) => i.service === service && i.protocol === 'tcp')
    || (state.mesh?.clusters ?? []).some((c) => c.service === service && c.protocol === 'tcp');
}

export async function getPolicy(store: Store, service: string): Promise<PolicyRecord> {
  const raw = await store.get(keys.policy(service));
  if (!raw) throw new WeftError(ErrorCodes.PLANE_NOT_FOUND, `no authorization policy for service "${service}"`);
  return JSON.parse(raw) as PolicyRecord;
}

export async function deletePolicy(store: Store, service: string): Promise<void> {
  if (!await store.delete(keys.policy(service))) throw new WeftError(ErrorCodes.PLANE_NOT_FOUND, `no authorization policy for service "${service}"`);
}

// The rollout controller: a new filter version serves a growing share of requests while its error rate stays low, else it is rolled back.
import { ErrorCodes, WeftError } from '../core/errors.ts';
import { keys, parseFilterRef } from './model.ts';
import type { NodeStats, RolloutRecord } from './model.ts';
import { findVersion } from './state.ts';
import type { MeshState } from './state.ts';
import type { Store } from './store/store.ts';

export interface RolloutRequest {
  filter: string;
  version: string;
  canary?: number;
  step?: number;
  intervalMs?: number;
  maxErrorRate?: number;
  minRequests?: number;
}

function conflict(message: string): WeftError {
  return new WeftError(ErrorCodes.ROLLOUT_CONFLICT, message);
}

function percentIn(value: number, what: string): number {
  if (!Number.isFinite(value) || value <= 0 || value > 100) throw new WeftError(ErrorCodes.USAGE, `${what} must be a percentage above 0 and at most 100, got ${value}`, 2);
  return value;
}

/** The base a rollout starts from: the head, or the version pushed before it when the head already is the new one. */
function baseVersion(state: MeshState, name: string, to: string): string | undefined {
  const head = state.heads.get(name);
  if (head !== to) return head;
  const versions = state.filters.get(name) ?? [];
  const at = versions.findIndex((v) => v.version === to);
  return at > 0 ? versions[at - 1].version : undefined;
}

export function planRollout(state: MeshState, req: RolloutRequest, now: number): RolloutRecord {
  if (state.rollout?.phase === 'running') throw conflict(`a rollout of ${state.rollout.filter}@${state.rollout.to} is running`);
  if (!findVersion(state, req.filter, req.version)) throw conflict(`no filter version ${req.filter}@${req.version}`);
  const entries = (state.mesh?.filters ?? []).filter((f) => { const r = parseFilterRef(f.name); return r.name === req.filter && r.pin === undefined; });
  if (!entries.length) throw conflict(`no unpinned chain entry runs ${req.filter}: apply a mesh config that uses it first`);
  const from = baseVersion(state, req.filter, req.version);
  if (!from || from === req.version) throw conflict(`${req.filter} has no other version to roll out from`);
  const maxErrorRate = req.maxErrorRate ?? 0.01;
  if (!(maxErrorRate >= 0 && maxErrorRate <= 1)) throw new WeftError(ErrorCodes.USAGE, `max error rate must be from 0 to 1, got ${maxErrorRate}`, 2);
  const percent = percentIn(req.canary ?? 10, 'canary');
  return {
    filter: req.filter, from, to: req.version, percent, step: percentIn(req.step ?? 25, 'step'),
    intervalMs: req.intervalMs ?? 30_000, maxErrorRate, minRequests: req.minRequests ?? 20,
    phase: 'running', reason: `serving ${percent}% of requests`, startedAt: now, stepStartedAt: now, baseline: {},
    history: [{ at: now, percent, event: 'started' }],
  };
}

/** The new version's counts per node, as the proxies last reported them. */
function countsOf(stats: NodeStats[], nodes: string[], r: RolloutRecord): Record<string, { requests: number; errors: number }> {
  const out: Record<string, { requests: number; errors: number }> = {};
  stats.forEach((s, i) => {
    const c = s.counts.find((x) => x.filter === r.filter && x.version === r.to);
    if (c) out[nodes[i]] = { requests: c.requests, errors: c.errors };
  });
  return out;
}

/** Requests and errors on the new version since the step began (a proxy that restarted counts from zero again). */
function windowTotals(now: Record<string, { requests: number; errors: number }>, baseline: RolloutRecord['baseline']): { requests: number; errors: number } {
  let requests = 0;
  let errors = 0;
  for (const [node, c] of Object.entries(now)) {
    const b = baseline[node];
    const restarted = !b || c.requests < b.requests;
    requests += restarted ? c.requests : c.requests - b.requests;
    errors += restarted ? c.errors : Math.max(0, c.errors - b.errors);
  }
  return { requests, errors };
}

/** One controller step; returns the next record, or null when nothing changes. */
export function advance(r: RolloutRecord, stats: NodeStats[], nodes: string[], now: number): RolloutRecord | null {
  if (r.phase !== 'running') return null;
  const counts = countsOf(stats, nodes, r);
  const { requests, errors } = windowTotals(counts, r.baseline);
  const rate = requests ? errors / requests : 0;
  const measured = `${errors} errors in ${requests} requests (rate ${rate.toFixed(3)}, limit ${r.maxErrorRate})`;
  if (requests >= r.minRequests && rate > r.maxErrorRate) {
    return { ...r, phase: 'rolled_back', reason: `rolled back at ${r.percent}%: ${r.filter}@${r.to} had ${measured}`,
      history: [...r.history, { at: now, percent: r.percent, event: 'rolled back' }] };
  }
  if (now - r.stepStartedAt < r.intervalMs) return null;
  if (requests < r.minRequests) {
    const reason = `holding at ${r.percent}%: ${requests} of the ${r.minRequests} requests needed to judge ${r.filter}@${r.to}`;
    return reason === r.reason ? null : { ...r, reason };
  }
  const next = Math.min(100, r.percent + r.step);
  if (r.percent >= 100) {
    return { ...r, phase: 'promoted', reason: `promoted: ${r.filter}@${r.to} serves all requests; last step had ${measured}`,
      history: [...r.history, { at: now, percent: 100, event: 'promoted' }] };
  }
  return { ...r, percent: next, stepStartedAt: now, baseline: counts, reason: `serving ${next}% of requests; last step had ${measured}`,
    history: [...r.history, { at: now, percent: next, event: 'stepped' }] };
}

/** Finishes a rollout in the store: the head follows the outcome. Only the replica that wins the swap writes the head. */
export async function commitRollout(store: Store, raw: string, next: RolloutRecord): Promise<boolean> {
  if (!await store.swap(keys.rollout, raw, JSON.stringify(next))) return false;
  if (next.phase === 'promoted') await store.put(keys.head(next.filter), JSON.stringify({ version: next.to }));
  if (next.phase === 'rolled_back' || next.phase === 'aborted') await store.put(keys.head(next.filter), JSON.stringify({ version: next.from }));
  return true;
}

/** Reads the stats of every node and advances the running rollout, if any. */
export async function tickRollout(store: Store, now: number): Promise<void> {
  const raw = await store.get(keys.rollout);
  if (!raw) return;
  const r = JSON.parse(raw) as RolloutRecord;
  if (r.phase !== 'running') return;
  const entries = await store.list('stats/');
  const next = advance(r, entries.map((e) => JSON.parse(e.value) as NodeStats), entries.map((e) => e.key.slice('stats/'.length)), now);
  if (next) await commitRollout(store, raw, next);
}

export async function abortRollout(store: Store, now: number): Promise<RolloutRecord> {
  const raw = await store.get(keys.rollout);
  const r = raw ? JSON.parse(raw) as RolloutRecord : null;
  if (!r || r.phase !== 'running') throw conflict('no rollout is running');
  const next: RolloutRecord = { ...r, phase: 'aborted', reason: `aborted at ${r.percent}%: ${r.filter} is back on ${r.from}`,
    history: [...r.history, { at: now, percent: r.percent, event: 'aborted' }] };
  if (!await commitRollout(store, raw!, next)) return abortRollout(store, now);
  return next;
}

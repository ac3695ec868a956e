// The rollout controller: a new filter version serves a growing share of requests while its error rates stay those of the version it replaces over the same steps, else it is rolled back.
import { ErrorCodes, WeftError } from '../core/errors.ts';
import { keys, parseFilterRef } from './model.ts';
import type { Counts } from '../core/control/snapshot.ts';
import type { Comparison, NodeStats, RolloutRecord } from './model.ts';
import { fisherUpperTail } from './significance.ts';
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
    history: [{ at: now, percent, event: 'started', reason: `serving ${percent}% of requests` }],
  };
}

/**
 * How unlikely by chance (Fisher's exact test, plane/significance.ts) a difference of error rates must be to roll
 * the new version back: at the end of each step, one look per step; at any moment in between, far stronger
 * evidence, so that a version failing its requests goes at once. The controller looks every 250 ms, and each look
 * is a chance for noise: simulated with identical versions at 30 to 1,000 requests/s and 0.5% to 20% upstream
 * failures, these levels roll back at most 0.45% of rollouts, where a z-test at every look rolled back 2.4% of the
 * demo's.
 */
const STEP_END_P = 1e-3;
const AT_ONCE_P = 1e-4;

/** One node's last report, as `stats/NODE` holds it. */
export interface NodeReport {
  node: string;
  stats: NodeStats;
}

const ZERO: Counts = { requests: 0, filterErrors: 0, upstreamErrors: 0 };

function countsOf(s: NodeStats, filter: string, version: string): Counts {
  const c = s.counts.find((x) => x.filter === filter && x.version === version);
  return c ? { requests: c.requests, filterErrors: c.filterErrors, upstreamErrors: c.upstreamErrors } : ZERO;
}

function add(a: Counts, b: Counts): Counts {
  return { requests: a.requests + b.requests, filterErrors: a.filterErrors + b.filterErrors, upstreamErrors: a.upstreamErrors + b.upstreamErrors };
}

function since(now: Counts, base: Counts): Counts {
  return { requests: now.requests - base.requests, filterErrors: Math.max(0, now.filterErrors - base.filterErrors), upstreamErrors: Math.max(0, now.upstreamErrors - base.upstreamErrors) };
}

/**
 * Both versions' figures over the current step, summed over the nodes. A report made before the rollout began (an
 * earlier rollout's) is not looked at; a node's first report of the rollout becomes its baseline (`baseline`
 * comes back with it added), so nothing it served before counts; a node whose counters went back restarted, and
 * all it counted since is the step's.
 */
export function measure(r: RolloutRecord, reports: NodeReport[]): { window: Comparison; now: Record<string, Comparison>; baseline: RolloutRecord['baseline'] } {
  let baseline = r.baseline;
  const now: Record<string, Comparison> = {};
  let window: Comparison = { canary: ZERO, stable: ZERO };
  for (const { node, stats } of reports) {
    if (stats.at < r.startedAt) continue;
    const c: Comparison = { canary: countsOf(stats, r.filter, r.to), stable: countsOf(stats, r.filter, r.from) };
    now[node] = c;
    const b = baseline[node];
    if (!b) {
      baseline = { ...baseline, [node]: c };
      continue;
    }
    const restarted = c.canary.requests < b.canary.requests || c.stable.requests < b.stable.requests;
    window = restarted
      ? { canary: add(window.canary, c.canary), stable: add(window.stable, c.stable) }
      : { canary: add(window.canary, since(c.canary, b.canary)), stable: add(window.stable, since(c.stable, b.stable)) };
  }
  return { window, now, baseline };
}

function rate(errors: number, requests: number): number {
  return requests ? errors / requests : 0;
}

/** The new version's rate is above the stable one's by more than `limit`, and by more than chance explains at level `p`. */
function significantlyWorse(errors: number, requests: number, refErrors: number, refRequests: number, limit: number, p: number): boolean {
  return rate(errors, requests) - rate(refErrors, refRequests) > limit && fisherUpperTail(errors, requests, refErrors, refRequests) < p;
}

export function describeCounts(f: Counts): string {
  return `${f.requests} requests, ${f.filterErrors} filter errors (${rate(f.filterErrors, f.requests).toFixed(3)}), ${f.upstreamErrors} upstream errors (${rate(f.upstreamErrors, f.requests).toFixed(3)})`;
}

/** Both versions' figures, as reasons and `weft rollout status` show them. */
export function describeWindow(r: RolloutRecord, w: Comparison): string {
  return `${r.filter}@${r.to}: ${describeCounts(w.canary)}; ${r.filter}@${r.from}: ${describeCounts(w.stable)}`;
}

/**
 * Why the new version must go, or undefined. Errors its chain caused itself (traps, a filter's own 5xx) count
 * against it: compared with the stable version's over the same step, or with the stable version's last step
 * when it served too few requests in this one (at 100%), else on their own; they are looked at all along. The
 * upstream's errors count against neither version unless the new one's requests met significantly more of
 * them over a whole step: they are judged when the step ends, and not at all without a sample of the stable version.
 */
function fault(r: RolloutRecord, w: Comparison, stepEnded: boolean): string | undefined {
  const p = stepEnded ? STEP_END_P : AT_ONCE_P;
  const { canary } = w;
  const ref = w.stable.requests >= r.minRequests ? w.stable : r.reference;
  const against = ref ? ` against ${ref.filterErrors} in ${ref.requests} (${rate(ref.filterErrors, ref.requests).toFixed(3)}) on ${r.from}${ref === w.stable ? '' : ' in its last step'}` : '';
  const filterWorse = ref
    ? significantlyWorse(canary.filterErrors, canary.requests, ref.filterErrors, ref.requests, r.maxErrorRate, p)
    : rate(canary.filterErrors, canary.requests) > r.maxErrorRate;
  if (filterWorse) {
    return `${r.filter}@${r.to} caused ${canary.filterErrors} errors itself in ${canary.requests} requests (rate ${rate(canary.filterErrors, canary.requests).toFixed(3)})${against}; limit ${r.maxErrorRate} above`;
  }
  if (ref && stepEnded && significantlyWorse(canary.upstreamErrors, canary.requests, ref.upstreamErrors, ref.requests, r.maxErrorRate, p)) {
    return `requests through ${r.filter}@${r.to} met ${canary.upstreamErrors} upstream errors in ${canary.requests} (rate ${rate(canary.upstreamErrors, canary.requests).toFixed(3)}) against ${ref.upstreamErrors} in ${ref.requests} (${rate(ref.upstreamErrors, ref.requests).toFixed(3)}) on ${r.from}, significantly more; limit ${r.maxErrorRate} above`;
  }
  return undefined;
}

/** One controller step on the nodes' last reports; returns the next record, or null when nothing changes. */
export function advance(r: RolloutRecord, reports: NodeReport[], now: number): RolloutRecord | null {
  if (r.phase !== 'running') return null;
  const { window: w, now: counts, baseline } = measure(r, reports);
  // A node's first report of the rollout is kept as its baseline even when nothing else changes.
  const kept = baseline === r.baseline ? r : { ...r, baseline };
  const decided = (phase: RolloutRecord['phase'], percent: number, event: string, reason: string): RolloutRecord =>
    ({ ...kept, phase, percent, reason, history: [...r.history, { at: now, percent, event, reason, figures: w }] });
  const judged = w.canary.requests >= r.minRequests;
  const stepEnded = now - r.stepStartedAt >= r.intervalMs;
  const why = judged ? fault(r, w, stepEnded) : undefined;
  if (why) return decided('rolled_back', r.percent, 'rolled back', `rolled back at ${r.percent}%: ${why}`);
  if (!stepEnded) return kept === r ? null : kept;
  if (!judged) {
    const reason = `holding at ${r.percent}%: ${w.canary.requests} of the ${r.minRequests} requests needed to judge ${r.filter}@${r.to}`;
    return reason === r.reason && kept === r ? null : { ...kept, reason };
  }
  if (r.percent >= 100) return decided('promoted', 100, 'promoted', `promoted: ${r.filter}@${r.to} serves all requests; the last step had ${describeWindow(r, w)}`);
  const next = Math.min(100, r.percent + r.step);
  return {
    ...decided('running', next, 'stepped', `serving ${next}% of requests; the last step had ${describeWindow(r, w)}`),
    stepStartedAt: now, baseline: counts, reference: w.stable.requests >= r.minRequests ? w.stable : r.reference,
  };
}

/** Finishes a rollout in the store: the head follows the outcome. Only the replica that wins the swap writes the head. */
export async function commitRollout(store: Store, raw: string, next: RolloutRecord): Promise<boolean> {
  if (!await store.swap(keys.rollout, raw, JSON.stringify(next))) return false;
  if (next.phase === 'promoted') await store.put(keys.head(next.filter), JSON.stringify({ version: next.to }));
  if (next.phase === 'rolled_back' || next.phase === 'aborted') await store.put(keys.head(next.filter), JSON.stringify({ version: next.from }));
  return true;
}

async function reports(store: Store): Promise<NodeReport[]> {
  return (await store.list('stats/')).map((e) => ({ node: e.key.slice('stats/'.length), stats: JSON.parse(e.value) as NodeStats }));
}

/** Reads the stats of every node and advances the running rollout, if any. */
export async function tickRollout(store: Store, now: number): Promise<void> {
  const raw = await store.get(keys.rollout);
  if (!raw) return;
  const r = JSON.parse(raw) as RolloutRecord;
  if (r.phase !== 'running') return;
  const next = advance(r, await reports(store), now);
  if (next) await commitRollout(store, raw, next);
}

/** The rollout as `weft rollout status` shows it: while it runs, with both versions' figures over the step so far. */
export async function rolloutView(store: Store): Promise<RolloutRecord & { window?: Comparison }> {
  const raw = await store.get(keys.rollout);
  if (!raw) throw new WeftError(ErrorCodes.PLANE_NOT_FOUND, 'no rollout has run');
  const r = JSON.parse(raw) as RolloutRecord;
  return r.phase === 'running' ? { ...r, window: measure(r, await reports(store)).window } : r;
}

export async function abortRollout(store: Store, now: number): Promise<RolloutRecord> {
  const raw = await store.get(keys.rollout);
  const r = raw ? JSON.parse(raw) as RolloutRecord : null;
  if (!r || r.phase !== 'running') throw conflict('no rollout is running');
  const reason = `aborted at ${r.percent}%: ${r.filter} is back on ${r.from}`;
  const next: RolloutRecord = { ...r, phase: 'aborted', reason, history: [...r.history, { at: now, percent: r.percent, event: 'aborted', reason }] };
  if (!await commitRollout(store, raw!, next)) return abortRollout(store, now);
  return next;
}

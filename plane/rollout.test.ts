// The rollout controller's decisions on given counts: both versions over the same step, the filters' own errors apart from the upstream's, baselines, restarts, holding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advance } from './rollout.ts';
import type { NodeReport } from './rollout.ts';
import type { RolloutRecord } from './model.ts';

const base: RolloutRecord = {
  filter: 'auth', from: '1', to: '2', percent: 10, step: 30, intervalMs: 1000, maxErrorRate: 0.01, minRequests: 10,
  phase: 'running', reason: '', startedAt: 100, stepStartedAt: 100, baseline: {}, history: [],
};

type Triple = [requests: number, filterErrors: number, upstreamErrors: number];
const figures = ([requests, filterErrors, upstreamErrors]: Triple) => ({ requests, filterErrors, upstreamErrors });
/** A node's cumulative report: the new version's counts, then the current version's. */
function report(node: string, at: number, canary: Triple, stable: Triple): NodeReport {
  return { node, stats: { at, counts: [{ filter: 'auth', version: '2', ...figures(canary) }, { filter: 'auth', version: '1', ...figures(stable) }] } };
}
/** A rollout whose nodes' baselines are zero: every count reported is the step's. */
function fromZero(nodes: string[], r: Partial<RolloutRecord> = {}): RolloutRecord {
  const zero = { canary: figures([0, 0, 0]), stable: figures([0, 0, 0]) };
  return { ...base, ...r, baseline: Object.fromEntries(nodes.map((n) => [n, zero])) };
}

test("a node's first report of the rollout is its baseline: what it served before never counts", () => {
  // Thousands of requests (and their errors) from before the rollout, on both versions.
  const first = advance(base, [report('a', 150, [5000, 50, 50], [20000, 0, 100])], 200)!;
  assert.equal(first.phase, 'running');
  assert.equal(first.percent, 10, 'no decision on a baseline');
  assert.deepEqual(first.baseline.a, { canary: figures([5000, 50, 50]), stable: figures([20000, 0, 100]) });
  const next = advance(first, [report('a', 1150, [5100, 50, 50], [20900, 0, 100])], 1200)!;
  assert.equal(next.percent, 40);
  assert.match(next.reason, /serving 40% of requests; the last step had auth@2: 100 requests, 0 filter errors \(0\.000\), 0 upstream errors \(0\.000\); auth@1: 900 requests/);
});

test("a report from before the rollout began (an earlier rollout's) is not looked at", () => {
  assert.equal(advance(base, [report('a', 50, [100, 100, 0], [0, 0, 0])], 120), null);
});

test('upstream errors at about the same rate on both versions count against neither', () => {
  // 3% of the new version's requests met upstream errors, 1% of the current one's: above the 0.01 limit, but chance explains it.
  const next = advance(fromZero(['a']), [report('a', 1000, [100, 0, 3], [500, 0, 5])], 1100)!;
  assert.equal(next.phase, 'running');
  assert.equal(next.percent, 40, next.reason);
  assert.deepEqual(next.history.at(-1)?.figures, { canary: figures([100, 0, 3]), stable: figures([500, 0, 5]) });
});

test("a new version whose filters fail requests themselves is rolled back at once, with both versions' figures", () => {
  const next = advance(fromZero(['a', 'b']), [report('a', 150, [20, 20, 0], [80, 0, 1]), report('b', 150, [20, 20, 0], [80, 0, 0])], 160)!;
  assert.equal(next.phase, 'rolled_back');
  assert.equal(next.reason, 'rolled back at 10%: auth@2 caused 40 errors itself in 40 requests (rate 1.000) against 0 in 160 (0.000) on 1; limit 0.01 above');
  assert.equal(next.history.at(-1)?.event, 'rolled back');
});

test('significantly more upstream errors behind the new version roll it back when its step ends', () => {
  const reports = [report('a', 150, [100, 0, 30], [400, 0, 4])];
  assert.equal(advance(fromZero(['a']), reports, 160), null, 'the upstream is judged on whole steps');
  const next = advance(fromZero(['a']), reports, 1100)!;
  assert.equal(next.phase, 'rolled_back');
  assert.match(next.reason, /requests through auth@2 met 30 upstream errors in 100 \(rate 0\.300\) against 4 in 400 \(0\.010\) on 1, significantly more/);
});

test('a proxy whose counters went back (it restarted) counts from zero', () => {
  const r = { ...base, baseline: { a: { canary: figures([1000, 0, 0]), stable: figures([9000, 0, 0]) } } };
  const next = advance(r, [report('a', 150, [20, 20, 0], [100, 0, 0])], 160)!;
  assert.equal(next.phase, 'rolled_back');
  assert.match(next.reason, /caused 20 errors itself in 20 requests/);
});

test('too few requests to judge: nothing before the interval, then it holds and says why', () => {
  const r = fromZero(['a']);
  assert.equal(advance(r, [report('a', 150, [5, 5, 0], [50, 0, 0])], 600), null, 'five errors are not enough to judge');
  const held = advance(r, [report('a', 150, [5, 0, 0], [50, 0, 0])], 1100)!;
  assert.equal(held.percent, 10);
  assert.match(held.reason, /holding at 10%: 5 of the 10 requests needed/);
  assert.equal(advance(held, [report('a', 150, [5, 0, 0], [50, 0, 0])], 2100), null, 'the same reason is not written again');
});

test("at 100% the current version serves nothing: the new one is compared with the current one's last step", () => {
  const r = fromZero(['a'], { percent: 100, reference: figures([500, 0, 25]) });
  const promoted = advance(r, [report('a', 1000, [200, 0, 10], [0, 0, 0])], 1100)!;
  assert.equal(promoted.phase, 'promoted', promoted.reason);
  assert.deepEqual(promoted.history.at(-1), { at: 1100, percent: 100, event: 'promoted', reason: promoted.reason, figures: { canary: figures([200, 0, 10]), stable: figures([0, 0, 0]) } });
  const rolledBack = advance(r, [report('a', 1000, [200, 0, 80], [0, 0, 0])], 1100)!;
  assert.equal(rolledBack.phase, 'rolled_back');
  assert.match(rolledBack.reason, /80 upstream errors in 200 \(rate 0\.400\) against 25 in 500 \(0\.050\) on 1, significantly more/);
});

test("with no sample of the current version, the new one's own errors are judged alone and the upstream's not at all", () => {
  const r = fromZero(['a']);
  const stepped = advance(r, [report('a', 1000, [50, 0, 25], [0, 0, 0])], 1100)!;
  assert.equal(stepped.percent, 40, 'upstream errors without a comparison blame no version');
  assert.equal(stepped.reference, undefined);
  const rolledBack = advance(r, [report('a', 150, [50, 5, 0], [0, 0, 0])], 160)!;
  assert.equal(rolledBack.phase, 'rolled_back');
  assert.equal(rolledBack.reason, 'rolled back at 10%: auth@2 caused 5 errors itself in 50 requests (rate 0.100); limit 0.01 above');
});

test("a step keeps the current version's figures as the reference for later steps when it had enough of them", () => {
  const next = advance(fromZero(['a']), [report('a', 1000, [100, 0, 1], [900, 0, 9])], 1100)!;
  assert.deepEqual(next.reference, figures([900, 0, 9]));
  assert.equal(next.stepStartedAt, 1100);
  assert.deepEqual(next.baseline.a, { canary: figures([100, 0, 1]), stable: figures([900, 0, 9]) });
});

// Request stories through the plane: a question put on the watch stream of every proxy connected to this replica and, through the other replicas, to the whole mesh; their answers gathered, the hops merged and told in one sentence.
import { randomUUID } from 'node:crypto';
import { ErrorCodes, WeftError } from '../core/errors.ts';
import type { Story, StoryAnswer, StoryAsk, StoryLine } from '../core/observe/story.ts';
import type { WatchHub } from './watch.ts';
import type { Peers, ReplicaCoverage } from './peers.ts';

/** How long the plane waits for the proxies it asked. */
export const ANSWER_WAIT_MS = 2000;
/** Most lines a tail returns. */
export const TAIL_MAX = 500;
/** How long a replica waits for another one's part: that replica's own wait for its proxies, and room for the trip. */
const PEER_WAIT_MS = ANSWER_WAIT_MS + 1000;
/** The longest request ID a question may carry. */
const REQUEST_ID_MAX = 512;

/** What the plane asks the proxies. */
export type Question = Omit<StoryAsk, 'type' | 'ask'>;

/** The proxies' answers to one question: by node, how many were asked, and those that did not answer in time. */
export interface Gathered {
  answers: Map<string, StoryAnswer>;
  asked: number;
  missing: string[];
}

/** `POST /v1/asks`: one replica's part of a question, as another replica receives it. */
interface ReplicaPart {
  answers: Record<string, StoryAnswer>;
  asked: number;
  missing: string[];
}

/** One request at one proxy, as the API shows it. */
export type Hop = Story & { node: string; summary: string };

export interface Explanation {
  requestId: string;
  summary: string;
  hops: Hop[];
  asked: number;
  missing: string[];
  replicas: ReplicaCoverage;
}

export interface RecentRequests {
  service: string | null;
  requests: (StoryLine & { node: string })[];
  asked: number;
  missing: string[];
  replicas: ReplicaCoverage;
}

interface Pending {
  waiting: Set<string>;
  answers: Map<string, StoryAnswer>;
  settle: () => void;
}

/** Questions in flight to the proxies watching this replica, and their answers as they arrive. */
export class Asks {
  readonly #hub: WatchHub;
  readonly #pending = new Map<string, Pending>();

  constructor(hub: WatchHub) {
    this.#hub = hub;
  }

  /** Puts the question to every connected node; settles when all answered or after ANSWER_WAIT_MS. */
  async ask(question: Question): Promise<Gathered> {
    const id = randomUUID();
    const nodes = this.#hub.ask(`${JSON.stringify({ type: 'ask', ask: id, ...question })}\n`);
    const p: Pending = { waiting: new Set(nodes), answers: new Map(), settle: () => undefined };
    if (p.waiting.size) {
      this.#pending.set(id, p);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ANSWER_WAIT_MS);
        p.settle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#pending.delete(id);
    }
    return { answers: p.answers, asked: nodes.length, missing: [...p.waiting].sort() };
  }

  /** A node's answer; false when the question is no longer waited for (answered too late, or never asked). */
  answer(id: string, node: string, body: StoryAnswer): boolean {
    const p = this.#pending.get(id);
    if (!p || !p.waiting.delete(node)) return false;
    p.answers.set(node, body);
    if (p.waiting.size === 0) p.settle();
    return true;
  }
}

/** A question as `POST /v1/asks` receives it; null when it is not one the proxies would understand. */
export function checkQuestion(x: unknown): Question | null {
  const q = x as Record<string, unknown> | null;
  if (typeof q !== 'object' || q === null) return null;
  if (q.what === 'story' && typeof q.requestId === 'string' && q.requestId.length <= REQUEST_ID_MAX) return { what: 'story', requestId: q.requestId };
  if (q.what !== 'tail' || !Number.isInteger(q.limit) || (q.limit as number) < 1 || (q.limit as number) > TAIL_MAX) return null;
  if (q.service !== undefined && (typeof q.service !== 'string' || q.service.length > REQUEST_ID_MAX)) return null;
  return { what: 'tail', service: q.service as string | undefined, limit: q.limit as number };
}

/** `POST /v1/asks`: the answers of this replica's proxies only, for the replica that asks the whole mesh. */
export async function replicaPart(asks: Asks, question: Question): Promise<ReplicaPart> {
  const { answers, asked, missing } = await asks.ask(question);
  return { answers: Object.fromEntries(answers), asked, missing };
}

/**
 * The question put to this replica's proxies and, at the same time, to every other replica for theirs; each
 * replica's wait is bounded, so one that is down or stuck makes the answer partial (and named), never late.
 */
export async function askMesh(asks: Asks, peers: Peers | null, question: Question): Promise<Gathered & { replicas: ReplicaCoverage }> {
  const [own, others] = await Promise.all([
    asks.ask(question),
    peers ? peers.ask<ReplicaPart>('/v1/asks', question, PEER_WAIT_MS) : { answers: [], coverage: { answered: 1, missing: [] } },
  ]);
  for (const part of others.answers) {
    // A node that moved between replicas may answer on both: the answer with more in it stands.
    for (const [node, answer] of Object.entries(part.answers ?? {})) {
      const have = own.answers.get(node);
      if (!have || size(answer) > size(have)) own.answers.set(node, answer);
    }
    own.asked += part.asked ?? 0;
    own.missing.push(...part.missing ?? []);
  }
  own.missing.sort();
  return { ...own, replicas: others.coverage };
}

function size(a: StoryAnswer): number {
  return (Array.isArray(a.stories) ? a.stories.length : 0) + (Array.isArray(a.requests) ? a.requests.length : 0);
}

/** "asked 3 proxies, 1 did not answer in time", and the replicas that did not give their proxies' part. */
function askedText(asked: number, missing: string[], replicas: ReplicaCoverage): string {
  const proxies = asked === 0 ? 'no proxy is watching the plane (any replica)' : `asked ${asked} ${asked === 1 ? 'proxy' : 'proxies'}${missing.length ? `, ${missing.length} did not answer in time` : ''}`;
  const silent = replicas.missing.map((r) => `plane replica ${r.url} did not answer (${r.reason})`);
  return [proxies, ...silent].join('; ');
}

/** `GET /v1/requests/ID`: every hop that remembers the request, in time order; WEFT_ERR_REQUEST_NOT_FOUND when none does. */
export async function explainRequest(asks: Asks, peers: Peers | null, requestId: string): Promise<Explanation> {
  const { answers, asked, missing, replicas } = await askMesh(asks, peers, { what: 'story', requestId });
  const hops: Hop[] = [];
  for (const [node, answer] of answers) {
    for (const story of Array.isArray(answer.stories) ? answer.stories : []) {
      if (story?.requestId === requestId) hops.push({ node, ...story, summary: '' });
    }
  }
  if (!hops.length) {
    const why = `${askedText(asked, missing, replicas)}${asked ? '; each worker keeps its last 1024 stories: every failure, a sample of successes' : ''}`;
    throw new WeftError(ErrorCodes.REQUEST_NOT_FOUND, `no proxy remembers request ${requestId} (${why})`);
  }
  hops.sort(callOrder);
  for (const h of hops) h.summary = hopSummary(h);
  const decisive = hops.findLast(decidedHere) ?? hops[0];
  return { requestId, summary: decisive.summary, hops, asked, missing, replicas };
}

/** `GET /v1/requests?service=S`: the newest requests of the service's sidecars, newest first. */
export async function recentRequests(asks: Asks, peers: Peers | null, service: string | undefined, limit: number): Promise<RecentRequests> {
  const { answers, asked, missing, replicas } = await askMesh(asks, peers, { what: 'tail', service, limit });
  const requests: RecentRequests['requests'] = [];
  for (const [node, answer] of answers) {
    for (const line of Array.isArray(answer.requests) ? answer.requests : []) requests.push({ ...line, node });
  }
  requests.sort((a, b) => b.start - a.start);
  return { service: service ?? null, requests: requests.slice(0, limit), asked, missing, replicas };
}

/**
 * Hops in the order the request crossed them: by start, except that a hop another one carried comes after it.
 * Each proxy stamps its start with its own clock, and the clocks of two processes disagree by a millisecond or so,
 * more than a request takes to reach the next sidecar, so a callee's hop can seem to start before its caller's.
 */
function callOrder(a: Hop, b: Hop): number {
  return carried(a, b) ? -1 : carried(b, a) ? 1 : a.start - b.start;
}

/**
 * Whether hop `a` carried hop `b`: both ended, they overlap, `a` lasted longer (each duration is read off one clock)
 * and passed on an answer with `b`'s status. A caller's hop that timed out while its callee's went on carried nothing
 * by this test, and keeps the order of the clocks.
 */
function carried(a: Hop, b: Hop): boolean {
  return !a.inFlight && !b.inFlight && a.durationMs > b.durationMs && a.start < b.start + b.durationMs && b.start < a.start + a.durationMs &&
    a.events.some((e) => e.step === 'upstream' && e.status === b.status);
}

/** The hop where the answer was made: Weft's own error, or a filter's reply or trap; not one that passed an answer on. */
function decidedHere(h: Story): boolean {
  return !h.inFlight && h.error !== null || h.events.some((e) => e.step === 'filter' && (e.result === 'local_reply' || e.result === 'trap'));
}

/** "orders' inbound", "frontend's bind:orders"; a proxy without a service is named by its node. */
function where(h: Hop): string {
  const name = h.service ?? h.node;
  return `${name}${name.endsWith('s') ? "'" : "'s"} ${h.listener}`;
}

/** One sentence: the status, where, and why. */
export function hopSummary(h: Hop): string {
  const path = [h.route && `route ${h.route}`, h.cluster && `cluster ${h.cluster}`, h.endpoint && `endpoint ${h.endpoint}`].filter(Boolean).join(', ');
  if (h.inFlight) return `still in flight at ${where(h)} after ${h.durationMs} ms, its last step ${h.events.at(-1)?.step ?? 'none'} (${path || 'not routed yet'})`;
  const at = `${h.status} at ${where(h)}`;
  const authz = h.authz;
  if (authz && authz.decision === 'deny') {
    const who = h.caller ?? 'a caller without a client certificate';
    if (authz.rule === 'default') return `${at}: no rule of AuthorizationPolicy ${authz.policy} allowed path ${h.path} for ${who} (default deny)`;
    return `${at}: AuthorizationPolicy ${authz.policy} rule ${authz.rule} matched path ${h.path} for ${who}`;
  }
  const filter = h.events.find((e) => e.step === 'filter' && (e.result === 'local_reply' || e.result === 'trap'));
  if (filter) {
    const name = `filter ${filter.filter}${filter.version ? `@${filter.version}` : ''}`;
    if (filter.result === 'trap') return `${at}: ${name} trapped in ${filter.callback}${h.error ? ` (${h.error})` : ''}`;
    return `${at}: ${name} answered ${filter.status} in ${filter.callback}`;
  }
  const retries = h.events.filter((e) => e.step === 'retry').map((e) => e.reason);
  const after = retries.length ? `, after ${retries.length} ${retries.length === 1 ? 'retry' : 'retries'} (${retries.join(', ')})` : '';
  if (h.status === 499) return `${at}: the caller went away after ${h.durationMs} ms (${path})`;
  if (h.error) {
    const pick = h.events.findLast((e) => e.step === 'endpoint');
    const eligible = pick ? `; ${pick.available} of ${pick.endpoints} endpoints eligible${pick.panic ? ', panic mode' : ''}` : '';
    const overflow = h.events.some((e) => e.step === 'overflow') ? '; a circuit breaker refused the try' : '';
    return `${at}: ${h.error} (${path || 'no route'}${eligible}${overflow}${after})`;
  }
  return `${at}: ${h.status >= 400 ? `the upstream answered ${h.status}` : 'answered'} (${path}${after}) in ${h.durationMs} ms`;
}

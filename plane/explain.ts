// Request stories through the plane: a question put on the watch stream of every proxy connected to this replica, their answers gathered, the hops merged and told in one sentence.
import { randomUUID } from 'node:crypto';
import { ErrorCodes, WeftError } from '../core/errors.ts';
import type { Story, StoryAnswer, StoryAsk, StoryLine } from '../core/observe/story.ts';
import type { WatchHub } from './watch.ts';

/** How long the plane waits for the proxies it asked. */
export const ANSWER_WAIT_MS = 2000;
/** Most lines a tail returns. */
export const TAIL_MAX = 500;

/** One request at one proxy, as the API shows it. */
export type Hop = Story & { node: string; summary: string };

export interface Explanation {
  requestId: string;
  summary: string;
  hops: Hop[];
  asked: number;
  missing: string[];
}

export interface RecentRequests {
  service: string | null;
  requests: (StoryLine & { node: string })[];
  asked: number;
  missing: string[];
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
  async ask(question: Omit<StoryAsk, 'type' | 'ask'>): Promise<{ answers: Map<string, StoryAnswer>; asked: number; missing: string[] }> {
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

/** `GET /v1/requests/ID`: every hop that remembers the request, in time order; WEFT_ERR_REQUEST_NOT_FOUND when none does. */
export async function explainRequest(asks: Asks, requestId: string): Promise<Explanation> {
  const { answers, asked, missing } = await asks.ask({ what: 'story', requestId });
  const hops: Hop[] = [];
  for (const [node, answer] of answers) {
    for (const story of Array.isArray(answer.stories) ? answer.stories : []) {
      if (story?.requestId === requestId) hops.push({ node, ...story, summary: '' });
    }
  }
  if (!hops.length) {
    const why = asked === 0 ? 'no proxy is watching this plane' : `asked ${asked} ${asked === 1 ? 'proxy' : 'proxies'}${missing.length ? `, ${missing.length} did not answer in time` : ''}; each worker keeps its last 1024 stories: every failure, a sample of successes`;
    throw new WeftError(ErrorCodes.REQUEST_NOT_FOUND, `no proxy remembers request ${requestId} (${why})`);
  }
  hops.sort((a, b) => a.start - b.start);
  for (const h of hops) h.summary = hopSummary(h);
  const decisive = hops.findLast(decidedHere) ?? hops[0];
  return { requestId, summary: decisive.summary, hops, asked, missing };
}

/** `GET /v1/requests?service=S`: the newest requests of the service's sidecars, newest first. */
export async function recentRequests(asks: Asks, service: string | undefined, limit: number): Promise<RecentRequests> {
  const { answers, asked, missing } = await asks.ask({ what: 'tail', service, limit });
  const requests: RecentRequests['requests'] = [];
  for (const [node, answer] of answers) {
    for (const line of Array.isArray(answer.requests) ? answer.requests : []) requests.push({ ...line, node });
  }
  requests.sort((a, b) => b.start - a.start);
  return { service: service ?? null, requests: requests.slice(0, limit), asked, missing };
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

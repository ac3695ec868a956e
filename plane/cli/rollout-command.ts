// `weft rollout start|status|abort`: a filter version rolled out by share of requests, promoted or rolled back by its error rate.
import type { CommandGroup } from '../../core/cli/command.ts';
import { durationFlag, usageError } from '../../core/cli/flags.ts';
import type { Comparison, RolloutRecord } from '../model.ts';
import { parseFilterRef } from '../model.ts';
import { describeCounts } from '../rollout.ts';
import { planeClient } from './client.ts';
import { ago, planeCommands } from './run.ts';

function numberFlag(text: unknown, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) throw usageError(`--${flag}: expected a number, got "${String(text)}"`);
  return n;
}

/** The rollout, its figures over the step so far (both versions, side by side) and every decision with its reason. */
function describe(r: RolloutRecord & { window?: Comparison }): string {
  const lines = [
    `${r.filter}: ${r.from} -> ${r.to}  ${r.phase}  at ${r.percent}%  (step ${r.step}%, every ${r.intervalMs / 1000}s, error rates at most ${r.maxErrorRate} above ${r.from}'s, judged on ${r.minRequests} requests)`,
    `  ${r.reason}`,
  ];
  if (r.window) {
    lines.push(`  this step, since ${ago(r.stepStartedAt)}:`);
    lines.push(`    ${r.to}: ${describeCounts(r.window.canary)}`, `    ${r.from}: ${describeCounts(r.window.stable)}`);
  }
  for (const h of r.history) lines.push(`  ${ago(h.at)}  ${h.event} ${h.percent}%: ${h.reason}`);
  return lines.join('\n');
}

export const rolloutCommands: CommandGroup = planeCommands({
  start: {
    usage: 'weft rollout start NAME@V [--canary 10] [--step 25] [--interval 30s] [--max-error-rate 0.01] [--min-requests 20]',
    summary: "serve V to a share of requests on every proxy beside the current version; step up while its error rates stay those of the current version's, else roll back",
    flags: [
      { name: 'canary', value: 'PCT', help: 'share of requests V serves at first', defaultText: '10' },
      { name: 'step', value: 'PCT', help: 'share added at each promotion', defaultText: '25' },
      { name: 'interval', value: 'DURATION', help: 'time at each share before the next step', defaultText: '30s' },
      { name: 'max-error-rate', value: 'R', help: "how far V's error rate may exceed the current version's over the same step: its filters' own errors, and the upstream's only when significantly more", defaultText: '0.01' },
      { name: 'min-requests', value: 'N', help: 'requests a version needs in a step to be judged', defaultText: '20' },
    ],
    args: ['NAME@V'],
    async run([ref], values) {
      const { name, pin } = parseFilterRef(ref);
      if (!name || !pin) throw usageError(`expected NAME@VERSION, got "${ref}"`);
      const r = await planeClient(values).call<RolloutRecord>('POST', '/v1/rollout', {
        filter: name, version: pin, canary: numberFlag(values.canary, 'canary'), step: numberFlag(values.step, 'step'),
        intervalMs: durationFlag(values.interval as string | undefined, 'interval'),
        maxErrorRate: numberFlag(values['max-error-rate'], 'max-error-rate'), minRequests: numberFlag(values['min-requests'], 'min-requests'),
      });
      console.log(describe(r));
      return 0;
    },
  },
  status: {
    usage: 'weft rollout status [--json]',
    summary: 'the current or last rollout: share, phase, both versions\' figures over the step, and every decision with its reason',
    args: [],
    flags: [{ name: 'json', help: 'print JSON' }],
    async run(_positionals, values) {
      const r = await planeClient(values).call<RolloutRecord>('GET', '/v1/rollout');
      console.log(values.json ? JSON.stringify(r, null, 2) : describe(r));
      return 0;
    },
  },
  abort: {
    usage: 'weft rollout abort',
    summary: 'roll the running rollout back at once',
    args: [],
    flags: [],
    async run(_positionals, values) {
      console.log(describe(await planeClient(values).call<RolloutRecord>('POST', '/v1/rollout/abort')));
      return 0;
    },
  },
});

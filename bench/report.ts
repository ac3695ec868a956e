// The result of a bench run as data, and its Markdown table with the ratios the design asks for.
import type { Measurement, Mode } from './measure.ts';
import type { TargetName } from './targets.ts';
import { FILTER_COUNT } from './targets.ts';

export type TargetResult = {
  target: TargetName;
  /** Why the target, or some of its modes, could not be measured here. */
  unavailable?: string;
  /** Per mode, the median of its rounds (see medianOf). */
  results: Partial<Record<Mode, Measurement>>;
  /** Per mode, every round as measured, in order. */
  rounds: Partial<Record<Mode, Measurement[]>>;
  /** Set for a target measured once at its own rate and length (weft-sidecar), reported in a section of its own. */
  pace?: { rate: number; seconds: number };
};

export type Report = {
  startedAt: string;
  machine: {
    cpu: string; cores: number; kernel: string; node: string; wrk?: string; nginx?: string; pinned: boolean;
    /** The 1-minute load average when the run began: above zero, something else was sharing the cores. */
    loadAverage: number;
  };
  settings: {
    driver: string; upstream: string; rounds: number; seconds: number; warmupSeconds: number;
    connections: number; rate: number; bodyBytes: number; workers: number;
    /** What Weft ran from (bench/targets.ts WeftProgram); absent in reports from before it was recorded. */
    weft?: string;
  };
  targets: TargetResult[];
};

const fmt = (n: number | undefined, digits = 0) => n === undefined || !Number.isFinite(n) ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function find(report: Report, target: TargetName, mode: Mode): Measurement | undefined {
  return report.targets.find((t) => t.target === target)?.results[mode];
}

export type Comparison = {
  xDirect?: number; xNginx?: number; addedP50Us?: number; addedP99Us?: number;
  /** Throughput against bare weft, and the CPU each filter adds over it (saturated), for targets with filters. */
  xWeft?: number; cpuPerFilterUs?: number;
  /** CPU per request against nginx's in the same mode (nginx-h2's for HTTP/2 rows): the ratio the CPU goals are stated in. */
  cpuXNginx?: number; fixedCpuXNginx?: number;
};

/** One mode's CPU per request against another's; none when either was not measured. */
function cpuRatio(mine: Measurement | undefined, theirs: Measurement | undefined): number | undefined {
  const a = mine?.proxyCpuUsPerRequest;
  const b = theirs?.proxyCpuUsPerRequest;
  return a !== undefined && b !== undefined && b > 0 ? a / b : undefined;
}

/** The comparisons the design reports: throughput and CPU ratios, and latency added over going direct. */
export function compare(report: Report, target: TargetName): Comparison {
  const sat = find(report, target, 'saturated');
  const fixed = find(report, target, 'fixed');
  // gRPC rows are compared with their own upstream reached directly over h2c.
  const directName = target.endsWith('-grpc') ? 'direct-grpc' : 'direct';
  const direct = { sat: find(report, directName, 'saturated'), fixed: find(report, directName, 'fixed') };
  // HTTP/2 rows are compared with nginx's HTTP/2 proxy.
  const nginxName = target.endsWith('-h2') ? 'nginx-h2' : 'nginx';
  const nginx = find(report, nginxName, 'saturated');
  const weft = find(report, 'weft', 'saturated');
  const filters = FILTER_COUNT[target];
  // A mesh row's CPU is two sidecars' together: against one nginx it would not be a proxy's ratio.
  const oneProxy = !target.startsWith('weft-mesh');
  return {
    cpuXNginx: oneProxy ? cpuRatio(sat, nginx) : undefined,
    fixedCpuXNginx: oneProxy ? cpuRatio(fixed, find(report, nginxName, 'fixed')) : undefined,
    xWeft: filters && sat && weft ? sat.rps / weft.rps : undefined,
    cpuPerFilterUs: filters && sat?.proxyCpuUsPerRequest !== undefined && weft?.proxyCpuUsPerRequest !== undefined
      ? (sat.proxyCpuUsPerRequest - weft.proxyCpuUsPerRequest) / filters : undefined,
    xDirect: sat && direct.sat ? sat.rps / direct.sat.rps : undefined,
    xNginx: sat && nginx ? sat.rps / nginx.rps : undefined,
    addedP50Us: fixed && direct.fixed ? fixed.latencyUs.p50 - direct.fixed.latencyUs.p50 : undefined,
    addedP99Us: fixed && direct.fixed ? fixed.latencyUs.p99 - direct.fixed.latencyUs.p99 : undefined,
  };
}

function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

export function toMarkdown(report: Report): string {
  const { machine: m, settings: s } = report;
  const lines = [
    `# Weft bench, ${report.startedAt}`,
    '',
    `${m.cores} × ${m.cpu}, Linux ${m.kernel}, Node ${m.node}, wrk ${m.wrk ?? 'none'}, nginx ${m.nginx ?? 'none'};` +
      ` load by ${s.driver}, upstream ${s.upstream}` +
      ` answering ${s.bodyBytes} bytes; ${s.workers} Weft worker(s)${s.weft ? ` run from the ${s.weft}` : ''}, 1 nginx worker;` +
      ` ${m.pinned ? 'proxy pinned to CPU 0, load and upstream to CPU 1' : 'no CPU pinning'}.` +
      ` Each target and mode: ${s.warmupSeconds} s warm-up, then ${s.rounds} round(s) of ${s.seconds} s, targets taking turns;` +
      ' the figures are the medians of the rounds.' +
      ` Load average before the run: ${fmt(m.loadAverage, 2)}.`,
  ];
  const section = (mode: Mode, title: string, header: string[], row: (r: Measurement, c: Comparison) => string[]) => {
    const rows = report.targets.filter((t) => t.results[mode] && !t.pace).map((t) => [t.target, ...row(t.results[mode]!, compare(report, t.target))]);
    if (rows.length) lines.push('', `## ${title}`, '', ...table(['target', ...header, 'RSS MiB', 'peak RSS MiB'], rows));
  };
  section('saturated', `Saturated: ${s.connections} connections, as fast as they go`,
    ['req/s', '× direct', '× nginx', '× weft', 'proxy CPU µs/req', 'CPU × nginx', 'CPU µs/filter', 'p50 µs', 'p99 µs', 'p99.9 µs', 'errors'],
    (r, c) => [fmt(r.rps), fmt(c.xDirect, 2), fmt(c.xNginx, 2), fmt(c.xWeft, 2), fmt(r.proxyCpuUsPerRequest, 1), fmt(c.cpuXNginx, 2), fmt(c.cpuPerFilterUs, 1),
      fmt(r.latencyUs.p50), fmt(r.latencyUs.p99), fmt(r.latencyUs.p999), fmt(r.errors), fmt(r.rssMiB), fmt(r.peakRssMiB)]);
  section('fixed', `Fixed rate: about ${fmt(s.rate)} req/s aimed`,
    ['req/s', 'proxy CPU µs/req', 'CPU × nginx', 'p50 µs', 'p99 µs', 'p99.9 µs', 'added p50 µs', 'added p99 µs', 'errors'],
    (r, c) => [fmt(r.rps), fmt(r.proxyCpuUsPerRequest, 1), fmt(c.fixedCpuXNginx, 2), fmt(r.latencyUs.p50), fmt(r.latencyUs.p99),
      fmt(r.latencyUs.p999), fmt(c.addedP50Us), fmt(c.addedP99Us), fmt(r.errors), fmt(r.rssMiB), fmt(r.peakRssMiB)]);
  for (const t of report.targets.filter((x) => x.pace && x.results.fixed)) {
    const r = t.results.fixed!;
    // CPU µs per request × 1,000 requests a second = µs of CPU per second, per 1,000 req/s; ÷ 10⁶ gives vCPU.
    const vcpu = r.proxyCpuUsPerRequest === undefined ? undefined : r.proxyCpuUsPerRequest / 1000;
    lines.push('', `## ${t.target}: one sidecar at a fixed ${fmt(t.pace!.rate)} req/s for ${t.pace!.seconds} s`, '',
      ...table(['target', 'req/s', 'vCPU per 1,000 req/s', 'CPU µs/req', 'p50 µs', 'p99 µs', `RSS MiB after ${t.pace!.seconds} s`, 'of it files MiB', 'peak RSS MiB', 'errors'],
        [[t.target, fmt(r.rps), fmt(vcpu, 3), fmt(r.proxyCpuUsPerRequest, 1), fmt(r.latencyUs.p50), fmt(r.latencyUs.p99), fmt(r.rssMiB), fmt(r.rssFileMiB), fmt(r.peakRssMiB), fmt(r.errors)]]));
  }
  const skipped = report.targets.filter((t) => t.unavailable);
  if (skipped.length) lines.push('', '## Not measured', '', ...skipped.map((t) => `- ${t.target}: ${t.unavailable!.split('\n')[0]}`));
  lines.push('', 'CPU per request differs between the two modes on this kind of VM (idle wake-ups): compare targets within one mode.',
    'RSS is the charged proxies\' resident memory (VmRSS, VmHWM for the peak) when the load ended, summed over their processes;',
    '"of it files" is its pages of files (RssFile): Node\'s binary and libraries, shared by every process that runs them.',
    'p99.9 swings run to run; it is reported, not judged.');
  return `${lines.join('\n')}\n`;
}

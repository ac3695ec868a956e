// The report's comparisons, its Markdown and its picture, from a run's data.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Measurement } from './measure.ts';
import { toSvg } from './plot.ts';
import { compare, toMarkdown, type Report } from './report.ts';

function m(rps: number, p50: number, p99: number, proxyCpuUsPerRequest?: number): Measurement {
  const seconds = 10;
  return { requests: rps * seconds, seconds, rps, errors: 0, latencyUs: { p50, p99, p999: p99 * 2, max: p99 * 3 }, proxyCpuUsPerRequest };
}

function measured(saturated: Measurement, fixed: Measurement) {
  return { results: { saturated, fixed }, rounds: { saturated: [saturated], fixed: [fixed] } };
}

function sample(): Report {
  return {
    startedAt: '2026-01-01T00:00:00.000Z',
    machine: { cpu: 'test cpu', cores: 2, kernel: '6.0', node: 'v24.0.0', pinned: true, loadAverage: 1.5 },
    settings: { driver: 'wrk', upstream: 'nginx', rounds: 1, seconds: 10, warmupSeconds: 2, connections: 50, rate: 2000, bodyBytes: 64, workers: 1 },
    targets: [
      { target: 'direct', ...measured(m(40000, 1000, 2000), m(1990, 80, 180)) },
      { target: 'nginx', ...measured(m(32000, 1300, 2500, 20), m(1980, 140, 400, 35)) },
      { target: 'weft', ...measured(m(12000, 4000, 9000, 70), m(1970, 300, 1200, 110)) },
      { target: 'weft-filters', unavailable: 'filter "auth" is not built\nsecond line of detail', results: {}, rounds: {} },
    ],
  };
}

test('throughput is compared with direct and with nginx, latency as what the proxy adds over direct', () => {
  const report = sample();
  const c = compare(report, 'weft');
  assert.equal(c.xDirect, 12000 / 40000);
  assert.equal(c.xNginx, 12000 / 32000);
  assert.equal(c.addedP50Us, 300 - 80);
  assert.equal(c.addedP99Us, 1200 - 180);
});

test('CPU per request is compared with nginx\'s in the same mode: HTTP/2 rows with nginx-h2, mesh rows (two sidecars) with none', () => {
  const report = sample();
  assert.equal(compare(report, 'weft').cpuXNginx, 70 / 20);
  assert.equal(compare(report, 'weft').fixedCpuXNginx, 110 / 35);
  assert.equal(compare(report, 'nginx').cpuXNginx, 1);
  assert.equal(compare(report, 'direct').cpuXNginx, undefined, 'no proxy, no proxy CPU');
  report.targets.push(
    { target: 'nginx-h2', ...measured(m(30000, 1400, 2600, 25), m(1980, 150, 420, 40)) },
    { target: 'weft-h2', ...measured(m(10000, 4500, 9500, 75), m(1970, 320, 1300, 120)) },
    { target: 'weft-mesh', ...measured(m(5000, 9000, 20000, 200), m(1960, 600, 2500, 300)) },
  );
  assert.equal(compare(report, 'weft-h2').cpuXNginx, 75 / 25);
  assert.equal(compare(report, 'weft-h2').fixedCpuXNginx, 120 / 40);
  assert.equal(compare(report, 'weft-mesh').cpuXNginx, undefined);
  assert.equal(compare(report, 'weft-mesh').fixedCpuXNginx, undefined);
  assert.match(toMarkdown(report), /\| weft-h2 \| 10,000 \| .* \| 75\.0 \| 3\.00 \|/);
});

test('a comparison with a target that was not measured is left out, not zero', () => {
  const report = sample();
  report.targets = report.targets.filter((t) => t.target !== 'nginx');
  const c = compare(report, 'weft');
  assert.equal(c.xNginx, undefined);
  assert.equal(c.xDirect, 12000 / 40000);
  assert.deepEqual(compare(report, 'weft-filters'), {
    xDirect: undefined, xNginx: undefined, addedP50Us: undefined, addedP99Us: undefined, xWeft: undefined, cpuPerFilterUs: undefined,
    cpuXNginx: undefined, fixedCpuXNginx: undefined,
  });
});

test('the Markdown has one row per measured target and mode, and says why a target was not measured', () => {
  const md = toMarkdown(sample());
  assert.match(md, /\| weft \| 12,000 \| 0\.30 \| 0\.38 \| — \| 70\.0 \| 3\.50 \| — \| 4,000 \| 9,000 \| 18,000 \| 0 \|/);
  assert.match(md, /\| weft \| 1,970 \| 110\.0 \| 3\.14 \| 300 \| 1,200 \| 2,400 \| 220 \| 1,020 \| 0 \|/);
  assert.match(md, /\| direct \| 40,000 \| 1\.00 \| 1\.25 \| — \| — \|/);
  assert.match(md, /- weft-filters: filter "auth" is not built\n/);
  assert.doesNotMatch(md, /second line of detail/);
  assert.doesNotMatch(md, /\| weft-filters \|/);
});

test('a mode that was not run gets no empty table', () => {
  const report = sample();
  for (const t of report.targets) delete t.results.fixed;
  const md = toMarkdown(report);
  assert.match(md, /## Saturated/);
  assert.doesNotMatch(md, /## Fixed rate/);
});

test('the picture has a bar per measured target in each panel, longest for the largest value', () => {
  const svg = toSvg(sample());
  const widths = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"/g)].map((x) => Number(x[1]));
  // 3 throughput bars, 2 CPU bars (direct has no proxy), 3 latency bars.
  assert.equal(widths.length, 3 + 2 + 3);
  const [directRps, nginxRps, weftRps] = widths;
  assert.ok(directRps > nginxRps && nginxRps > weftRps);
  assert.doesNotMatch(svg, /weft-filters/);
});

test('a target with filters is compared with bare weft: throughput ratio and the CPU each filter adds', () => {
  const report = sample();
  const weft = report.targets.find((t) => t.target === 'weft')!;
  const sat = weft.results.saturated!;
  report.targets.push({
    target: 'weft-sdk-4',
    results: { saturated: { ...sat, rps: sat.rps / 2, proxyCpuUsPerRequest: sat.proxyCpuUsPerRequest! + 20 } },
    rounds: {},
  });
  const c = compare(report, 'weft-sdk-4');
  assert.equal(c.xWeft, 0.5);
  assert.equal(c.cpuPerFilterUs, 5);
  assert.equal(compare(report, 'weft').cpuPerFilterUs, undefined, 'bare weft has no filters to divide by');
});

test('every row gives the proxies\' RSS, and a paced target has its own section with vCPU per 1,000 req/s', () => {
  const report = sample();
  const weft = report.targets.find((t) => t.target === 'weft')!;
  weft.results.saturated = { ...weft.results.saturated!, rssMiB: 150.4, peakRssMiB: 171.6 };
  const paced = { ...m(998, 900, 4000, 350), rssMiB: 78.2, rssFileMiB: 51.4, peakRssMiB: 90.1 };
  report.targets.push({ target: 'weft-sidecar', pace: { rate: 1000, seconds: 30 }, results: { fixed: paced }, rounds: { fixed: [paced] } });
  const md = toMarkdown(report);
  assert.match(md, /\| weft \| 12,000 \|.*\| 0 \| 150 \| 172 \|/);
  assert.match(md, /## weft-sidecar: one sidecar at a fixed 1,000 req\/s for 30 s/);
  // 350 µs of CPU per request at 1,000 req/s is 0.35 of a CPU.
  // RSS, then how much of it is Node's binary and libraries (shared with every process running them), then the peak.
  assert.match(md, /\| weft-sidecar \| 998 \| 0\.350 \| 350\.0 \| 900 \| 4,000 \| 78 \| 51 \| 90 \| 0 \|/);
  // Not in the general fixed-rate table, whose rate it does not share.
  assert.equal(md.match(/\| weft-sidecar \|/g)!.length, 1);
});

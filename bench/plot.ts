// An SVG picture of a bench run: one horizontal bar chart per headline number, no plotting library.
import type { Report, TargetResult } from './report.ts';

type Panel = { title: string; bars: { label: string; value: number }[] };

const PANEL_W = 300;
const BAR_H = 22;
const LABEL_W = 96;
const COLORS: Record<string, string> = {
  direct: '#8a8a8a', nginx: '#2f9e44', weft: '#1c7ed6', 'weft-sdk-1': '#4dabf7', 'weft-sdk-4': '#3b5bdb', 'weft-filters': '#7048e8',
  'weft-mesh': '#0b7285', 'direct-grpc': '#adb5bd', 'weft-mesh-grpc': '#1098ad',
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function panel(p: Panel, x: number): string {
  const max = Math.max(...p.bars.map((b) => b.value), 1);
  const room = PANEL_W - LABEL_W - 70;
  const bars = p.bars.map((b, i) => {
    const y = 34 + i * (BAR_H + 8);
    const w = Math.max(1, (b.value / max) * room);
    return `<text x="${x + LABEL_W - 6}" y="${y + 15}" text-anchor="end">${esc(b.label)}</text>` +
      `<rect x="${x + LABEL_W}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${COLORS[b.label] ?? '#555'}"/>` +
      `<text x="${x + LABEL_W + w + 4}" y="${y + 15}">${Math.round(b.value).toLocaleString('en-US')}</text>`;
  });
  return `<text x="${x + 4}" y="18" font-weight="bold">${esc(p.title)}</text>${bars.join('')}`;
}

export function toSvg(report: Report): string {
  const bars = (pick: (t: TargetResult) => number | undefined) =>
    report.targets.flatMap((t) => { const v = pick(t); return v === undefined ? [] : [{ label: t.target, value: v }]; });
  const panels: Panel[] = [
    { title: 'req/s, saturated', bars: bars((t) => t.results.saturated?.rps) },
    { title: 'proxy CPU µs per request, saturated', bars: bars((t) => t.results.saturated?.proxyCpuUsPerRequest) },
    { title: `p99 µs at ~${report.settings.rate} req/s`, bars: bars((t) => t.results.fixed?.latencyUs.p99) },
  ].filter((p) => p.bars.length > 0);
  const height = 50 + Math.max(...panels.map((p) => p.bars.length), 1) * (BAR_H + 8);
  const width = Math.max(1, panels.length) * PANEL_W;
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#fff"/>
${panels.map((p, i) => panel(p, i * PANEL_W)).join('\n')}
</svg>
`;
}

/**
 * The `gcn-scale` part of the report: time per epoch and peak memory of each implementation against
 * the graph's edges, the least-squares slope of each on a log-log scale (1 = linear in edges), as
 * tables and as an SVG plot (results/gcn-scale.svg).
 */
import { ValueError } from '@tensorloom/core-tensor';
import { IMPLS } from './impls.js';
import { formatValue, type Table } from './report.js';
import type { BenchEntry } from './results.js';

/** One entry of a workload that reported its graph. */
export interface ScalePoint {
  workload: string;
  implId: string;
  nodes: number;
  edges: number;
  /** Best epoch time in ms; null when the job failed or timed out. */
  ms: number | null;
  /** Peak RSS of the process, MiB. */
  peakMiB: number | null;
  /** Peak RSS less the RSS after loading the library (the workload's own memory), MiB. */
  workloadMiB: number | null;
  status: BenchEntry['status'];
}

/** A line `log10 y = slope · log10 x + intercept`. */
export interface LogLogFit {
  slope: number;
  intercept: number;
  /** Points fitted. */
  points: number;
}

/** The entries that carry a graph size (`gcn-scale`), as points. */
export function scalePoints(entries: readonly BenchEntry[]): ScalePoint[] {
  return entries
    .filter((e) => e.graph !== undefined)
    .map((e) => ({
      workload: e.workload,
      implId: e.implId,
      nodes: e.graph!.nodes,
      edges: e.graph!.edges,
      ms: e.status === 'ok' && e.bestMs !== undefined ? e.bestMs : null,
      peakMiB: e.status === 'ok' ? e.peakRssMiB : null,
      workloadMiB: e.status === 'ok' && e.peakRssMiB !== null && e.baselineRssMiB !== null ? e.peakRssMiB - e.baselineRssMiB : null,
      status: e.status,
    }));
}

/** The least-squares line through `(log10 x, log10 y)` of the positive points; null with fewer than two distinct x. */
export function logLogFit(points: readonly (readonly [number, number])[]): LogLogFit | null {
  const logs = points.filter(([x, y]) => x > 0 && y > 0).map(([x, y]) => [Math.log10(x), Math.log10(y)] as const);
  if (new Set(logs.map(([x]) => x)).size < 2) return null;
  const mx = logs.reduce((s, [x]) => s + x, 0) / logs.length;
  const my = logs.reduce((s, [, y]) => s + y, 0) / logs.length;
  const sxy = logs.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = logs.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, points: logs.length };
}

/** Implementation ids among the points, in table order. */
function implsOf(points: readonly ScalePoint[]): string[] {
  const present = new Set(points.map((p) => p.implId));
  return [...IMPLS.map((c) => c.id).filter((id) => present.has(id)), ...[...present].filter((id) => !IMPLS.some((c) => c.id === id))];
}

type Measure = 'ms' | 'peakMiB' | 'workloadMiB';

function fitOf(points: readonly ScalePoint[], implId: string, measure: Measure): LogLogFit | null {
  return logLogFit(points.filter((p) => p.implId === implId && p[measure] !== null).map((p) => [p.edges, p[measure]!] as const));
}

function formatSlope(fit: LogLogFit | null): string {
  return fit === null ? '—' : `${fit.slope.toFixed(2)} (${fit.points})`;
}

/**
 * Two tables: per graph, each implementation's ms/epoch and peak RSS; per implementation, the
 * log-log slopes against edges of time, peak RSS and the workload's own memory (peak less baseline).
 * Empty when no entry carries a graph.
 */
export function scaleTables(entries: readonly BenchEntry[]): Table[] {
  const points = scalePoints(entries);
  if (points.length === 0) return [];
  const impls = implsOf(points);
  const workloads = [...new Set(points.map((p) => p.workload))];
  const cell = (p: ScalePoint | undefined, value: number | null | undefined): string =>
    p === undefined ? '' : value === null || value === undefined ? p.status : formatValue(value);
  const rows = workloads.map((workload) => {
    const mine = points.filter((p) => p.workload === workload);
    const first = mine[0]!;
    return [
      workload,
      first.nodes.toString(),
      first.edges.toString(),
      ...impls.flatMap((id) => {
        const p = mine.find((q) => q.implId === id);
        return [cell(p, p?.ms), cell(p, p?.peakMiB == null ? null : Math.round(p.peakMiB))];
      }),
    ];
  });
  const sizes: Table = {
    title: 'GCN on power-law graphs: ms per epoch and peak RSS (MiB) against the graph size',
    header: ['workload', 'nodes', 'edges', ...impls.flatMap((id) => [`${id} ms`, `${id} MiB`])],
    rows,
  };
  const slopes: Table = {
    title: 'Log-log least-squares slope against edges (points fitted; 1 = linear in edges)',
    header: ['implementation', 'time', 'peak RSS', 'peak RSS − baseline'],
    rows: impls.map((id) => [
      id,
      formatSlope(fitOf(points, id, 'ms')),
      formatSlope(fitOf(points, id, 'peakMiB')),
      formatSlope(fitOf(points, id, 'workloadMiB')),
    ]),
  };
  return [sizes, slopes];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#17becf', '#7f7f7f'];

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Whole decades around `[lo, hi]` (as exponents) with a quarter decade of margin, so no point sits on
 * the frame. lo and hi must be positive and finite (a −Infinity exponent would never end the axis's
 * loop): a ValueError otherwise.
 */
function decades(lo: number, hi: number): [number, number] {
  if (!(lo > 0 && hi >= lo && Number.isFinite(hi))) throw new ValueError(`scale plot: an axis needs 0 < lo ≤ hi < ∞, got [${lo}, ${hi}]`);
  const a = Math.floor(Math.log10(lo) - 0.25);
  const b = Math.ceil(Math.log10(hi) + 0.25);
  return [a, Math.max(b, a + 1)];
}

interface Panel {
  title: string;
  yLabel: string;
  /** Per implementation and line style: the points `[edges, y]`. */
  lines: { implId: string; dashed: boolean; label: string; points: [number, number][] }[];
}

function panelSvg(panel: Panel, left: number, top: number, width: number, height: number, colorOf: (id: string) => string): string[] {
  const margin = { left: 64, right: 16, top: 28, bottom: 44 };
  const all = panel.lines.flatMap((l) => l.points);
  if (all.length === 0) return [];
  const [x0, x1] = decades(Math.min(...all.map(([x]) => x)), Math.max(...all.map(([x]) => x)));
  const [y0, y1] = decades(Math.min(...all.map(([, y]) => y)), Math.max(...all.map(([, y]) => y)));
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const sx = (x: number): number => left + margin.left + ((Math.log10(x) - x0) / (x1 - x0)) * plotW;
  const sy = (y: number): number => top + margin.top + plotH - ((Math.log10(y) - y0) / (y1 - y0)) * plotH;
  const out: string[] = [];
  const [px, py] = [left + margin.left, top + margin.top];
  out.push(`<text x="${left + width / 2}" y="${top + 18}" text-anchor="middle" font-weight="bold">${escapeXml(panel.title)}</text>`);
  out.push(`<rect x="${px}" y="${py}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`);
  for (let d = x0; d <= x1; d++) {
    const x = sx(10 ** d);
    out.push(`<line x1="${x}" y1="${py}" x2="${x}" y2="${py + plotH}" stroke="#ddd"/>`);
    out.push(`<text x="${x}" y="${py + plotH + 16}" text-anchor="middle">1e${d}</text>`);
  }
  for (let d = y0; d <= y1; d++) {
    const y = sy(10 ** d);
    out.push(`<line x1="${px}" y1="${y}" x2="${px + plotW}" y2="${y}" stroke="#ddd"/>`);
    out.push(`<text x="${px - 6}" y="${y + 4}" text-anchor="end">1e${d}</text>`);
  }
  out.push(`<text x="${px + plotW / 2}" y="${top + height - 8}" text-anchor="middle">edges (directed)</text>`);
  out.push(
    `<text x="${left + 14}" y="${py + plotH / 2}" text-anchor="middle" transform="rotate(-90 ${left + 14} ${py + plotH / 2})">` +
      `${escapeXml(panel.yLabel)}</text>`,
  );
  panel.lines.forEach((line, i) => {
    const color = colorOf(line.implId);
    const points = line.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    const dash = line.dashed ? ' stroke-dasharray="5 4"' : '';
    out.push(`<polyline points="${points}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
    for (const [x, y] of line.points) out.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3" fill="${color}"/>`);
    const ly = py + 14 + 16 * i;
    out.push(`<line x1="${px + 8}" y1="${ly - 4}" x2="${px + 30}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${px + 36}" y="${ly}">${escapeXml(line.label)}</text>`);
  });
  return out;
}

/**
 * The SVG plot of the scale entries: time per epoch (left) and memory (right: peak RSS solid, peak
 * RSS less baseline dashed) against edges, log-log, one colour per implementation, the fitted slope
 * in each legend line. Undefined when no entry carries a graph.
 */
export function scaleSvg(entries: readonly BenchEntry[]): string | undefined {
  const points = scalePoints(entries);
  if (points.length === 0) return undefined;
  const impls = implsOf(points);
  const colorOf = (id: string): string => COLORS[impls.indexOf(id) % COLORS.length]!;
  const lineOf = (id: string, measure: Measure, dashed: boolean, what: string): Panel['lines'][number] => {
    // Only positive values have a logarithm (as in the fit): a peak at or below the baseline is left out.
    const mine = points.filter((p) => p.implId === id && p[measure] !== null && p[measure] > 0).sort((a, b) => a.edges - b.edges);
    const fit = fitOf(points, id, measure);
    return {
      implId: id,
      dashed,
      label: `${id}${what}${fit === null ? '' : `, slope ${fit.slope.toFixed(2)}`}`,
      points: mine.map((p) => [p.edges, p[measure]!]),
    };
  };
  const time: Panel = { title: 'time per epoch', yLabel: 'ms per epoch', lines: impls.map((id) => lineOf(id, 'ms', false, '')) };
  const memory: Panel = {
    title: 'memory',
    yLabel: 'MiB',
    lines: impls.flatMap((id) => [lineOf(id, 'peakMiB', false, ' peak RSS'), lineOf(id, 'workloadMiB', true, ' peak − baseline')]),
  };
  const [width, height] = [1000, 440];
  const body = [...panelSvg(time, 0, 0, width / 2, height, colorOf), ...panelSvg(memory, width / 2, 0, width / 2, height, colorOf)];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

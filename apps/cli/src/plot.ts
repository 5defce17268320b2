/** Small dependency-free SVG line charts for training curves. */

export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  width?: number;
  height?: number;
  /** Log-scale y axis (base 10; non-positive values are left out), ticks labelled `1e-20`. */
  logY?: boolean;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

/** "Nice" tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** Whole powers of ten (as exponents) covering [lo, hi], at most about 8 of them. */
function decadeTicks(lo: number, hi: number): number[] {
  const first = Math.ceil(lo);
  const last = Math.floor(hi);
  const step = Math.max(1, Math.ceil((last - first) / 8));
  const ticks: number[] = [];
  for (let t = first; t <= last; t += step) ticks.push(t);
  return ticks.length > 0 ? ticks : [Math.round((lo + hi) / 2)];
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Renders the series as an SVG document (one polyline per series, axes, ticks, legend). */
export function lineChartSvg(options: ChartOptions): string {
  const width = options.width ?? 720;
  const height = options.height ?? 420;
  const margin = { left: 70, right: 20, top: 40, bottom: 55 };
  const logY = options.logY ?? false;
  const toY = (y: number): number => (logY ? (y > 0 ? Math.log10(y) : NaN) : y);
  const series = options.series.map((s) => ({ name: s.name, points: s.points.map(([x, y]) => [x, toY(y)] as const) }));
  const pts = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = pts.map(([x]) => x);
  const ys = pts.map(([, y]) => y);
  const x0 = Math.min(...xs, 0);
  let x1 = Math.max(...xs, 1);
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (!Number.isFinite(y0)) [y0, y1] = [0, 1];
  if (y1 === y0) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  if (x1 === x0) x1 = x0 + 1;
  const pw = width - margin.left - margin.right;
  const ph = height - margin.top - margin.bottom;
  const sx = (x: number) => margin.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => margin.top + (1 - (y - y0) / (y1 - y0)) * ph;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
  );
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  parts.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escape(options.title)}</text>`);
  const yTicks = logY ? decadeTicks(y0, y1) : niceTicks(y0, y1);
  for (const t of yTicks) {
    parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${sy(t)}" y2="${sy(t)}" stroke="#eee"/>`);
    parts.push(`<text x="${margin.left - 6}" y="${sy(t) + 4}" text-anchor="end">${logY ? `1e${t}` : t}</text>`);
  }
  for (const t of niceTicks(x0, x1)) {
    parts.push(`<line x1="${sx(t)}" x2="${sx(t)}" y1="${margin.top + ph}" y2="${margin.top + ph + 5}" stroke="#333"/>`);
    parts.push(`<text x="${sx(t)}" y="${margin.top + ph + 18}" text-anchor="middle">${t}</text>`);
  }
  parts.push(`<rect x="${margin.left}" y="${margin.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${margin.left + pw / 2}" y="${height - 12}" text-anchor="middle">${escape(options.xLabel)}</text>`);
  parts.push(`<text transform="translate(18 ${margin.top + ph / 2}) rotate(-90)" text-anchor="middle">${escape(options.yLabel)}</text>`);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const d = s.points
      .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
      .map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`)
      .join(' ');
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.8" points="${d}"/>`);
  });
  // The legend goes last, on a white box, in the corner the lines cross least (top right first).
  const legendWidth = 36 + Math.max(...series.map((s) => s.name.length), 4) * 7;
  const legendHeight = series.length * 16 + 8;
  const pixels = series.flatMap((s) =>
    s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)).map(([x, y]) => [sx(x), sy(y)] as const),
  );
  const corners = [
    [width - margin.right - legendWidth - 10, margin.top + 4],
    [width - margin.right - legendWidth - 10, margin.top + ph - legendHeight - 4],
    [margin.left + 4, margin.top + 4],
    [margin.left + 4, margin.top + ph - legendHeight - 4],
  ] as const;
  const covered = corners.map(
    ([bx, by]) => pixels.filter(([px, py]) => px >= bx && px <= bx + legendWidth && py >= by && py <= by + legendHeight).length,
  );
  const [boxX, boxY] = corners[covered.indexOf(Math.min(...covered))]!;
  parts.push(
    `<rect x="${boxX}" y="${boxY}" width="${legendWidth}" height="${legendHeight}" fill="white" fill-opacity="0.9" stroke="#ccc"/>`,
  );
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const ly = boxY + 14 + i * 16;
    parts.push(`<line x1="${boxX + 6}" x2="${boxX + 26}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<text x="${boxX + 32}" y="${ly + 4}">${escape(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

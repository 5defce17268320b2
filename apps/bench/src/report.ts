/**
 * The tables: absolute figures, ratios (the fastest tensorloom / each peer) and peak memory, as
 * plain text for the terminal and as Markdown for results/latest.md and the README.
 */
import { IMPLS } from './impls.js';
import type { BenchEntry, BenchHeader } from './results.js';
import { scaleTables } from './scale-report.js';

/** A table of strings; column 0 is left-aligned, the rest right-aligned. */
export interface Table {
  title: string;
  header: string[];
  rows: string[][];
}

/** One ratio: the fastest tensorloom entry over a peer's, for one workload. */
export interface Ratio {
  workload: string;
  peerId: string;
  /** The tensorloom column in the numerator. */
  tensorloomId: string;
  /** null when either side has no figure. */
  ratio: number | null;
  /** `atLeast` when the peer timed out, so its value is only bounded from above. */
  kind: 'exact' | 'atLeast';
}

/** A figure with 3–4 significant digits and no exponent. */
export function formatValue(value: number): string {
  if (value >= 100) return Math.round(value).toString();
  if (value >= 10) return value.toFixed(1);
  if (value >= 0.1) return value.toFixed(2);
  return value.toPrecision(2);
}

/** `2.35×`, `14.2×`, `≥3.10×`. */
export function formatRatio(ratio: Ratio): string {
  if (ratio.ratio === null) return '—';
  const digits = ratio.ratio >= 10 ? 1 : 2;
  return `${ratio.kind === 'atLeast' ? '≥' : ''}${ratio.ratio.toFixed(digits)}×`;
}

function isTensorloom(entry: BenchEntry): boolean {
  return entry.impl === 'tensorloom';
}

/** Workloads in first-seen order. */
function workloadsOf(entries: readonly BenchEntry[]): string[] {
  return [...new Set(entries.map((e) => e.workload))];
}

/** Column ids present in the entries, in the catalogue's order (unknown ids last). */
function columnsOf(entries: readonly BenchEntry[], filter: (e: BenchEntry) => boolean = () => true): string[] {
  const present = new Set(entries.filter(filter).map((e) => e.implId));
  const known = IMPLS.map((c) => c.id).filter((id) => present.has(id));
  return [...known, ...[...present].filter((id) => !known.includes(id))];
}

/**
 * Ratios for every peer entry: the best tensorloom value among entries with at most the peer's
 * threads (so a 2-thread tensorloom is never set against a 1-thread peer) over the peer's value.
 * A timed-out peer gives a lower bound on the ratio from its `upperBound`.
 */
export function computeRatios(entries: readonly BenchEntry[]): Ratio[] {
  const ratios: Ratio[] = [];
  for (const peer of entries.filter((e) => !isTensorloom(e))) {
    const candidates = entries.filter(
      (e) => isTensorloom(e) && e.workload === peer.workload && e.status === 'ok' && e.value !== null && e.threads <= peer.threads,
    );
    const best = candidates.reduce<BenchEntry | undefined>((acc, e) => (acc === undefined || e.value! > acc.value! ? e : acc), undefined);
    if (!best) {
      ratios.push({ workload: peer.workload, peerId: peer.implId, tensorloomId: '', ratio: null, kind: 'exact' });
    } else if (peer.status === 'ok' && peer.value !== null && peer.value > 0) {
      ratios.push({
        workload: peer.workload,
        peerId: peer.implId,
        tensorloomId: best.implId,
        ratio: best.value! / peer.value,
        kind: 'exact',
      });
    } else if (peer.status === 'timeout' && peer.upperBound !== undefined && peer.upperBound > 0) {
      ratios.push({
        workload: peer.workload,
        peerId: peer.implId,
        tensorloomId: best.implId,
        ratio: best.value! / peer.upperBound,
        kind: 'atLeast',
      });
    } else {
      ratios.push({ workload: peer.workload, peerId: peer.implId, tensorloomId: best.implId, ratio: null, kind: 'exact' });
    }
  }
  return ratios;
}

function cellOf(entry: BenchEntry | undefined): string {
  if (!entry) return '';
  if (entry.status === 'ok' && entry.value !== null) return formatValue(entry.value);
  if (entry.status === 'timeout') return entry.upperBound === undefined ? 'timeout' : `<${formatValue(entry.upperBound)}`;
  return 'failed';
}

/** Absolute figures: one row per workload, one column per implementation. */
export function absoluteTable(entries: readonly BenchEntry[]): Table {
  const columns = columnsOf(entries);
  const rows = workloadsOf(entries).map((workload) => {
    const row = entries.filter((e) => e.workload === workload);
    return [workload, row[0]?.unit ?? '', ...columns.map((id) => cellOf(row.find((e) => e.implId === id)))];
  });
  return { title: 'Throughput (higher is better)', header: ['workload', 'unit', ...columns], rows };
}

/** Ratios: one row per workload, one column per peer. */
export function ratioTable(entries: readonly BenchEntry[]): Table {
  const ratios = computeRatios(entries);
  const peers = columnsOf(entries, (e) => !isTensorloom(e));
  const rows = workloadsOf(entries).map((workload) => {
    const mine = ratios.filter((r) => r.workload === workload);
    return [
      workload,
      ...peers.map((id) => {
        const ratio = mine.find((r) => r.peerId === id);
        return ratio ? formatRatio(ratio) : '';
      }),
    ];
  });
  return {
    title: "Speed-up: the fastest tensorloom column with at most the peer's threads / the peer (>1: tensorloom is faster)",
    header: ['workload', ...peers.map((id) => `vs ${id}`)],
    rows,
  };
}

/** Peak RSS of each workload × implementation, each measured in its own process. */
export function memoryTable(entries: readonly BenchEntry[]): Table {
  const columns = columnsOf(entries);
  const rows = workloadsOf(entries).map((workload) => {
    const row = entries.filter((e) => e.workload === workload);
    return [
      workload,
      ...columns.map((id) => {
        const entry = row.find((e) => e.implId === id);
        return entry?.peakRssMiB == null ? '' : Math.round(entry.peakRssMiB).toString();
      }),
    ];
  });
  return {
    title: 'Peak RSS in MiB (whole process: runtime + library + workload; lower is better)',
    header: ['workload', ...columns],
    rows,
  };
}

/** The table as aligned plain text. */
export function renderText(table: Table): string {
  const all = [table.header, ...table.rows];
  const widths = table.header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]): string =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [table.title, line(table.header), ...table.rows.map(line)].join('\n');
}

/** The table as GitHub Markdown (with a bold title line). */
export function renderMarkdown(table: Table): string {
  const escape = (cell: string): string => cell.replace(/\|/g, '\\|');
  const header = `| ${table.header.map(escape).join(' | ')} |`;
  const rule = `|${table.header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`;
  const rows = table.rows.map((row) => `| ${row.map(escape).join(' | ')} |`);
  return [`**${table.title}**`, '', header, rule, ...rows].join('\n');
}

/** The tables of a run: figures, ratios, memory, and for `gcn-scale` the sizes and log-log slopes (scale-report.ts). */
export function tablesOf(entries: readonly BenchEntry[]): Table[] {
  const tables = [absoluteTable(entries)];
  if (entries.some((e) => e.impl !== 'tensorloom') && entries.some(isTensorloom)) tables.push(ratioTable(entries));
  tables.push(memoryTable(entries), ...scaleTables(entries));
  return tables;
}

/** The entries' notes, one line per implementation and note, with the workloads they apply to. */
export function entryNotes(entries: readonly BenchEntry[]): string[] {
  const groups = new Map<string, string[]>();
  for (const entry of entries) {
    if (entry.note === undefined || entry.status !== 'ok') continue;
    const key = `${entry.implId}: ${entry.note}`;
    groups.set(key, [...(groups.get(key) ?? []), entry.workload]);
  }
  return [...groups].map(([key, workloads]) => `${key} (${workloads.join(', ')})`);
}

/** results/latest.md: the header facts, the notices and the tables. */
export function renderMarkdownReport(header: BenchHeader, entries: readonly BenchEntry[]): string {
  const m = header.machine;
  const versions = Object.entries(header.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  const simd = m.simd ? ` (${m.simd.length > 0 ? m.simd.join(' ') : 'no SIMD flags listed'})` : '';
  const lines = [
    `# tensorloom bench${header.quick ? ' (--quick)' : ''}`,
    '',
    `${header.date} · \`${header.command}\` · ${Math.round(header.seconds)} s`,
    '',
    `Machine: ${m.cpu}${simd}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}, Node ` +
      `${m.node}, load average ${m.loadAverage.map((x) => x.toFixed(2)).join(' ')} ` +
      `at the start${m.loadAverageEnd ? `, ${m.loadAverageEnd.map((x) => x.toFixed(2)).join(' ')} at the end` : ''}.`,
    '',
    `Versions: ${versions}.`,
    '',
    'Each figure is the best of several timed runs after warm-up, each workload × implementation in its own process.',
    '',
  ];
  for (const table of tablesOf(entries)) lines.push(renderMarkdown(table), '');
  const notes = entryNotes(entries);
  if (notes.length > 0) lines.push('Notes:', '', ...notes.map((n) => `- ${n}`), '');
  if (header.notices.length > 0) {
    lines.push('Notices:', '', ...header.notices.map((n) => `- ${n}`), '');
  }
  return lines.join('\n');
}

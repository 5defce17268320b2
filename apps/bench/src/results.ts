/**
 * The results file, `results/latest.json`: a JSON array whose first element is the header (machine,
 * date, versions, notices) and whose other elements are one entry per workload × implementation.
 */
import type { ImplName } from './impls.js';
import type { GraphSize } from './protocol.js';
import { UNITS, type Unit } from './workloads.js';

/** How a measurement ended. */
export type EntryStatus = 'ok' | 'timeout' | 'failed';

/** One workload × implementation. */
export interface BenchEntry {
  kind: 'result';
  workload: string;
  impl: ImplName;
  /** The column: `tensorloom-wasm-2t`, `tfjs-cpu`… */
  implId: string;
  backend: string;
  threads: number;
  /** In `unit`, higher is better; null when the run timed out or failed. */
  value: number | null;
  unit: Unit;
  /** Peak resident set size of the process that ran only this workload; null if unknown. */
  peakRssMiB: number | null;
  /** The same process's peak RSS after loading the library, before the workload's data. */
  baselineRssMiB: number | null;
  status: EntryStatus;
  /** Timed runs (training steps or products) behind `value`, which is from the best one. */
  runs?: number;
  bestMs?: number;
  medianMs?: number;
  /** For a timeout: `value` is below this (one run did not finish in the time allowed). */
  upperBound?: number;
  note?: string;
  /** The graph of a GNN workload, when the runner reports it (`gcn-scale`). */
  graph?: GraphSize;
}

/** The first element of the file. */
export interface BenchHeader {
  kind: 'header';
  /** ISO 8601. */
  date: string;
  command: string;
  quick: boolean;
  machine: {
    cpu: string;
    /** The CPU's vector instruction sets (`avx2`, `avx512f`, …) where the platform tells them (Linux). */
    simd?: string[];
    cores: number;
    memoryGiB: number;
    platform: string;
    node: string;
    /** 1, 5 and 15-minute load averages at the start (the machine may be shared). */
    loadAverage: number[];
    /** The same at the end. */
    loadAverageEnd?: number[];
  };
  /** Library versions, by package name. */
  versions: Record<string, string>;
  /** Columns skipped and why, timeouts, failures. */
  notices: string[];
  /** Seconds the whole run took. */
  seconds: number;
}

/** The whole file. */
export type BenchFile = [BenchHeader, ...BenchEntry[]];

const UNIT_SET = new Set<string>(UNITS);
const STATUSES = new Set(['ok', 'timeout', 'failed']);
const IMPLS = new Set(['tensorloom', 'tfjs', 'brainjs', 'pytorch']);

function isNumberOrNull(value: unknown): boolean {
  return value === null || (typeof value === 'number' && Number.isFinite(value));
}

/**
 * The problems of a parsed results file (empty when it is valid): the header first, then entries
 * with every required field of the right type, a value for every `ok` entry.
 */
export function validateBenchFile(data: unknown): string[] {
  const problems: string[] = [];
  if (!Array.isArray(data) || data.length === 0) return ['not a non-empty array'];
  const [header, ...entries] = data as unknown[];
  const h = header as Partial<BenchHeader> | null;
  if (typeof h !== 'object' || h === null || h.kind !== 'header') problems.push('element 0 is not the header');
  else {
    if (typeof h.date !== 'string' || Number.isNaN(Date.parse(h.date))) problems.push('header.date is not a date');
    if (typeof h.machine !== 'object' || h.machine === null) problems.push('header.machine is missing');
    if (typeof h.versions !== 'object' || h.versions === null) problems.push('header.versions is missing');
    if (!Array.isArray(h.notices)) problems.push('header.notices is not an array');
  }
  entries.forEach((raw, i) => {
    const at = `entry ${i + 1}`;
    const e = raw as Partial<BenchEntry> | null;
    if (typeof e !== 'object' || e === null || e.kind !== 'result') {
      problems.push(`${at}: not a result`);
      return;
    }
    if (typeof e.workload !== 'string' || e.workload === '') problems.push(`${at}: workload`);
    if (typeof e.impl !== 'string' || !IMPLS.has(e.impl)) problems.push(`${at}: impl`);
    if (typeof e.implId !== 'string') problems.push(`${at}: implId`);
    if (typeof e.backend !== 'string') problems.push(`${at}: backend`);
    if (typeof e.threads !== 'number' || !Number.isInteger(e.threads) || e.threads < 1) problems.push(`${at}: threads`);
    if (!isNumberOrNull(e.value)) problems.push(`${at}: value`);
    if (typeof e.unit !== 'string' || !UNIT_SET.has(e.unit)) problems.push(`${at}: unit`);
    if (!isNumberOrNull(e.peakRssMiB)) problems.push(`${at}: peakRssMiB`);
    if (typeof e.status !== 'string' || !STATUSES.has(e.status)) problems.push(`${at}: status`);
    if (e.status === 'ok' && (typeof e.value !== 'number' || e.value <= 0)) problems.push(`${at}: an ok entry needs a positive value`);
  });
  return problems;
}

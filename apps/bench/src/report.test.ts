import { describe, expect, it } from 'vitest';
import {
  absoluteTable,
  computeRatios,
  entryNotes,
  formatRatio,
  formatValue,
  memoryTable,
  ratioTable,
  renderMarkdown,
  renderMarkdownReport,
  renderText,
  tablesOf,
} from './report.js';
import type { BenchEntry, BenchHeader } from './results.js';
import { IMPLS } from './impls.js';

function entry(workload: string, implId: string, value: number | null, extra: Partial<BenchEntry> = {}): BenchEntry {
  const config = IMPLS.find((c) => c.id === implId)!;
  return {
    kind: 'result',
    workload,
    impl: config.impl,
    implId,
    backend: config.backend,
    threads: config.threads,
    value,
    unit: workload.startsWith('gemm') ? 'GFLOP/s' : 'chars/s',
    peakRssMiB: 100,
    baselineRssMiB: 80,
    status: value === null ? 'failed' : 'ok',
    ...extra,
  };
}

const entries: BenchEntry[] = [
  entry('gemm-a', 'tensorloom-js', 4),
  entry('gemm-a', 'tensorloom-wasm-1t', 40),
  entry('gemm-a', 'tensorloom-wasm-2t', 70),
  entry('gemm-a', 'tfjs-wasm', 20),
  entry('gemm-a', 'pytorch-1t', 80),
  entry('gemm-a', 'pytorch-2t', 100),
  entry('lstm-A', 'tensorloom-js', 2000),
  entry('lstm-A', 'tfjs-cpu', null, { status: 'timeout', upperBound: 50, peakRssMiB: null }),
  entry('lstm-A', 'brainjs', 500, { note: 'one sequence at a time' }),
];

describe('computeRatios', () => {
  it('divides the fastest tensorloom with at most the peer’s threads by the peer', () => {
    const ratios = computeRatios(entries);
    const of = (workload: string, peer: string) => ratios.find((r) => r.workload === workload && r.peerId === peer)!;
    // tfjs-wasm runs one thread: tensorloom's best 1-thread figure (40), not the 2-thread one.
    expect(of('gemm-a', 'tfjs-wasm')).toMatchObject({ ratio: 2, tensorloomId: 'tensorloom-wasm-1t', kind: 'exact' });
    expect(of('gemm-a', 'pytorch-1t').ratio).toBeCloseTo(0.5);
    expect(of('gemm-a', 'pytorch-2t')).toMatchObject({ ratio: 0.7, tensorloomId: 'tensorloom-wasm-2t' });
    expect(of('lstm-A', 'brainjs').ratio).toBe(4);
  });

  it('gives a lower bound for a peer that timed out and no ratio without figures', () => {
    const ratios = computeRatios([
      ...entries,
      entry('lstm-B', 'pytorch-1t', 900),
      entry('lstm-C', 'tensorloom-js', 10),
      entry('lstm-C', 'tfjs-wasm', null),
    ]);
    expect(ratios.find((r) => r.peerId === 'tfjs-cpu')).toMatchObject({ ratio: 40, kind: 'atLeast' });
    expect(ratios.find((r) => r.workload === 'lstm-B')!.ratio).toBeNull();
    expect(ratios.find((r) => r.workload === 'lstm-C')!.ratio).toBeNull();
  });
});

describe('formatting', () => {
  it('prints figures with a few significant digits and ratios with ×', () => {
    expect(formatValue(12345.6)).toBe('12346');
    expect(formatValue(42.31)).toBe('42.3');
    expect(formatValue(4.256)).toBe('4.26');
    expect(formatValue(0.0123)).toBe('0.012');
    expect(formatRatio({ workload: 'w', peerId: 'p', tensorloomId: 't', ratio: 2.345, kind: 'exact' })).toBe('2.35×');
    expect(formatRatio({ workload: 'w', peerId: 'p', tensorloomId: 't', ratio: 40, kind: 'atLeast' })).toBe('≥40.0×');
    expect(formatRatio({ workload: 'w', peerId: 'p', tensorloomId: '', ratio: null, kind: 'exact' })).toBe('—');
  });
});

describe('tables', () => {
  it('lays out one row per workload and one column per implementation in catalogue order', () => {
    const table = absoluteTable(entries);
    expect(table.header).toEqual([
      'workload',
      'unit',
      'tensorloom-js',
      'tensorloom-wasm-1t',
      'tensorloom-wasm-2t',
      'tfjs-cpu',
      'tfjs-wasm',
      'brainjs',
      'pytorch-1t',
      'pytorch-2t',
    ]);
    expect(table.rows[0]).toEqual(['gemm-a', 'GFLOP/s', '4.00', '40.0', '70.0', '', '20.0', '', '80.0', '100']);
    expect(table.rows[1]).toEqual(['lstm-A', 'chars/s', '2000', '', '', '<50.0', '', '500', '', '']);
  });

  it('puts the ratios of each peer in its own column', () => {
    const table = ratioTable(entries);
    expect(table.header).toEqual(['workload', 'vs tfjs-cpu', 'vs tfjs-wasm', 'vs brainjs', 'vs pytorch-1t', 'vs pytorch-2t']);
    expect(table.rows[0]).toEqual(['gemm-a', '', '2.00×', '', '0.50×', '0.70×']);
    expect(table.rows[1]).toEqual(['lstm-A', '≥40.0×', '', '4.00×', '', '']);
  });

  it('shows peak RSS rounded, blank where unknown', () => {
    const table = memoryTable(entries);
    expect(table.rows[1]![table.header.indexOf('tfjs-cpu')]).toBe('');
    expect(table.rows[0]![table.header.indexOf('pytorch-1t')]).toBe('100');
  });

  it('renders aligned text and Markdown with a row per workload', () => {
    const table = absoluteTable(entries);
    const lines = renderText(table).split('\n');
    expect(lines).toHaveLength(1 + 1 + 2);
    expect(lines[2]!.indexOf('GFLOP/s') + 'GFLOP/s'.length).toBe(lines[3]!.indexOf('chars/s') + 'chars/s'.length);
    const markdown = renderMarkdown(table).split('\n');
    expect(markdown[2]).toMatch(/^\| workload \| unit \| tensorloom-js/);
    expect(markdown[3]).toMatch(/^\| --- \| ---: \|/);
    expect(markdown).toHaveLength(2 + 2 + 2);
  });

  it('leaves out the ratio table when only tensorloom ran, and lists notes per implementation', () => {
    expect(tablesOf(entries.filter((e) => e.impl === 'tensorloom')).map((t) => t.title)).toHaveLength(2);
    expect(tablesOf(entries)).toHaveLength(3);
    expect(entryNotes(entries)).toEqual(['brainjs: one sequence at a time (lstm-A)']);
  });
});

describe('renderMarkdownReport', () => {
  const header: BenchHeader = {
    kind: 'header',
    date: '2026-12-06T00:00:00.000Z',
    command: 'pnpm bench',
    quick: false,
    machine: { cpu: 'AMD EPYC', cores: 2, memoryGiB: 24, platform: 'Linux', node: 'v20.20.2', loadAverage: [0.5, 1, 2] },
    versions: {},
    notices: [],
    seconds: 60,
  };
  const machineLine = (h: BenchHeader): string | undefined =>
    renderMarkdownReport(h, [])
      .split('\n')
      .find((line) => line.startsWith('Machine:'));

  it('gives the CPU with its SIMD flags when the header has them, and the bare model for older files', () => {
    const withFlags = { ...header, machine: { ...header.machine, simd: ['fma', 'avx2', 'avx512f'] } };
    expect(machineLine(withFlags)).toMatch(/^Machine: AMD EPYC \(fma avx2 avx512f\), 2 cores,/);
    expect(machineLine(header)).toMatch(/^Machine: AMD EPYC, 2 cores,/);
  });
});

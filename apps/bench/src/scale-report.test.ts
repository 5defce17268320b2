import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './report.js';
import type { BenchEntry } from './results.js';
import { logLogFit, scalePoints, scaleSvg, scaleTables } from './scale-report.js';

function entry(implId: string, nodes: number, ms: number | null, peak: number, baseline: number): BenchEntry {
  const pytorch = implId.startsWith('pytorch');
  return {
    kind: 'result',
    workload: `gcn-scale-1e${Math.log10(nodes)}`,
    impl: pytorch ? 'pytorch' : 'tensorloom',
    implId,
    backend: pytorch ? 'cpu' : 'wasm',
    threads: 1,
    value: ms === null ? null : 1000 / ms,
    unit: 'epochs/s',
    peakRssMiB: ms === null ? null : peak,
    baselineRssMiB: ms === null ? null : baseline,
    status: ms === null ? 'failed' : 'ok',
    ...(ms === null ? { note: 'RangeError: WebAssembly.Memory.grow(): Maximum memory size exceeded' } : { bestMs: ms }),
    graph: { nodes, edges: 10 * nodes },
  };
}

describe('logLogFit', () => {
  it('recovers the exponent and factor of a power law, and needs two distinct x', () => {
    const fit = logLogFit([1e3, 1e4, 1e5].map((x) => [x, 3 * x ** 0.8] as const))!;
    expect(fit.slope).toBeCloseTo(0.8, 10);
    expect(10 ** fit.intercept).toBeCloseTo(3, 8);
    expect(fit.points).toBe(3);
    expect(logLogFit([[10, 1]])).toBeNull();
    expect(
      logLogFit([
        [10, 1],
        [10, 2],
        [0, 5],
      ]),
    ).toBeNull();
  });
});

describe('the gcn-scale report', () => {
  const entries = [
    entry('tensorloom-wasm-1t', 1e4, 10, 150, 100),
    entry('tensorloom-wasm-1t', 1e5, 100, 600, 100),
    entry('tensorloom-wasm-1t', 1e6, null, 0, 0),
    entry('pytorch-1t', 1e4, 20, 300, 250),
    entry('pytorch-1t', 1e5, 200, 750, 250),
    entry('pytorch-1t', 1e6, 2000, 5250, 250),
  ];

  it('tabulates time and memory per graph and fits slopes per implementation over the sizes that ran', () => {
    expect(scalePoints(entries).filter((p) => p.ms !== null)).toHaveLength(5);
    const [sizes, slopes] = scaleTables(entries);
    expect(sizes!.header).toEqual([
      'workload',
      'nodes',
      'edges',
      'tensorloom-wasm-1t ms',
      'tensorloom-wasm-1t MiB',
      'pytorch-1t ms',
      'pytorch-1t MiB',
    ]);
    expect(sizes!.rows[2]).toEqual(['gcn-scale-1e6', '1000000', '10000000', 'failed', 'failed', '2000', '5250']);
    expect(slopes!.rows).toEqual([
      ['tensorloom-wasm-1t', '1.00 (2)', expect.stringMatching(/^0\.60 \(2\)$/), '1.00 (2)'],
      ['pytorch-1t', '1.00 (3)', expect.any(String), '1.00 (3)'],
    ]);
    expect(renderMarkdown(slopes!)).toContain('| pytorch-1t | 1.00 (3) |');
    expect(scaleTables(entries.map((e) => ({ ...e, graph: undefined })))).toEqual([]);
  });

  it('plots both panels log-log with one line per implementation and measure, slopes in the legend', () => {
    const svg = scaleSvg(entries)!;
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    // time: 2 lines; memory: peak RSS and peak − baseline per implementation.
    expect(svg.match(/<polyline /g)).toHaveLength(6);
    expect(svg).toContain('pytorch-1t, slope 1.00');
    expect(svg).toContain('tensorloom-wasm-1t peak − baseline, slope 1.00');
    expect(svg).toContain('>1e7<');
    expect(scaleSvg([])).toBeUndefined();
  });

  it('leaves out a memory at or below the baseline (no logarithm) instead of looping on an endless axis', () => {
    // Seen in loaded test runs: a tiny graph's peak RSS equal to the process's baseline gave log10(0) =
    // −Infinity and an axis loop from there that never ended (below the baseline: NaN coordinates).
    const svg = scaleSvg([entry('tensorloom-js', 300, 5, 100, 100), entry('tensorloom-js', 900, 9, 98, 100)])!;
    expect(svg).toContain('tensorloom-js peak RSS');
    expect(svg).not.toContain('NaN');
    expect(svg).not.toContain('Infinity');
    // time and peak RSS have their two points each; peak − baseline (0 and −2 MiB) none.
    expect(svg.match(/<circle /g)).toHaveLength(4);
  });
});

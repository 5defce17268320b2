import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { logLogFit } from './scale-report.js';
import { ensureGraphFile, graphFilePath, powerLawGraph, readGraphFileInto, readGraphHeader, writeGraphFile } from './powerlaw.js';

describe('powerLawGraph', () => {
  const graph = powerLawGraph({ nodes: 20000, avgDegree: 10, seed: 1 });
  const n = graph.numNodes;
  const e = graph.source.length;

  it('has round(N · avgDegree / 2) undirected edges, listed in both directions: the degree sum is N · avgDegree', () => {
    expect(e).toBe(2 * Math.round((20000 * 10) / 2));
    const degree = new Int32Array(n);
    for (const s of graph.source) degree[s]!++;
    expect(degree.reduce((a, b) => a + b, 0)).toBe(e);
    const inDegree = new Int32Array(n);
    for (const t of graph.target) inDegree[t]!++;
    expect(Array.from(inDegree)).toEqual(Array.from(degree));
  });

  it('is symmetric, sorted by (source, target), without self-loops or repeated edges, ids in range', () => {
    const keys = new Set<number>();
    const problems: string[] = [];
    for (let k = 0; k < e; k++) {
      const [s, t] = [graph.source[k]!, graph.target[k]!];
      if (!(s >= 0 && s < n && t >= 0 && t < n && s !== t)) problems.push(`edge ${k}: ${s} → ${t}`);
      if (k > 0 && s * n + t <= graph.source[k - 1]! * n + graph.target[k - 1]!) problems.push(`edge ${k} out of order`);
      keys.add(s * n + t);
    }
    for (let k = 0; k < e; k++) if (!keys.has(graph.target[k]! * n + graph.source[k]!)) problems.push(`edge ${k} has no reverse`);
    expect(problems).toEqual([]);
    expect(keys.size).toBe(e);
  });

  it('is the same for the same seed and another for another seed', () => {
    const again = powerLawGraph({ nodes: 20000, avgDegree: 10, seed: 1 });
    const same = (a: Int32Array, b: Int32Array): boolean => Buffer.from(a.buffer).equals(Buffer.from(b.buffer));
    expect(same(again.source, graph.source) && same(again.target, graph.target)).toBe(true);
    const other = powerLawGraph({ nodes: 20000, avgDegree: 10, seed: 2 });
    expect(other.source.length).toBe(e);
    expect(same(other.target, graph.target)).toBe(false);
  });

  it('has a power-law tail: P(D ≥ d) falls about as d^-2 from degree 20 to 320, and the hubs are far above the mean', () => {
    const degree = new Int32Array(n);
    for (const s of graph.source) degree[s]!++;
    const ccdf = [20, 40, 80, 160, 320].map((d) => [d, degree.filter((x) => x >= d).length / n] as const);
    const fit = logLogFit(ccdf)!;
    expect(fit.slope).toBeGreaterThan(-2.5);
    expect(fit.slope).toBeLessThan(-1.5);
    expect(Math.max(...degree)).toBeGreaterThan(50 * (e / n));
  });

  it('refuses sizes it cannot draw', () => {
    expect(() => powerLawGraph({ nodes: 1, avgDegree: 2, seed: 0 })).toThrow(/nodes must be an integer/);
    expect(() => powerLawGraph({ nodes: 10, avgDegree: 9, seed: 0 })).toThrow(/avgDegree must give/);
  });
});

describe('graph files', () => {
  it('round-trip through writeGraphFile / readGraphFileInto, are reused by ensureGraphFile, and a broken one is rewritten', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tensorloom-bench-graph-'));
    try {
      const options = { nodes: 500, avgDegree: 6, seed: 3 };
      const graph = powerLawGraph(options);
      const file = path.join(dir, 'g.i32');
      writeGraphFile(file, graph);
      expect(readGraphHeader(file)).toEqual({ numNodes: 500, numEdges: graph.source.length });
      const [source, target] = [new Int32Array(graph.source.length), new Int32Array(graph.source.length)];
      readGraphFileInto(file, source, target);
      expect(source).toEqual(graph.source);
      expect(target).toEqual(graph.target);
      expect(() => readGraphFileInto(file, new Int32Array(3), new Int32Array(3))).toThrow(/holds \d+ edges/);

      const lines: string[] = [];
      const first = ensureGraphFile(options, dir, (line) => lines.push(line));
      expect(first).toEqual({ file: graphFilePath(options, dir), numNodes: 500, numEdges: graph.source.length });
      expect(lines).toHaveLength(1);
      ensureGraphFile(options, dir, (line) => lines.push(line));
      expect(lines).toHaveLength(1);
      await writeFile(first.file, 'truncated');
      expect(readGraphHeader(first.file)).toBeUndefined();
      expect(ensureGraphFile(options, dir, (line) => lines.push(line)).numEdges).toBe(graph.source.length);
      expect(lines).toHaveLength(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

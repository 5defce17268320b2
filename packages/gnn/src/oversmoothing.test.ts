import { DTypeError, Generator, IndexError, ShapeError, Tensor, ValueError, randn, tensor } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { dirichletEnergy, meanCosineSimilarity, oversmoothing } from './oversmoothing.js';

/** An Erdős–Rényi graph G(n, p) as a symmetric edge index (both directions). */
function randomGraph(n: number, p: number, seed: number): Tensor {
  const g = new Generator(seed);
  const source: number[] = [];
  const target: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (g.random() < p) {
        source.push(i, j);
        target.push(j, i);
      }
    }
  }
  return new Tensor(Int32Array.from([...source, ...target]), [2, source.length], 'int32');
}

/** One GCN propagation without weights: D̃^{-1/2}(A + I)D̃^{-1/2} x. */
function propagate(x: Tensor, edgeIndex: Tensor): Tensor {
  const [n, f] = x.shape as [number, number];
  const e = edgeIndex.shape[1]!;
  const ei = edgeIndex.data as Int32Array;
  const degree = new Float64Array(n).fill(1);
  for (let k = 0; k < e; k++) degree[ei[e + k]!]! += 1;
  const out = new Float64Array(n * f);
  for (let i = 0; i < n; i++) for (let c = 0; c < f; c++) out[i * f + c] = x.data[i * f + c]! / degree[i]!;
  for (let k = 0; k < e; k++) {
    const j = ei[k]!;
    const i = ei[e + k]!;
    const w = 1 / Math.sqrt(degree[i]! * degree[j]!);
    for (let c = 0; c < f; c++) out[i * f + c]! += w * x.data[j * f + c]!;
  }
  return new Tensor(out, [n, f], 'float64');
}

describe('meanCosineSimilarity', () => {
  it('averages the cosine over all ordered pairs of distinct rows', () => {
    expect(
      meanCosineSimilarity(
        tensor([
          [1, 0],
          [2, 0],
          [0, 3],
        ]),
      ),
    ).toBeCloseTo(1 / 3, 12);
    expect(
      meanCosineSimilarity(
        tensor([
          [1, 1],
          [-1, -1],
        ]),
      ),
    ).toBeCloseTo(-1, 12);
    expect(
      meanCosineSimilarity(
        tensor([
          [1, 2, 3],
          [2, 4, 6],
          [0.5, 1, 1.5],
        ]),
      ),
    ).toBeCloseTo(1, 6);
  });

  it('matches the brute-force mean on random rows', () => {
    const x = randn([7, 5], { generator: new Generator(0) });
    let total = 0;
    for (let i = 0; i < 7; i++) {
      for (let j = 0; j < 7; j++) {
        if (i === j) continue;
        let dot = 0;
        let ni = 0;
        let nj = 0;
        for (let k = 0; k < 5; k++) {
          dot += x.data[i * 5 + k]! * x.data[j * 5 + k]!;
          ni += x.data[i * 5 + k]! ** 2;
          nj += x.data[j * 5 + k]! ** 2;
        }
        total += dot / Math.sqrt(ni * nj);
      }
    }
    expect(meanCosineSimilarity(x)).toBeCloseTo(total / 42, 6);
  });

  it('counts a zero row as similarity 0, and gives NaN below two rows', () => {
    expect(
      meanCosineSimilarity(
        tensor([
          [1, 0],
          [1, 0],
          [0, 0],
        ]),
      ),
    ).toBeCloseTo(2 / 6, 12);
    expect(meanCosineSimilarity(tensor([[1, 2]]))).toBeNaN();
  });

  it('rejects what is not a float matrix', () => {
    expect(() => meanCosineSimilarity(tensor([1, 2]))).toThrow(ShapeError);
    expect(() => meanCosineSimilarity(tensor([[1, 2]], { dtype: 'int32' }))).toThrow(DTypeError);
  });
});

describe('dirichletEnergy', () => {
  // The course's example graph A–F (A–B, A–E, A–F, B–D, C–D, D–F), both directions.
  const pairs = [
    [0, 1],
    [0, 4],
    [0, 5],
    [1, 3],
    [2, 3],
    [3, 5],
  ] as const;
  const courseGraph = new Tensor(
    Int32Array.from([...pairs.flatMap(([a, b]) => [a, b]), ...pairs.flatMap(([a, b]) => [b, a])]),
    [2, 12],
    'int32',
  );

  it('equals tr(Xᵀ Δ̃ X) with GCN’s normalised Laplacian', () => {
    const x = randn([6, 3], { generator: new Generator(1), dtype: 'float64' });
    // Δ̃ = I − D̃^{-1/2} Ã D̃^{-1/2}, built densely.
    const a = Array.from({ length: 6 }, (_, i) => Array.from({ length: 6 }, (_, j) => (i === j ? 1 : 0)));
    for (const [i, j] of pairs) a[i]![j] = a[j]![i] = 1;
    const d = a.map((row) => row.reduce<number>((s, v) => s + v, 0));
    let trace = 0;
    for (let c = 0; c < 3; c++) {
      for (let i = 0; i < 6; i++) {
        for (let j = 0; j < 6; j++) {
          const laplacian = (i === j ? 1 : 0) - a[i]![j]! / Math.sqrt(d[i]! * d[j]!);
          trace += x.data[i * 3 + c]! * laplacian * x.data[j * 3 + c]!;
        }
      }
    }
    expect(dirichletEnergy(x, courseGraph)).toBeCloseTo(trace, 10);
  });

  it('is zero at the fixed point of GCN propagation (rows ∝ √d̃) and ignores self-loops', () => {
    const degrees = [4, 3, 2, 4, 2, 3]; // 1 + the number of neighbours
    const x = new Tensor(Float64Array.from(degrees.flatMap((d) => [Math.sqrt(d), -2 * Math.sqrt(d)])), [6, 2], 'float64');
    expect(dirichletEnergy(x, courseGraph)).toBeCloseTo(0, 12);
    const withLoops = new Tensor(
      Int32Array.from([0, 1, ...Array.from(courseGraph.data).slice(0, 12), 0, 1, ...Array.from(courseGraph.data).slice(12)]),
      [2, 14],
      'int32',
    );
    const y = randn([6, 2], { generator: new Generator(2) });
    expect(dirichletEnergy(y, withLoops)).toBeCloseTo(dirichletEnergy(y, courseGraph), 10);
  });

  it('is 0 without edges and rejects bad edge indices', () => {
    const x = randn([3, 2], { generator: new Generator(3) });
    expect(dirichletEnergy(x, new Tensor(new Int32Array(0), [2, 0], 'int32'))).toBe(0);
    expect(() => dirichletEnergy(x, tensor([[0], [3]], { dtype: 'int32' }))).toThrow(IndexError);
    expect(() => dirichletEnergy(x, tensor([[0], [1]]))).toThrow(DTypeError);
    expect(() => dirichletEnergy(x, tensor([0, 1], { dtype: 'int32' }))).toThrow(ShapeError);
  });
});

describe('oversmoothing', () => {
  it('shows nodes growing alike with the depth of GCN propagation on a random graph', () => {
    const edgeIndex = randomGraph(120, 0.05, 4);
    let h = randn([120, 16], { generator: new Generator(5), dtype: 'float64' });
    const depths = [0, 1, 2, 4, 8, 16, 32, 64];
    const representations: Tensor[] = [];
    for (let k = 0; k <= 64; k++) {
      if (depths.includes(k)) representations.push(h);
      h = propagate(h, edgeIndex);
    }
    const report = oversmoothing(representations, edgeIndex);
    expect(report.map((r) => r.layer)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const similarity = report.map((r) => r.meanCosineSimilarity);
    const energy = report.map((r) => r.dirichletEnergy);
    for (let k = 1; k < report.length; k++) {
      expect(similarity[k]).toBeGreaterThan(similarity[k - 1]!);
      expect(energy[k]).toBeLessThan(energy[k - 1]!);
    }
    expect(Math.abs(similarity[0]!)).toBeLessThan(0.1); // random features: unrelated
    expect(similarity.at(-1)).toBeGreaterThan(0.95); // deep: nearly one direction
    expect(report.at(-1)!.rayleighQuotient).toBeLessThan(report[0]!.rayleighQuotient / 20);
  });

  it('measures a layer-wise model on its input and every layer, in eval mode, restoring the mode', () => {
    const edgeIndex = randomGraph(30, 0.2, 6);
    const x = randn([30, 4], { generator: new Generator(7) });
    const modes: boolean[] = [];
    const model = {
      training: true,
      train(mode = true) {
        this.training = mode;
      },
      eval() {
        this.training = false;
      },
      representations(input: Tensor, edges: Tensor): Tensor[] {
        modes.push(this.training);
        const one = propagate(input, edges);
        return [one, propagate(one, edges)];
      },
    };
    const report = oversmoothing(model, edgeIndex, { x });
    expect(modes).toEqual([false]);
    expect(model.training).toBe(true);
    expect(report).toHaveLength(3);
    expect(report[0]!.dirichletEnergy).toBeCloseTo(dirichletEnergy(x, edgeIndex), 8);
    expect(() => oversmoothing(model, edgeIndex)).toThrow(ValueError);
    expect(() => oversmoothing([x], edgeIndex, { x })).toThrow(ValueError);
  });

  it('gives NaN as the Rayleigh quotient of an all-zero representation', () => {
    const [r] = oversmoothing(
      [
        tensor([
          [0, 0],
          [0, 0],
        ]),
      ],
      tensor([[0], [1]], { dtype: 'int32' }),
    );
    expect(r!.rayleighQuotient).toBeNaN();
    expect(r!.dirichletEnergy).toBe(0);
  });
});

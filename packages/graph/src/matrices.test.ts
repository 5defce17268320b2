import { SparseCSR, ValueError, matmul, spmm, tensor, type Tensor } from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { describe, expect, it } from 'vitest';
import { toEdgeIndex } from './edge-index.js';
import { gcnNorm } from './gcn-norm.js';
import { adjacency, diagonalMatrix, gcnMatrices, normalizedAdjacency } from './matrices.js';
import { seedGraph } from './seed-graph.js';

const int = (rows: number[][]) => tensor(rows, { dtype: 'int32' });
const dense = (m: SparseCSR): number[][] => m.toDense().toArray() as number[][];

/** D^-1/2 M D^-1/2 (or D^-1 M) of a dense matrix, with d_i = Σ_j M_ij. */
function normalizeDense(m: number[][], kind: 'sym' | 'rw'): number[][] {
  const d = m.map((row) => row.reduce((a, b) => a + b, 0));
  return m.map((row, i) => row.map((v, j) => (kind === 'sym' ? v / Math.sqrt(d[i]! * d[j]!) : v / d[i]!)));
}

describe('adjacency', () => {
  it('puts edge j → i at row i, column j (aggregation orientation)', () => {
    const a = adjacency(int([[0], [2]]), { numNodes: 3 });
    expect(a).toBeInstanceOf(SparseCSR);
    expect(dense(a)).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [1, 0, 0],
    ]);
  });

  it('adds self-loops on top of existing ones with selfLoops add, or only where missing with remaining', () => {
    const edgeIndex = int([
      [0, 1],
      [0, 0],
    ]);
    expect(dense(adjacency(edgeIndex, { numNodes: 2, selfLoops: 'add' }))).toEqual([
      [2, 1],
      [0, 1],
    ]);
    expect(dense(adjacency(edgeIndex, { numNodes: 2, selfLoops: 'remaining', fillValue: 5 }))).toEqual([
      [1, 1],
      [0, 5],
    ]);
    expect(() => adjacency(edgeIndex, { numNodes: 2, selfLoops: 'sometimes' as never })).toThrow(ValueError);
  });

  it('keeps duplicates as separate entries unless sumDuplicates, weights in edge order', () => {
    const edgeIndex = int([
      [1, 0, 1],
      [0, 1, 0],
    ]);
    const edgeWeight = tensor([2, 3, 4]);
    const kept = adjacency(edgeIndex, { numNodes: 2, edgeWeight });
    expect(kept.nnz).toBe(3);
    expect(dense(kept)).toEqual([
      [0, 6],
      [3, 0],
    ]);
    expect(adjacency(edgeIndex, { numNodes: 2, edgeWeight, sumDuplicates: true }).nnz).toBe(2);
  });
});

describe('normalizedAdjacency', () => {
  it('sym equals D̃^-1/2 Ã D̃^-1/2 computed densely on the seed graph', () => {
    const { edgeIndex } = toEdgeIndex(seedGraph());
    const aTilde = dense(adjacency(edgeIndex, { numNodes: 6, selfLoops: 'add' }));
    expectClose(normalizedAdjacency(edgeIndex, { numNodes: 6 }).toDense(), normalizeDense(aTilde, 'sym'), { rtol: 1e-6 });
    expectClose(normalizedAdjacency(edgeIndex, { numNodes: 6, normalization: 'rw' }).toDense(), normalizeDense(aTilde, 'rw'), {
      rtol: 1e-6,
    });
  });

  it('spmm with it is one round of gcnNorm-weighted message passing', () => {
    const edgeIndex = int([
      [0, 1, 2, 2],
      [1, 2, 0, 1],
    ]);
    const x = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const { edgeIndex: looped, edgeWeight } = gcnNorm(edgeIndex, { numNodes: 3 });
    const expected = [
      [0, 0],
      [0, 0],
      [0, 0],
    ];
    const [src, dst] = looped.toArray() as number[][];
    src!.forEach((j, e) => {
      for (let f = 0; f < 2; f++) expected[dst![e]!]![f]! += edgeWeight.data[e]! * (x.data[j * 2 + f] as number);
    });
    expectClose(spmm(normalizedAdjacency(edgeIndex, { numNodes: 3 }), x), expected, { rtol: 1e-6 });
  });

  it('rw rows sum to 1 on a directed graph, rows without incoming messages stay 0', () => {
    const edgeIndex = int([
      [0, 1, 0],
      [1, 2, 2],
    ]);
    const m = normalizedAdjacency(edgeIndex, { numNodes: 3, normalization: 'rw', selfLoops: 'none' }).toDense();
    expect(m.toArray()).toEqual([
      [0, 0, 0],
      [1, 0, 0],
      [0.5, 0.5, 0],
    ]);
  });

  it('is differentiable in the edge weights, both normalisations', () => {
    const edgeIndex = int([
      [0, 1, 1, 2],
      [1, 0, 2, 1],
    ]);
    const w = tensor([1, 2, 0.5, 3], { dtype: 'float64', requiresGrad: true });
    const x = tensor([[1], [2], [3]], { dtype: 'float64' });
    for (const normalization of ['sym', 'rw'] as const) {
      const f = (v: Tensor): Tensor => spmm(normalizedAdjacency(edgeIndex, { numNodes: 3, edgeWeight: v, normalization }), x);
      expect(gradcheck(f, [w])).toBe(true);
    }
  });
});

describe('gcnMatrices', () => {
  it("gives the course's Ã, D̃, Â and D̃^-1 Ã for the seed graph", () => {
    const { edgeIndex } = toEdgeIndex(seedGraph());
    const m = gcnMatrices(edgeIndex, { numNodes: 6 });
    const aTilde = [
      [1, 1, 0, 0, 1, 1],
      [1, 1, 0, 1, 0, 0],
      [0, 0, 1, 1, 0, 0],
      [0, 1, 1, 1, 0, 1],
      [1, 0, 0, 0, 1, 0],
      [1, 0, 0, 1, 0, 1],
    ];
    expect(dense(m.adjacencyWithSelfLoops)).toEqual(aTilde);
    expect(dense(m.adjacency)).toEqual(aTilde.map((row, i) => row.map((v, j) => (i === j ? 0 : v))));
    expect(m.degree.toArray()).toEqual([4, 3, 2, 4, 2, 3]);
    expect(dense(m.degreeMatrix)).toEqual(aTilde.map((_, i) => aTilde.map((__, j) => (i === j ? [4, 3, 2, 4, 2, 3][i]! : 0))));
    expectClose(m.normalized.toDense(), normalizeDense(aTilde, 'sym'), { rtol: 1e-6 });
    expectClose(m.randomWalk.toDense(), normalizeDense(aTilde, 'rw'), { rtol: 1e-6 });
    // Â = D̃^-1/2 Ã D̃^-1/2 as a product of the dense pieces.
    const dInvSqrt = tensor([4, 3, 2, 4, 2, 3].map((d, i) => [4, 3, 2, 4, 2, 3].map((_, j) => (i === j ? 1 / Math.sqrt(d) : 0))));
    expectClose(m.normalized.toDense(), matmul(matmul(dInvSqrt, tensor(aTilde)), dInvSqrt), { rtol: 1e-6 });
  });

  it('improved doubles the loops', () => {
    const { edgeIndex } = toEdgeIndex(seedGraph());
    const m = gcnMatrices(edgeIndex, { numNodes: 6, improved: true });
    expect(m.degree.toArray()).toEqual([5, 4, 3, 5, 3, 4]);
    expect((dense(m.adjacencyWithSelfLoops)[2] as number[])[2]).toBe(2);
  });
});

describe('diagonalMatrix', () => {
  it('holds its values on the diagonal', () => {
    expect(dense(diagonalMatrix(tensor([1, 2])))).toEqual([
      [1, 0],
      [0, 2],
    ]);
    expect(() => diagonalMatrix(tensor([[1]]))).toThrow(ValueError);
  });
});

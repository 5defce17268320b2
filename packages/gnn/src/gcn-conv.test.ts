import { DTypeError, Generator, IndexError, ShapeError, ValueError, eye, noGrad, tensor, zeros } from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { describe, expect, it } from 'vitest';
import { MESSY_NODES, MESSY_PAIRS, edgeIndexOf, rand64, undirected, weights64 } from '../test/graphs.js';
import { GCNConv } from './gcn-conv.js';

/** The course's example graph A–F (A=0 … F=5) and its Ã = A + I. */
const COURSE_PAIRS = undirected([
  [0, 1],
  [0, 4],
  [0, 5],
  [1, 3],
  [2, 3],
  [3, 5],
]);
const COURSE_A_TILDE = [
  [1, 1, 0, 0, 1, 1],
  [1, 1, 0, 1, 0, 0],
  [0, 0, 1, 1, 0, 0],
  [0, 1, 1, 1, 0, 1],
  [1, 0, 0, 0, 1, 0],
  [1, 0, 0, 1, 0, 1],
];

/** A float64 GCNConv whose Θ is the identity and bias zero, so the output is Â·x. */
function identityConv(size: number, options: ConstructorParameters<typeof GCNConv>[2] = {}): GCNConv {
  const conv = new GCNConv(size, size, { dtype: 'float64', ...options });
  noGrad(() => conv.lin.weight.data.set(eye(size, undefined, { dtype: 'float64' }).data));
  return conv;
}

describe('GCNConv', () => {
  it("computes the course's D̃^-1/2 Ã D̃^-1/2 on the A–F example", () => {
    const degree = COURSE_A_TILDE.map((row) => row.reduce((a, b) => a + b, 0));
    const expected = COURSE_A_TILDE.map((row, i) => row.map((a, j) => a / Math.sqrt(degree[i]! * degree[j]!)));
    const out = identityConv(6).call(eye(6, undefined, { dtype: 'float64' }), edgeIndexOf(COURSE_PAIRS));
    expectClose(out, expected, { atol: 1e-12 });
  });

  it('uses self-loops of weight 2 when improved', () => {
    const out = identityConv(6, { improved: true }).call(eye(6, undefined, { dtype: 'float64' }), edgeIndexOf(COURSE_PAIRS));
    const a = COURSE_A_TILDE.map((row, i) => row.map((v, j) => (i === j ? 2 : v)));
    const degree = a.map((row) => row.reduce((s, v) => s + v, 0));
    expectClose(
      out,
      a.map((row, i) => row.map((v, j) => v / Math.sqrt(degree[i]! * degree[j]!))),
      { atol: 1e-12 },
    );
  });

  it(
    'keeps an existing self-loop instead of adding a second, counts ' + 'duplicate edges twice and gives an isolated node only the bias',
    () => {
      const conv = identityConv(MESSY_NODES);
      noGrad(() => conv.bias!.data.fill(0.5));
      const out = conv.call(eye(MESSY_NODES, undefined, { dtype: 'float64' }), edgeIndexOf(MESSY_PAIRS));
      // Ã: every node one loop; 0 → 1 twice.
      const a = Array.from({ length: MESSY_NODES }, (_, i) => Array.from({ length: MESSY_NODES }, (_, j): number => (i === j ? 1 : 0)));
      for (const [s, t] of MESSY_PAIRS) if (s !== t) a[t]![s]! += 1;
      const degree = a.map((row) => row.reduce((s, v) => s + v, 0));
      expectClose(
        out,
        a.map((row, i) => row.map((v, j) => v / Math.sqrt(degree[i]! * degree[j]!) + 0.5)),
        { atol: 1e-12 },
      );
      // Node 5 has only its own loop (degree 1): its row is its own feature plus the bias.
      expectClose((out.toArray() as number[][])[5]!, [0.5, 0.5, 0.5, 0.5, 0.5, 1.5]);
    },
  );

  it('gives a node without edges zero (not NaN) when no self-loops are added', () => {
    const conv = identityConv(MESSY_NODES, { addSelfLoops: false });
    const out = conv.call(eye(MESSY_NODES, undefined, { dtype: 'float64' }), edgeIndexOf(MESSY_PAIRS));
    expectClose((out.toArray() as number[][])[5]!, [0, 0, 0, 0, 0, 0]);
    expect(Array.from(out.data).every(Number.isFinite)).toBe(true);
  });

  it('uses the edge weights as given without normalisation', () => {
    const conv = identityConv(3, { normalize: false });
    const out = conv.call(
      eye(3, undefined, { dtype: 'float64' }),
      edgeIndexOf([
        [0, 1],
        [2, 1],
      ]),
      { edgeWeight: tensor([0.5, 3], { dtype: 'float64' }) },
    );
    expectClose(out, [
      [0, 0, 0],
      [0.5, 0, 3],
      [0, 0, 0],
    ]);
  });

  it('has the state dict of PyG: bias [out] then lin.weight [out, in], lin without bias', () => {
    const conv = new GCNConv(5, 3);
    expect(Object.entries(conv.stateDict()).map(([k, t]) => [k, t.shape])).toEqual([
      ['bias', [3]],
      ['lin.weight', [3, 5]],
    ]);
    expect(Object.keys(new GCNConv(5, 3, { bias: false }).stateDict())).toEqual(['lin.weight']);
  });

  it('initialises lin.weight Glorot-uniform and the bias to zeros, reproducibly from a generator', () => {
    const a = new GCNConv(40, 20, { generator: new Generator(7) });
    const b = new GCNConv(40, 20, { generator: new Generator(7) });
    expect(Array.from(a.lin.weight.data)).toEqual(Array.from(b.lin.weight.data));
    const bound = Math.sqrt(6 / 60);
    const values = Array.from(a.lin.weight.data);
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(0.9 * bound);
    expect(Array.from(a.bias!.data).every((v) => v === 0)).toBe(true);
  });

  it('passes gradcheck in x, every parameter and the edge weights on a graph with a loop, a duplicate and an isolated node', () => {
    const conv = new GCNConv(3, 2, { dtype: 'float64', generator: new Generator(1) });
    noGrad(() => conv.bias!.data.set([0.1, -0.2]));
    const edgeIndex = edgeIndexOf(MESSY_PAIRS);
    const x = rand64([MESSY_NODES, 3], 2, true);
    const w = weights64(MESSY_PAIRS.length, 3, true);
    expect(gradcheck((a, b) => conv.call(a!, edgeIndex, { edgeWeight: b! }), [x, w, ...conv.parameters()])).toBe(true);
  });

  it.each([
    ['improved', { improved: true }],
    ['without self-loops', { addSelfLoops: false }],
    ['without normalisation', { normalize: false, addSelfLoops: false }],
  ] as const)('passes gradcheck %s', (_, options) => {
    const conv = new GCNConv(3, 2, { dtype: 'float64', generator: new Generator(4), ...options });
    const edgeIndex = edgeIndexOf(MESSY_PAIRS);
    const x = rand64([MESSY_NODES, 3], 5, true);
    const w = weights64(MESSY_PAIRS.length, 6, true);
    expect(gradcheck((a, b) => conv.call(a!, edgeIndex, { edgeWeight: b! }), [x, w, ...conv.parameters()])).toBe(true);
  });

  it('with cached, reuses the first normalised adjacency for later calls until the cache is cleared', () => {
    const conv = identityConv(3, { cached: true });
    const x = eye(3, undefined, { dtype: 'float64' });
    const path = edgeIndexOf(
      undirected([
        [0, 1],
        [1, 2],
      ]),
    );
    const first = conv.call(x, path);
    expect(conv.hasCache).toBe(true);
    // Another graph: the cached normalisation is used, as PyG's cached=True.
    expectClose(conv.call(x, edgeIndexOf([])), first);
    conv.clearCache();
    expectClose(conv.call(x, edgeIndexOf([])), eye(3, undefined, { dtype: 'float64' }));
    expect(new GCNConv(3, 3).hasCache).toBe(false);
    expect(() => conv.call(eye(4, undefined, { dtype: 'float64' }), path)).toThrow(ShapeError);
  });

  it('with cached, trains: gradients reach the parameters on every step', () => {
    const conv = new GCNConv(3, 2, { cached: true, dtype: 'float64' });
    const x = rand64([4, 3], 8);
    const edgeIndex = edgeIndexOf(
      undirected([
        [0, 1],
        [1, 2],
        [2, 3],
      ]),
    );
    for (let step = 0; step < 2; step++) {
      conv.zeroGrad();
      conv.call(x, edgeIndex).sum().backward();
      expect(conv.lin.weight.grad).not.toBeNull();
      expect(conv.bias!.grad).not.toBeNull();
    }
  });

  it('rejects bad input with typed errors', () => {
    const conv = new GCNConv(3, 2);
    const edgeIndex = edgeIndexOf([[0, 1]]);
    expect(() => conv.call(zeros([2, 4]), edgeIndex)).toThrow(ShapeError);
    expect(() => conv.call(zeros([3]), edgeIndex)).toThrow(ShapeError);
    expect(() => conv.call(zeros([2, 3], { dtype: 'int32' }), edgeIndex)).toThrow(DTypeError);
    expect(() => conv.call(zeros([2, 3]), edgeIndexOf([[0, 2]]))).toThrow(IndexError);
    expect(() => conv.call(zeros([2, 3]), edgeIndex.float())).toThrow(DTypeError);
    expect(() => conv.call(zeros([2, 3]), edgeIndex, { edgeWeight: zeros([2]) })).toThrow(ShapeError);
    expect(() => new GCNConv(3, 2, { normalize: false, addSelfLoops: true })).toThrow(ValueError);
    expect(() => new GCNConv(0, 2)).toThrow(ValueError);
  });
});

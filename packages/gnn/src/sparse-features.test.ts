/**
 * Sparse node features: every layer and model gives the same result for a `SparseCSR` x as for its
 * dense matrix, gradients included, and the dropout draws the same masks.
 */
import { Generator, ShapeError, SparseCSR, Tensor, nn, noGrad, randn, tensor } from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { describe, expect, it } from 'vitest';
import { MESSY_NODES, MESSY_PAIRS, edgeIndexOf, rand64, weights64 } from '../test/graphs.js';
import { GATConv } from './gat-conv.js';
import { GatedGraphConv } from './gated-graph-conv.js';
import { GATv2Conv } from './gatv2-conv.js';
import { GCNConv } from './gcn-conv.js';
import { GINConv } from './gin-conv.js';
import { GraphLinear } from './linear.js';
import { GNN } from './models.js';
import { sparseDropout } from './sparse-dropout.js';
import { preferSparse } from './node-features.js';
import { trainNodeClassifier, type NodeClassificationData } from './node-classification.js';
import { SAGEConv } from './sage-conv.js';

/** float64 `[rows, cols]` with about two thirds of the entries zero (bag-of-words-like). */
function sparseish(rows: number, cols: number, seed: number): Tensor {
  const x = rand64([rows, cols], seed);
  for (let k = 0; k < x.data.length; k++) if (k % 3 !== 0) x.data[k] = 0;
  return x;
}

describe('sparse node features (SparseCSR x)', () => {
  const edgeIndex = edgeIndexOf(MESSY_PAIRS);
  const dense = sparseish(MESSY_NODES, 5, 1);
  const sparse = SparseCSR.fromDense(dense);

  it('GraphLinear multiplies a SparseCSR as its dense matrix, with gradients for weight, bias and values', () => {
    const lin = new GraphLinear({ inFeatures: 5, outFeatures: 3, dtype: 'float64', generator: new Generator(2) });
    expectClose(lin.call(sparse), lin.call(dense), { atol: 1e-12 });
    expect(gradcheck(() => lin.call(sparse), lin.parameters())).toBe(true);
    const values = tensor(Array.from(sparse.values!.data), { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((v) => lin.call(sparse.withValues(v!)), [values])).toBe(true);
    // Implicit ones are a 0/1 matrix.
    const pattern = sparse.withValues(null);
    expectClose(lin.call(pattern), lin.call(pattern.toDense({ dtype: 'float64' })), { atol: 1e-12 });
    expect(() => lin.call(SparseCSR.fromDense(sparseish(MESSY_NODES, 4, 3)))).toThrow(
      /Linear: x must be \[N, 5\], got a SparseCSR \[6, 4\]/,
    );
  });

  it('every layer gives the dense result for a SparseCSR x', () => {
    const g = () => new Generator(4);
    const cases: Array<[string, nn.Module<[Tensor | SparseCSR, Tensor], Tensor>]> = [
      ['GCNConv', new GCNConv(5, 3, { dtype: 'float64', generator: g() })],
      [
        'GATConv',
        new GATConv(5, 3, { heads: 2, attentionBias: true, dtype: 'float64', generator: g() }) as nn.Module<
          [Tensor | SparseCSR, Tensor],
          Tensor
        >,
      ],
      ['GATv2Conv', new GATv2Conv(5, 3, { heads: 2, dtype: 'float64', generator: g() }) as nn.Module<[Tensor | SparseCSR, Tensor], Tensor>],
      ['SAGEConv mean', new SAGEConv(5, 3, { dtype: 'float64', generator: g() })],
      ['SAGEConv sum', new SAGEConv(5, 3, { aggr: 'sum', dtype: 'float64', generator: g() })],
      ['SAGEConv max', new SAGEConv(5, 3, { aggr: 'max', normalize: true, dtype: 'float64', generator: g() })],
      ['GINConv', new GINConv(new nn.Linear({ inFeatures: 5, outFeatures: 3, dtype: 'float64', generator: g() }), { dtype: 'float64' })],
      ['GatedGraphConv', new GatedGraphConv(6, 2, { dtype: 'float64', generator: g() })],
    ];
    for (const [name, layer] of cases) {
      const a = layer.call(sparse, edgeIndex);
      const b = layer.call(dense, edgeIndex);
      expect(a.shape, name).toEqual(b.shape);
      expect(Math.max(...Array.from(a.data).map((v, k) => Math.abs(v - b.data[k]!))), name).toBeLessThan(1e-12);
    }
  });

  it('passes gradcheck through the sparse path (GCN with edge weights, GAT, GATv2, SAGE mean)', () => {
    const g = () => new Generator(5);
    const gcn = new GCNConv(5, 2, { dtype: 'float64', generator: g() });
    noGrad(() => gcn.bias!.data.set([0.1, -0.2]));
    const weights = weights64(MESSY_PAIRS.length, 6);
    expect(gradcheck(() => gcn.call(sparse, edgeIndex, { edgeWeight: weights }), gcn.parameters())).toBe(true);
    const gat = new GATConv(5, 2, { heads: 2, dtype: 'float64', generator: g() });
    expect(gradcheck(() => gat.call(sparse, edgeIndex), gat.parameters())).toBe(true);
    const gatv2 = new GATv2Conv(5, 2, { heads: 2, dtype: 'float64', generator: g() });
    expect(gradcheck(() => gatv2.call(sparse, edgeIndex), gatv2.parameters())).toBe(true);
    const sage = new SAGEConv(5, 2, { dtype: 'float64', generator: g() });
    expect(gradcheck(() => sage.call(sparse, edgeIndex), sage.parameters())).toBe(true);
  });

  it("GATConv's per-head input dropout draws the same masks for a SparseCSR as for its dense matrix", () => {
    const make = () =>
      new GATConv(5, 3, {
        heads: 3,
        perHeadInputDropout: 0.5,
        featureDropout: 0.5,
        dropout: 0.3,
        dtype: 'float64',
        generator: new Generator(7),
      });
    const a = make().call(sparse, edgeIndex);
    const b = make().call(dense, edgeIndex);
    expectClose(a, b, { atol: 1e-12 });
    expect(Array.from(a.data)).not.toEqual(Array.from(make().eval().call(dense, edgeIndex).data));
    const generator = new Generator(0);
    const conv = new GATConv(5, 2, { heads: 2, perHeadInputDropout: 0.4, featureDropout: 0.2, dtype: 'float64', generator });
    expect(gradcheck(() => (generator.manualSeed(1), conv.call(sparse, edgeIndex)), conv.parameters())).toBe(true);
  });

  it('sparseDropout keeps the structure of a SparseCSR and draws as for its dense matrix', () => {
    const p = 0.5;
    const fromSparse = sparseDropout(sparse, p, { generator: new Generator(8) });
    const fromDense = sparseDropout(dense, p, { generator: new Generator(8) });
    expect(fromSparse).toBeInstanceOf(SparseCSR);
    expect(fromSparse.colIndex).toBe(sparse.colIndex);
    expectClose(fromSparse.toDense(), fromDense, { atol: 0 });
    const kept = Array.from(fromSparse.values!.data);
    expect(kept.every((v, k) => v === 0 || Math.abs(v - sparse.values!.data[k]! / (1 - p)) < 1e-15)).toBe(true);
    expect(kept.some((v) => v === 0)).toBe(true);
    expect(kept.some((v) => v !== 0)).toBe(true);
    // Implicit ones become explicit kept values 1 / (1 − p); eval and p = 0 return x itself.
    const ones = sparseDropout(sparse.withValues(null), p, { generator: new Generator(9) });
    expect(new Set(ones.values!.data)).toEqual(new Set([0, 2]));
    expect(sparseDropout(sparse, p, { training: false })).toBe(sparse);
    expect(sparseDropout(sparse, 0)).toBe(sparse);
    // Values that need a gradient keep it.
    const values = tensor(Array.from(sparse.values!.data), { dtype: 'float64', requiresGrad: true });
    expect(sparseDropout(sparse.withValues(values), p).values!.requiresGrad).toBe(true);
  });

  it('a GNN trains to the same history on sparse and dense features (GCN and GAT, dropout included)', () => {
    const n = 40;
    const features = 30;
    const x = sparseish(n, features, 10);
    const g = new Generator(11);
    const pairs: Array<[number, number]> = [];
    for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) pairs.push([i, Math.floor(g.random() * n)]);
    const labels = Array.from({ length: n }, (_, i) => i % 3);
    const rows = (from: number, to: number) =>
      new Tensor(
        Int32Array.from({ length: to - from }, (_, i) => from + i),
        [to - from],
        'int32',
      );
    const data = (features: Tensor | SparseCSR): NodeClassificationData => ({
      x: features,
      y: new Tensor(Int32Array.from(labels), [n], 'int32'),
      edgeIndex: edgeIndexOf(pairs),
      trainIndex: rows(0, 15),
      valIndex: rows(15, 25),
      testIndex: rows(25, 40),
    });
    for (const options of [
      { conv: 'gcn' as const, hiddenChannels: 8 },
      {
        conv: 'gat' as const,
        hiddenChannels: 4,
        heads: 2,
        attentionDropout: 0.3,
        dropoutPlacement: 'per-head' as const,
        attentionBias: true,
      },
    ]) {
      const run = (features: Tensor | SparseCSR) =>
        trainNodeClassifier(
          new GNN({
            ...options,
            inChannels: features.shape[1]!,
            outChannels: 3,
            dropout: 0.5,
            dtype: 'float64',
            generator: new Generator(12),
          }),
          data(features),
          { epochs: 25, seed: 13 },
        );
      const a = run(SparseCSR.fromDense(x));
      const b = run(x);
      expect(a.history.length).toBe(25);
      a.history.forEach((epoch, k) => {
        expect(epoch.loss, `${options.conv} epoch ${k + 1}`).toBeCloseTo(b.history[k]!.loss, 10);
        expect(epoch.valLoss).toBeCloseTo(b.history[k]!.valLoss, 10);
      });
      expect(a.testAccuracy).toBe(b.testAccuracy);
    }
  });

  it('rejects a SparseCSR of the wrong width with a ShapeError that names both', () => {
    const wide = SparseCSR.fromDense(randn([MESSY_NODES, 7], { dtype: 'float64' }));
    expect(() => new GCNConv(5, 2).call(wide, edgeIndex)).toThrow(ShapeError);
    expect(() => new GATConv(5, 2).call(wide, edgeIndex)).toThrow(/GATConv: x must be \[N, 5\], got a SparseCSR \[6, 7\]/);
    expect(() => new GNN({ conv: 'sage', inChannels: 5, hiddenChannels: 4, outChannels: 2 }).call(wide, edgeIndex)).toThrow(
      /SAGEConv: x must be \[N, 5\], got a SparseCSR \[6, 7\]/,
    );
  });
});

describe('preferSparse', () => {
  it('turns features with few non-zeros into a SparseCSR and leaves dense ones', () => {
    const x = sparseish(6, 5, 20); // a third non-zero
    const sparse = preferSparse(x, { maxDensity: 0.4 });
    expect(sparse).toBeInstanceOf(SparseCSR);
    expectClose((sparse as SparseCSR).toDense(), x, { atol: 0 });
    expect(preferSparse(x)).toBe(x); // above the default 10%
    const grad = rand64([6, 5], 21, true);
    expect(preferSparse(grad, { maxDensity: 1 })).toBe(grad);
    expect(() => preferSparse(x, { maxDensity: 2 })).toThrow(/maxDensity must be in \[0, 1\], got 2/);
  });
});

import {
  DTypeError,
  Generator,
  IndexError,
  ShapeError,
  ValueError,
  noGrad,
  tensor,
  zeros,
  zerosLike,
  type Tensor,
} from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { MESSY_NODES, MESSY_PAIRS, edgeIndexOf, rand64, weights64 } from '../../test/graphs.js';
import { DConv, diffusionGraph, diffusionTerms } from './dconv.js';
import { ParityReport, leaf, loadTemporalFixture, need } from './temporal-parity-support.js';

const report = new ParityReport();
afterAll(() => report.print());
const fixture = await loadTemporalFixture('dconv');

/**
 * A star around node 0 listed out of source order: 0 → 1, 1 → 0, 2 → 0, 0 → 2. In-degrees 2, 1, 1;
 * out-degrees 2, 1, 1. The reverse edges (non-zeros of Aᵀ, row-major) are 0 → 1, 0 → 2, 1 → 0,
 * 2 → 0, and by position they get 1/d_in of the sources 0, 1, 2, 0: ½, 1, 1, ½.
 */
const STAR: Array<[number, number]> = [
  [0, 1],
  [1, 0],
  [2, 0],
  [0, 2],
];
const STAR_X = [[1], [10], [100]];

/** A float64 DConv(1, 1, K) whose only non-zero weight is W[direction][k] = 1: its output is one term. */
function termProbe(K: number, direction: 0 | 1, k: number): DConv {
  const conv = new DConv(1, 1, K, { dtype: 'float64', bias: false });
  noGrad(() => {
    conv.weight.data.fill(0);
    conv.weight.data[direction * K + k] = 1;
  });
  return conv;
}

function column(out: Tensor): number[] {
  return Array.from(out.data);
}

describe('DConv', () => {
  it('diffuses forward along the edges, normalised by the sender’s weighted out-degree, with unweighted messages', () => {
    const x = tensor(STAR_X, { dtype: 'float64' });
    // (P_out x)_i = Σ_{j → i} x_j / d_out(j): node 0 gets x1/1 + x2/1, nodes 1 and 2 get x0/2.
    expectClose(column(termProbe(2, 0, 1).call(x, edgeIndexOf(STAR))), [110, 0.5, 0.5], { atol: 1e-12 });
    // Weights count only in the degrees: doubling 0 → 1 gives d_out(0) = 3, the messages stay unweighted.
    const edgeWeight = tensor([2, 1, 1, 1], { dtype: 'float64' });
    expectClose(column(termProbe(2, 0, 1).call(x, edgeIndexOf(STAR), { edgeWeight })), [110, 1 / 3, 1 / 3], { atol: 1e-12 });
  });

  it('pairs norm_in with the reverse edges by position, as PyG Temporal, so the edge order matters', () => {
    const x = tensor(STAR_X, { dtype: 'float64' });
    // Reverse edges 0 → 1 (½), 0 → 2 (1), 1 → 0 (1), 2 → 0 (½): node 0 gets x1 + x2/2, node 1 x0/2, node 2 x0.
    expectClose(column(termProbe(2, 1, 1).call(x, edgeIndexOf(STAR))), [60, 0.5, 1], { atol: 1e-12 });
    // Grouped by source (0 → 1, 0 → 2, 1 → 0, 2 → 0) the norms are ½, ½, 1, 1: (P_in x)_i = Σ_{i → j} x_j / d_in(j).
    const grouped: Array<[number, number]> = [STAR[0]!, STAR[3]!, STAR[1]!, STAR[2]!];
    expectClose(column(termProbe(2, 1, 1).call(x, edgeIndexOf(grouped))), [110, 0.5, 0.5], { atol: 1e-12 });
    // The out direction does not depend on the order.
    expectClose(column(termProbe(2, 0, 1).call(x, edgeIndexOf(grouped))), [110, 0.5, 0.5], { atol: 1e-12 });
  });

  it('subtracts x, not T_{k−2}, in every term of the recursion: T_k = 2·P·T_{k−1} − x', () => {
    const x = tensor(STAR_X, { dtype: 'float64' });
    const t1 = [110, 0.5, 0.5];
    const t2 = [2 * (t1[1]! + t1[2]!) - 1, t1[0]! - 10, t1[0]! - 100];
    const t3 = [2 * (t2[1]! + t2[2]!) - 1, t2[0]! - 10, t2[0]! - 100];
    expectClose(column(termProbe(4, 0, 2).call(x, edgeIndexOf(STAR))), t2, { atol: 1e-9 });
    expectClose(column(termProbe(4, 0, 3).call(x, edgeIndexOf(STAR))), t3, { atol: 1e-9 });
    // k = 0 is x in both directions (two weights for one term).
    expectClose(column(termProbe(4, 1, 0).call(x, edgeIndexOf(STAR))), [1, 10, 100], { atol: 1e-12 });
  });

  it('ignores the graph with K = 1: X·(W[0][0] + W[1][0]) + b', () => {
    const conv = new DConv(3, 2, 1, { dtype: 'float64', generator: new Generator(3) });
    noGrad(() => conv.bias!.data.set([0.5, -0.25]));
    const x = rand64([MESSY_NODES, 3], 4);
    const w = conv.weight.data;
    const expected = (x.toArray() as number[][]).map((row) =>
      [0, 1].map((o) => row.reduce((s, v, c) => s + v * (w[c * 2 + o]! + w[6 + c * 2 + o]!), 0) + conv.bias!.data[o]!),
    );
    expectClose(conv.call(x, edgeIndexOf(MESSY_PAIRS)), expected, { atol: 1e-12 });
    expectClose(conv.call(x, edgeIndexOf([])), expected, { atol: 1e-12 });
  });

  it('gives 0 instead of 1/0 where a source has no incoming edge (PyG Temporal: inf, then NaN), keeping gradients finite', () => {
    // 3 → 0 with node 3 never a target: its norm_in would be 1/0.
    const pairs: Array<[number, number]> = [...STAR, [3, 0]];
    const conv = termProbe(3, 1, 2);
    const x = tensor([[1], [10], [100], [1000]], { dtype: 'float64', requiresGrad: true });
    const edgeWeight = tensor([1, 1, 1, 1, 1], { dtype: 'float64', requiresGrad: true });
    const out = conv.call(x, edgeIndexOf(pairs), { edgeWeight });
    out.sum().backward();
    for (const t of [out, x.grad!, edgeWeight.grad!, conv.weight.grad!]) expect(Array.from(t.data).every(Number.isFinite)).toBe(true);
  });

  it('coalesces duplicate edges and drops zero weights first (PyG Temporal raises there for K > 1)', () => {
    const conv = new DConv(2, 3, 3, { dtype: 'float64', generator: new Generator(5) });
    const x = rand64([4, 2], 6);
    const messy: Array<[number, number]> = [
      [2, 0],
      [0, 1],
      [1, 2],
      [0, 1],
      [3, 2],
      [2, 3],
    ];
    const messyWeight = tensor([0.5, 0.25, 1, 0.5, 0, 2], { dtype: 'float64' });
    // The dense adjacency's non-zeros, row-major: 0 → 1 (0.75), 1 → 2 (1), 2 → 0 (0.5), 2 → 3 (2).
    const coalesced: Array<[number, number]> = [
      [0, 1],
      [1, 2],
      [2, 0],
      [2, 3],
    ];
    const coalescedWeight = tensor([0.75, 1, 0.5, 2], { dtype: 'float64' });
    expectClose(
      conv.call(x, edgeIndexOf(messy), { edgeWeight: messyWeight }),
      conv.call(x, edgeIndexOf(coalesced), { edgeWeight: coalescedWeight }),
      { atol: 1e-12 },
    );
  });

  it.each([1, 2, 3])('passes gradcheck in x, the weight, the bias and the edge weights with K = %i', (K) => {
    const conv = new DConv(2, 3, K, { dtype: 'float64', generator: new Generator(K) });
    noGrad(() => conv.bias!.data.set([0.1, -0.2, 0.3]));
    const x = rand64([MESSY_NODES, 2], 10 + K, true);
    const w = weights64(MESSY_PAIRS.length, 20 + K, true);
    expect(gradcheck((a, b) => conv.call(a!, edgeIndexOf(MESSY_PAIRS), { edgeWeight: b! }), [x, w, ...conv.parameters()])).toBe(true);
    // One-to-one edge list (the positional pairing path), with a source-only node.
    const pairs: Array<[number, number]> = [...STAR, [3, 0], [3, 2]];
    const x4 = rand64([4, 2], 30 + K, true);
    const w4 = weights64(pairs.length, 40 + K, true);
    expect(gradcheck((a, b) => conv.call(a!, edgeIndexOf(pairs), { edgeWeight: b! }), [x4, w4, ...conv.parameters()])).toBe(true);
  });

  it('has PyG Temporal’s state dict, weight [2, K, in, out] then bias, Xavier-uniform over that shape, zero bias', () => {
    const conv = new DConv(5, 4, 3, { generator: new Generator(9) });
    expect(Object.entries(conv.stateDict()).map(([key, t]) => [key, t.shape])).toEqual([
      ['weight', [2, 3, 5, 4]],
      ['bias', [4]],
    ]);
    // PyTorch's fans for [2, K, in, out]: fanIn = K·in·out, fanOut = 2·in·out.
    const bound = Math.sqrt(6 / (3 * 5 * 4 + 2 * 5 * 4));
    const values = Array.from(conv.weight.data).map(Math.abs);
    expect(Math.max(...values)).toBeLessThanOrEqual(bound);
    expect(Math.max(...values)).toBeGreaterThan(0.9 * bound);
    expect(Array.from(conv.bias!.data).every((v) => v === 0)).toBe(true);
    expect(Array.from(new DConv(5, 4, 3, { generator: new Generator(9) }).weight.data)).toEqual(Array.from(conv.weight.data));
    expect(Object.keys(new DConv(5, 4, 3, { bias: false }).stateDict())).toEqual(['weight']);
  });

  it('builds its operators without an N × N matrix: 2·(2N + 2E) stored entries and a 2N copy', () => {
    const graph = diffusionGraph(edgeIndexOf(STAR), null, 1000, 'float64');
    expect([graph.duplicate.nnz, graph.first.nnz, graph.recurrence.nnz]).toEqual([2000, 8, 8]);
    expect(graph.recurrence.shape).toEqual([2000, 2000]);
  });

  it('throws typed errors for bad input', () => {
    expect(() => new DConv(3, 2, 0)).toThrow(ValueError);
    expect(() => new DConv(3, 2, 1.5)).toThrow(/K must be a positive integer/);
    expect(() => new DConv(0, 2, 2)).toThrow(ValueError);
    const conv = new DConv(3, 2, 2, { dtype: 'float64' });
    const edgeIndex = edgeIndexOf(MESSY_PAIRS);
    expect(() => conv.call(zeros([MESSY_NODES, 4], { dtype: 'float64' }), edgeIndex)).toThrow(ShapeError);
    expect(() => conv.call(zeros([3, 3], { dtype: 'float64' }), edgeIndex)).toThrow(IndexError);
    const float32Weight = zeros([MESSY_PAIRS.length]);
    expect(() => conv.call(zeros([MESSY_NODES, 3], { dtype: 'float64' }), edgeIndex, { edgeWeight: float32Weight })).toThrow(DTypeError);
    expect(() => conv.project(zeros([MESSY_NODES, 6], { dtype: 'float64' }))).toThrow(/terms must be \[N, 12\]/);
    const graph = diffusionGraph(edgeIndex, null, MESSY_NODES, 'float64');
    expect(() => diffusionTerms(zeros([MESSY_NODES + 1, 3], { dtype: 'float64' }), graph, 2)).toThrow(ShapeError);
  });
});

describe('DConv matches PyTorch (temporal-tgcn-dcrnn-dconv.safetensors)', () => {
  const { tensors, cases } = fixture;
  const all = Object.values(cases);

  it('covers K = 1 … 4, weights, no bias, PyG Temporal’s defined graphs and both of our choices where it is not', () => {
    expect(new Set(all.map((c) => c.options.K))).toEqual(new Set([1, 2, 3, 4]));
    expect(all.some((c) => c.edgeWeight)).toBe(true);
    expect(all.some((c) => c.options.bias === false)).toBe(true);
    expect(all.some((c) => c.pygTemporalDefined && c.graph === 'directed' && c.options.K! > 1)).toBe(true);
    expect(all.filter((c) => !c.pygTemporalDefined).map((c) => c.graph)).toEqual(expect.arrayContaining(['messy', 'source_only']));
  });

  it.each(Object.keys(cases))('DConv case %s: output and the gradients of x, the weight, the bias and the edge weights', (name) => {
    const testCase = cases[name]!;
    const x = leaf(need(tensors, name, 'x'));
    const out0 = need(tensors, name, 'out');
    const conv = new DConv(x.shape[1]!, out0.shape[1]!, testCase.options.K!, { dtype: 'float64', bias: testCase.options.bias ?? true });
    expect(Object.keys(conv.stateDict())).toEqual(testCase.stateDictKeys);
    conv.loadStateDict(Object.fromEntries(testCase.stateDictKeys.map((key) => [key, need(tensors, name, key)])), { strict: true });
    const edgeWeight = testCase.edgeWeight ? leaf(need(tensors, name, 'edge_weight')) : null;
    const out = conv.call(x, need(tensors, name, 'edge_index'), { edgeWeight });
    report.compare('DConv', `${name} out`, out, out0);
    out
      .mul(need(tensors, name, 'G.out'))
      .sum()
      .backward();
    report.compare('DConv', `${name} grad of x`, x.grad, need(tensors, name, 'grad.x'));
    for (const [key, p] of conv.namedParameters())
      report.compare('DConv', `${name} grad of ${key}`, p.grad, need(tensors, name, `grad.${key}`));
    // With K = 1 the graph is not used: no gradient reaches the edge weights (PyTorch reports zeros).
    const weightGrad = edgeWeight && (edgeWeight.grad ?? (testCase.options.K === 1 ? zerosLike(edgeWeight) : null));
    if (edgeWeight) report.compare('DConv', `${name} grad of edge_weight`, weightGrad, need(tensors, name, 'grad.edge_weight'));
  });
});

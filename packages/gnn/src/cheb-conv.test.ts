import {
  DTypeError,
  IndexError,
  ShapeError,
  SparseCSR,
  Tensor,
  ValueError,
  add,
  linear,
  matmul,
  sub,
  tensor,
  type FloatDType,
} from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { ParityReport, checkCase, loadFixture, need, type ParityCase } from '../test/parity-support.js';
import { ChebConv, chebLaplacian, type ChebNormalization } from './cheb-conv.js';
import { messyGraph, normal64, randomizeParameters } from './recurrent/cheb-cell-test-support.js';

/** The textbook dense L̂ = 2L/λ − I of an edge list (A[i][j] sums the weights of j → i, loops dropped; d_j = Σ_i A[i][j]). */
function denseScaledLaplacian(
  edgeIndex: Tensor,
  weight: Tensor,
  n: number,
  normalization: ChebNormalization,
  lambdaMax?: number,
): number[][] {
  const e = edgeIndex.shape[1]!;
  const a = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let k = 0; k < e; k++) {
    const [j, i] = [edgeIndex.data[k]!, edgeIndex.data[e + k]!];
    if (i !== j) a[i]![j]! += weight.data[k]!;
  }
  const d = Array.from({ length: n }, (_, j) => a.reduce((s, row) => s + row[j]!, 0));
  const inv = (v: number, p: number): number => (v === 0 ? 0 : v ** p);
  const l = a.map((row, i) =>
    row.map((v, j) => {
      if (normalization === null) return (i === j ? d[i]! : 0) - v;
      const off = normalization === 'sym' ? inv(d[j]!, -0.5) * v * inv(d[i]!, -0.5) : v * inv(d[j]!, -1);
      return (i === j ? 1 : 0) - off;
    }),
  );
  const lambda = lambdaMax ?? 2 * Math.max(...l.flat());
  return l.map((row, i) => row.map((v, j) => (2 * v) / lambda - (i === j ? 1 : 0)));
}

/** Σ_k T_k(L̂) x Θ_kᵀ + b with dense products. */
function denseCheb(conv: ChebConv, x: Tensor, lHat: number[][]): Tensor {
  const l = tensor(lHat, { dtype: 'float64' });
  const terms = [x, matmul(l, x)];
  for (let k = 2; k < conv.K; k++) terms.push(sub(matmul(l, terms[k - 1]!).mul(2), terms[k - 2]!));
  let out = linear(x, conv.lins.at(0).weight, conv.bias);
  for (let k = 1; k < conv.K; k++) out = add(out, linear(terms[k]!, conv.lins.at(k).weight));
  return out;
}

function smallConv(K: number, normalization: ChebNormalization = 'sym'): ChebConv {
  const conv = new ChebConv(3, 2, K, { normalization, dtype: 'float64' });
  randomizeParameters(conv, K);
  return conv;
}

const report = new ParityReport();
afterAll(() => report.print());
const fixture = await loadFixture('temporal-cheb-conv.safetensors');

describe('ChebConv', () => {
  it.each([
    ['sym' as ChebNormalization, undefined],
    ['sym' as ChebNormalization, 3],
    ['rw' as ChebNormalization, undefined],
    ['rw' as ChebNormalization, 1.5],
    [null, undefined],
    [null, 8],
  ])('equals Σ_k T_k(L̂) X Θ_kᵀ + b with the textbook dense L̂ (%s, λ_max %s, K = 4)', (normalization, lambdaMax) => {
    const conv = smallConv(4, normalization);
    const { edgeIndex, edgeWeight, numNodes } = messyGraph(1);
    const x = normal64([numNodes, 3], 2);
    const expected = denseCheb(conv, x, denseScaledLaplacian(edgeIndex, edgeWeight, numNodes, normalization, lambdaMax));
    expectClose(conv.call(x, edgeIndex, { edgeWeight, lambdaMax }), expected, { rtol: 1e-12, atol: 1e-12 });
  });

  it('defaults λ_max to 2 for sym and rw (PyG’s 2·max L_ij with positive weights) and to 2·max L_ij for null', () => {
    const { edgeIndex, edgeWeight, numNodes } = messyGraph(1);
    for (const normalization of ['sym', 'rw', null] as const) {
      const l = denseScaledLaplacian(edgeIndex, edgeWeight, numNodes, normalization, 2).map((row, i) =>
        row.map((v, j) => v + (i === j ? 1 : 0)),
      );
      const laplacian = chebLaplacian(edgeIndex, { numNodes, edgeWeight, normalization });
      expect(laplacian.lambdaMax).toBeCloseTo(2 * Math.max(...l.flat()), 12);
    }
  });

  it('drops self-loops, adds up duplicate edges and leaves an isolated node its own terms only', () => {
    const conv = smallConv(3);
    const { edgeIndex, edgeWeight, numNodes } = messyGraph(5);
    // messyGraph: a loop 1 → 1 (edge 12) and 2 → 3 twice (edges 4 and 13); merge and drop them by hand.
    const keep = Array.from({ length: edgeIndex.shape[1]! }, (_, e) => e).filter((e) => e !== 12 && e !== 13);
    const merged = tensor([keep.map((e) => edgeIndex.data[e]!), keep.map((e) => edgeIndex.data[edgeIndex.shape[1]! + e]!)], {
      dtype: 'int32',
    });
    const mergedWeight = tensor(
      keep.map((e) => edgeWeight.data[e]! + (e === 4 ? edgeWeight.data[13]! : 0)),
      { dtype: 'float64' },
    );
    const x = normal64([numNodes, 3], 3);
    const out = conv.call(x, edgeIndex, { edgeWeight });
    expectClose(out, conv.call(x, merged, { edgeWeight: mergedWeight }), { rtol: 1e-12, atol: 1e-12 });
    // Node 6 has no edge and λ = 2 cancels L̂'s diagonal: its row of L̂ is zero, so T_1 = 0 and T_2 = −x_6 there.
    const isolated = tensor([Array.from(x.data.slice(18, 21))], { dtype: 'float64' });
    expectClose(
      out.narrow(0, 6, 1),
      linear(isolated, conv.lins.at(0).weight, conv.bias).add(linear(isolated.mul(-1), conv.lins.at(2).weight)),
      {
        rtol: 1e-12,
        atol: 1e-12,
      },
    );
  });

  it('with K = 1 is X Θ_0ᵀ + b, whatever the graph', () => {
    const conv = smallConv(1);
    const { edgeIndex, edgeWeight, numNodes } = messyGraph(2);
    const x = normal64([numNodes, 3], 4);
    expectClose(conv.call(x, edgeIndex, { edgeWeight }), linear(x, conv.lins.at(0).weight, conv.bias), { rtol: 0, atol: 0 });
  });

  it('convolves with a Laplacian built once as forward builds it each call (dense or sparse features)', () => {
    const conv = smallConv(3);
    const { edgeIndex, edgeWeight, numNodes } = messyGraph(6);
    const laplacian = conv.laplacian(edgeIndex, { numNodes, edgeWeight });
    expect(laplacian.matrix).toBeInstanceOf(SparseCSR);
    // 'sym' with λ = 2: L̂ has no diagonal, one entry per edge that is not a loop.
    expect(laplacian.matrix.nnz).toBe(edgeIndex.shape[1]! - 1);
    for (const seed of [7, 8]) {
      const x = normal64([numNodes, 3], seed);
      expectClose(conv.forwardOn(x, laplacian), conv.call(x, edgeIndex, { edgeWeight }), { rtol: 0, atol: 0 });
    }
    // Sparse features are densified first.
    const x = normal64([numNodes, 3], 9);
    expectClose(conv.forwardOn(SparseCSR.fromDense(x), laplacian), conv.forwardOn(x, laplacian), { rtol: 0, atol: 0 });
  });

  it.each([1, 2, 3])('passes a float64 gradcheck in x, the edge weights and every parameter (K = %i, sym)', (K) => {
    const conv = smallConv(K);
    const { edgeIndex, edgeWeight, numNodes } = messyGraph(K, true);
    const x = normal64([numNodes, 3], 9, { requiresGrad: true });
    const run = (xIn: Tensor, w: Tensor): Tensor => conv.call(xIn, edgeIndex, { edgeWeight: w });
    expect(gradcheck(run, [x, edgeWeight, ...conv.parameters()])).toBe(true);
  });

  it.each(['rw', null] as const)('passes a float64 gradcheck in x, the edge weights and every parameter (K = 3, %s)', (normalization) => {
    const conv = smallConv(3, normalization);
    const { edgeIndex, edgeWeight, numNodes } = messyGraph(4, true);
    const x = normal64([numNodes, 3], 10, { requiresGrad: true });
    const run = (xIn: Tensor, w: Tensor): Tensor => conv.call(xIn, edgeIndex, { edgeWeight: w });
    expect(gradcheck(run, [x, edgeWeight, ...conv.parameters()])).toBe(true);
  });

  describe('matches the PyTorch reference (temporal-cheb-conv.safetensors)', () => {
    const cases = Object.values(fixture.cases) as unknown as Array<
      ParityCase & { K: number; options: { normalization?: ChebNormalization } }
    >;

    it('covers K = 1, 2, 3, sym, rw and null, a given λ_max, edge weights and no bias', () => {
      expect(new Set(cases.map((c) => c.K))).toEqual(new Set([1, 2, 3]));
      expect(new Set(cases.map((c) => ('normalization' in c.options ? c.options.normalization : 'sym')))).toEqual(
        new Set(['sym', 'rw', null]),
      );
      expect(cases.some((c) => c.options.lambdaMax !== undefined)).toBe(true);
      expect(cases.some((c) => c.edgeWeight) && cases.some((c) => !c.edgeWeight)).toBe(true);
      expect(cases.some((c) => c.options.bias === false)).toBe(true);
    });

    it.each(Object.keys(fixture.cases).flatMap((name) => [[name, 'float64'] as const, [name, 'float32'] as const]))(
      'case %s in %s: output and the gradients of x, the edge weights and every parameter',
      (name, dtype: FloatDType) => {
        const testCase = fixture.cases[name]! as ParityCase & { K: number };
        const { lambdaMax, ...options } = testCase.options as { lambdaMax?: number; normalization?: ChebNormalization; bias?: boolean };
        const x0 = need(fixture.tensors, name, 'x');
        const conv = new ChebConv(x0.shape[1]!, need(fixture.tensors, name, 'out').shape[1]!, testCase.K, { ...options, dtype });
        const as = (t: Tensor): Tensor => tensor(t.data, { shape: t.shape, dtype, requiresGrad: true });
        const x = as(x0);
        const edgeIndex = need(fixture.tensors, name, 'edge_index');
        const edgeWeight = testCase.edgeWeight ? as(need(fixture.tensors, name, 'edge_weight')) : null;
        checkCase(
          report,
          `ChebConv ${dtype}`,
          conv,
          fixture.tensors,
          name,
          testCase,
          () => conv.call(x, edgeIndex, { edgeWeight, lambdaMax }),
          x,
        );
        if (edgeWeight !== null) {
          const grad = edgeWeight.grad ?? tensor(new Float64Array(edgeWeight.size), { dtype });
          report.compare(`ChebConv ${dtype}`, `${name} grad of edge_weight`, grad, need(fixture.tensors, name, 'grad.edge_weight'));
        }
      },
    );
  });

  it("has PyG's state dict (bias, then lins.{k}.weight [out, in]) and PyG's initialisation", () => {
    const conv = new ChebConv(5, 3, 3);
    const keys = (Object.values(fixture.cases) as unknown as Array<ParityCase & { K: number }>).find(
      (c) => c.K === 3 && c.options.bias !== false,
    )!;
    expect(Object.keys(conv.stateDict())).toEqual(keys.stateDictKeys);
    const bound = Math.sqrt(6 / (5 + 3));
    for (const lin of conv.lins) {
      expect(lin.weight.shape).toEqual([3, 5]);
      expect(Array.from(lin.weight.data).every((v) => Math.abs(v) <= bound)).toBe(true);
    }
    expect(Array.from(conv.bias!.data)).toEqual([0, 0, 0]);
    expect(conv.extraRepr()).toBe("5, 3, K=3, normalization='sym', bias=true");
  });

  it('gives typed errors for bad arguments and inputs', () => {
    expect(() => new ChebConv(3, 2, 0)).toThrow(/K must be a positive integer, got 0/);
    expect(() => new ChebConv(3, 2, 2, { normalization: 'lap' as never })).toThrow(ValueError);
    const conv = smallConv(2);
    const { edgeIndex, edgeWeight, numNodes } = messyGraph(1);
    const x = normal64([numNodes, 3], 1);
    expect(() => conv.call(normal64([numNodes, 4], 1), edgeIndex)).toThrow(ShapeError);
    expect(() => conv.call(normal64([3, 3], 1), edgeIndex)).toThrow(IndexError);
    expect(() => conv.call(x, edgeIndex, { edgeWeight: edgeWeight.narrow(0, 0, 2) })).toThrow(/edgeWeight must be \[15\]/);
    expect(() => conv.call(x, edgeIndex, { edgeWeight: edgeWeight.to('float32') })).toThrow(DTypeError);
    expect(() => conv.call(x, edgeIndex, { lambdaMax: -1 })).toThrow(/lambdaMax must be a positive finite number, got -1/);
    expect(() => conv.call(x, edgeIndex.to('float32'))).toThrow(DTypeError);
    const laplacian = conv.laplacian(edgeIndex, { numNodes });
    expect(() => conv.forwardOn(normal64([5, 3], 1), laplacian)).toThrow(/the Laplacian has 7 nodes but x is \[5, 3\]/);
    expect(() => conv.forwardOn(x.to('float32'), laplacian)).toThrow(DTypeError);
    expect(() => smallConv(2, 'rw').forwardOn(x, laplacian)).toThrow(/the layer normalises 'rw' but the Laplacian is 'sym'/);
    const noEdges = tensor([[], []], { dtype: 'int32' });
    expect(() => chebLaplacian(noEdges, { numNodes: 3, normalization: null })).toThrow(/pass lambdaMax/);
  });
});

import {
  DTypeError,
  IndexError,
  ShapeError,
  Tensor,
  ValueError,
  add,
  mul,
  select,
  sigmoid,
  sub,
  tanh,
  zeros,
} from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { describe, expect, it } from 'vitest';
import type { ChebNormalization } from '../cheb-conv.js';
import {
  checkCellCase,
  loadCellFixture,
  messyGraph,
  normal64,
  randomizeParameters,
  stepOps,
  type CellCase,
} from './cheb-cell-test-support.js';
import { GConvGRU } from './gconv-gru.js';
import { unrollGraphCell } from './graph-cell.js';

/** PyG Temporal's GConvGRU.forward, gate by gate, with the cell's own ChebConvs. */
function perGateStep(cell: GConvGRU, x: Tensor, edgeIndex: Tensor, edgeWeight: Tensor | null, h: Tensor): Tensor {
  const laplacian = cell.conv('conv_x_z').laplacian(edgeIndex, { numNodes: x.shape[0]!, edgeWeight, lambdaMax: cell.lambdaMax });
  const conv = (name: string, v: Tensor): Tensor => cell.conv(name).forwardOn(v, laplacian);
  const z = sigmoid(add(conv('conv_x_z', x), conv('conv_h_z', h)));
  const r = sigmoid(add(conv('conv_x_r', x), conv('conv_h_r', h)));
  const candidate = tanh(add(conv('conv_x_h', x), conv('conv_h_h', mul(h, r))));
  return add(mul(z, h), mul(sub(1, z), candidate));
}

function smallCell(K: number, options: ConstructorParameters<typeof GConvGRU>[3] = {}): GConvGRU {
  const cell = new GConvGRU(2, 3, K, { dtype: 'float64', ...options });
  randomizeParameters(cell, 10 + K);
  return cell;
}

const fixture = await loadCellFixture('GConvGRU');

describe('GConvGRU', () => {
  it.each([
    [1, 'sym' as ChebNormalization, undefined],
    [2, 'sym' as ChebNormalization, undefined],
    [3, 'sym' as ChebNormalization, 1.5],
    [3, 'rw' as ChebNormalization, undefined],
    [2, null, undefined],
  ])("equals PyG Temporal's gate-by-gate formulas over 3 steps (K = %i, %s, λ_max %s)", (K, normalization, lambdaMax) => {
    const cell = smallCell(K, { normalization, lambdaMax });
    const { edgeIndex, edgeWeight } = messyGraph(K);
    const xs = normal64([3, 7, 2], 20 + K);
    let expected = normal64([7, 3], 30 + K);
    const { output } = unrollGraphCell(cell, xs, edgeIndex, { edgeWeight, state: [expected] });
    for (let t = 0; t < 3; t++) {
      expected = perGateStep(cell, select(xs, 0, t), edgeIndex, edgeWeight, expected);
      expectClose(select(output, 0, t), expected, { rtol: 1e-12, atol: 1e-12 });
    }
  });

  it.each([1, 2, 3])('passes a float64 gradcheck of one step in x, h, the edge weights and every parameter (K = %i)', (K) => {
    const cell = smallCell(K);
    const { edgeIndex, edgeWeight } = messyGraph(3, true);
    const x = normal64([7, 2], 1, { requiresGrad: true });
    const h = normal64([7, 3], 2, { requiresGrad: true });
    const step = (xIn: Tensor, hIn: Tensor, w: Tensor): Tensor => cell.call(xIn, edgeIndex, { edgeWeight: w, state: [hIn] })[0]!;
    expect(gradcheck(step, [x, h, edgeWeight, ...cell.parameters()])).toBe(true);
  });

  it('passes a float64 gradcheck of a 3-step unroll in the snapshots, h0, the edge weights and every parameter', () => {
    const cell = smallCell(2);
    const { edgeIndex, edgeWeight } = messyGraph(4, true);
    const xs = normal64([3, 7, 2], 3, { requiresGrad: true });
    const h0 = normal64([7, 3], 4, { requiresGrad: true });
    const run = (xsIn: Tensor, hIn: Tensor, w: Tensor): Tensor =>
      unrollGraphCell(cell, xsIn, edgeIndex, { edgeWeight: w, state: [hIn] }).output;
    expect(gradcheck(run, [xs, h0, edgeWeight, ...cell.parameters()])).toBe(true);
  });

  describe('matches the PyTorch reference (temporal-cheb-cells.safetensors)', () => {
    const cases = Object.values(fixture.cases);

    it('covers K = 1, 2, 3, edge weights, a given state, no bias, rw, λ_max and truncated BPTT', () => {
      expect(new Set(cases.map((c) => c.K))).toEqual(new Set([1, 2, 3]));
      expect(cases.some((c) => c.edgeWeight) && cases.some((c) => !c.edgeWeight)).toBe(true);
      expect(cases.some((c) => c.initialState) && cases.some((c) => !c.initialState)).toBe(true);
      expect(cases.some((c) => c.options.bias === false)).toBe(true);
      expect(cases.some((c) => c.options.normalization === 'rw')).toBe(true);
      expect(cases.some((c) => c.options.lambdaMax !== undefined)).toBe(true);
      expect(cases.some((c) => c.detachEvery !== null)).toBe(true);
    });

    it.each(Object.keys(fixture.cases).flatMap((name) => [[name, 'float64'] as const, [name, 'float32'] as const]))(
      'case %s in %s: output, final state and the gradients of xs, h0, the edge weights and every parameter',
      (name, dtype) => {
        const testCase: CellCase = fixture.cases[name]!;
        const cell = new GConvGRU(testCase.inChannels, testCase.outChannels, testCase.K, { ...testCase.options, dtype });
        checkCellCase(cell, fixture.tensors, name, testCase, dtype);
      },
    );
  });

  it("has PyG Temporal's state dict, so it loads both ways by name", () => {
    const testCase = Object.values(fixture.cases).find((c) => c.K === 2 && c.options.bias !== false)!;
    const cell = new GConvGRU(testCase.inChannels, testCase.outChannels, 2, { dtype: 'float64' });
    const names = Object.keys(cell.stateDict());
    expect(names).toEqual(testCase.stateDictKeys);
    expect(cell.stateDict()['conv_h_r.lins.1.weight']!.shape).toEqual([testCase.outChannels, testCase.outChannels]);
    expect(cell.stateDict()['conv_x_z.lins.0.weight']!.shape).toEqual([testCase.outChannels, testCase.inChannels]);
    // Ours out, into a fresh cell: the same function.
    randomizeParameters(cell, 5);
    const copy = new GConvGRU(testCase.inChannels, testCase.outChannels, 2, { dtype: 'float64' });
    copy.loadStateDict(cell.stateDict(), { strict: true });
    const { edgeIndex, edgeWeight } = messyGraph(1);
    const xs = normal64([2, 7, testCase.inChannels], 6);
    expectClose(unrollGraphCell(copy, xs, edgeIndex, { edgeWeight }).output, unrollGraphCell(cell, xs, edgeIndex, { edgeWeight }).output, {
      rtol: 0,
      atol: 0,
    });
  });

  it('initialises every lins weight Glorot-uniform and every bias to zero, drawing from its generator', () => {
    const cell = new GConvGRU(4, 6, 2);
    for (const [key, p] of cell.namedParameters()) {
      if (key.endsWith('bias')) expect(Array.from(p.data).every((v) => v === 0)).toBe(true);
      else {
        const bound = Math.sqrt(6 / (p.shape[0]! + p.shape[1]!));
        expect(Array.from(p.data).every((v) => Math.abs(v) <= bound)).toBe(true);
        expect(Array.from(p.data).some((v) => v !== 0)).toBe(true);
      }
    }
  });

  it('with detachEvery keeps the values and cuts the gradient at every chunk boundary', () => {
    const cell = smallCell(2);
    const { edgeIndex, edgeWeight } = messyGraph(2);
    const xs = normal64([5, 7, 2], 8, { requiresGrad: true });
    const full = unrollGraphCell(cell, xs, edgeIndex, { edgeWeight });
    const truncated = unrollGraphCell(cell, xs, edgeIndex, { edgeWeight, detachEvery: 2 });
    expectClose(truncated.output, full.output, { rtol: 0, atol: 0 });
    // The loss on the last snapshot reaches back only to snapshot 4's chunk start (snapshot 4).
    select(truncated.output, 0, 4).sum().backward();
    const grad = xs.grad!;
    for (let t = 0; t < 4; t++) expect(Array.from(select(grad, 0, t).data).every((v) => v === 0)).toBe(true);
    expect(Array.from(select(grad, 0, 4).data).some((v) => v !== 0)).toBe(true);
    // The same as running the last chunk by hand from the detached state.
    const xsAgain = normal64([5, 7, 2], 8, { requiresGrad: true });
    const head = unrollGraphCell(cell, xsAgain.narrow(0, 0, 4), edgeIndex, { edgeWeight, detachEvery: 2 });
    const tail = unrollGraphCell(cell, xsAgain.narrow(0, 4, 1), edgeIndex, { edgeWeight, state: head.state.map((s) => s.detach()) });
    tail.output.sum().backward();
    expectClose(grad, xsAgain.grad!, { rtol: 1e-12, atol: 0 });
  });

  it('records 12 ops per step for K = 1 and 4K + 8 for K > 1, 2(K − 1) of them sparse products', () => {
    for (const K of [1, 2, 3, 4]) {
      const cell = smallCell(K);
      const { edgeIndex } = messyGraph(0);
      const ops = stepOps(cell, normal64([7, 2], 1, { requiresGrad: true }), edgeIndex, [normal64([7, 3], 2, { requiresGrad: true })]);
      expect(ops.filter((op) => op === 'spmm')).toHaveLength(2 * (K - 1));
      expect(ops.length, ops.join(' ')).toBe(K === 1 ? 12 : 4 * K + 8);
    }
  });

  it('gives typed errors for bad arguments and inputs', () => {
    expect(() => new GConvGRU(0, 3, 2)).toThrow(ValueError);
    expect(() => new GConvGRU(2, 3, 0)).toThrow(/K must be a positive integer/);
    expect(() => new GConvGRU(2, 3, 1.5)).toThrow(ValueError);
    expect(() => new GConvGRU(2, 3, 2, { normalization: 'random' as never })).toThrow(/normalization must be 'sym', 'rw' or null/);
    expect(() => new GConvGRU(2, 3, 2, { lambdaMax: 0 })).toThrow(/lambdaMax must be a positive finite number/);
    const cell = smallCell(2);
    const { edgeIndex, edgeWeight } = messyGraph(0);
    const x = normal64([7, 2], 1);
    expect(() => cell.call(normal64([7, 3], 1), edgeIndex)).toThrow(/x must be \[N, inChannels\] with inChannels 2, got \[7, 3\]/);
    expect(() => cell.call(x, edgeIndex, { state: [zeros([6, 3], { dtype: 'float64' })] })).toThrow(
      /state h must be \[7, 3\], got \[6, 3\]/,
    );
    expect(() => cell.call(x, edgeIndex, { state: [] })).toThrow(ValueError);
    expect(() => cell.call(normal64([4, 2], 1), edgeIndex)).toThrow(IndexError);
    expect(() => cell.call(x, edgeIndex, { edgeWeight: edgeWeight.narrow(0, 0, 3) })).toThrow(ShapeError);
    expect(() => cell.call(x, edgeIndex, { edgeWeight: edgeWeight.to('float32') })).toThrow(DTypeError);
    expect(() => unrollGraphCell(cell, x, edgeIndex)).toThrow(/xs must be \[T, N, 2\]/);
  });
});

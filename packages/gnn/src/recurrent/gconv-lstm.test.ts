import { DTypeError, IndexError, ShapeError, Tensor, ValueError, add, mul, select, sigmoid, tanh, zeros } from '@tensorloom/core-tensor';
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
import { GConvLSTM, type GConvLSTMParameterName } from './gconv-lstm.js';
import { unrollGraphCell } from './graph-cell.js';

/** PyG Temporal's GConvLSTM.forward, gate by gate, with the cell's own ChebConvs and peepholes. */
function perGateStep(cell: GConvLSTM, x: Tensor, edgeIndex: Tensor, edgeWeight: Tensor | null, [h, c]: Tensor[]): Tensor[] {
  const laplacian = cell.conv('conv_x_i').laplacian(edgeIndex, { numNodes: x.shape[0]!, edgeWeight, lambdaMax: cell.lambdaMax });
  const gate = (g: string): Tensor =>
    add(cell.conv(`conv_x_${g}`).forwardOn(x, laplacian), cell.conv(`conv_h_${g}`).forwardOn(h!, laplacian));
  const p = (name: GConvLSTMParameterName): Tensor => cell.gateParameter(name);
  const i = sigmoid(add(add(gate('i'), mul(p('w_c_i'), c!)), p('b_i')));
  const f = sigmoid(add(add(gate('f'), mul(p('w_c_f'), c!)), p('b_f')));
  const t = tanh(add(gate('c'), p('b_c')));
  const cNext = add(mul(f, c!), mul(i, t));
  const o = sigmoid(add(add(gate('o'), mul(p('w_c_o'), cNext)), p('b_o')));
  return [mul(o, tanh(cNext)), cNext];
}

function smallCell(K: number, options: ConstructorParameters<typeof GConvLSTM>[3] = {}): GConvLSTM {
  const cell = new GConvLSTM(2, 3, K, { dtype: 'float64', ...options });
  randomizeParameters(cell, 10 + K);
  return cell;
}

const fixture = await loadCellFixture('GConvLSTM');

describe('GConvLSTM', () => {
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
    let expected = [normal64([7, 3], 30 + K), normal64([7, 3], 40 + K)];
    const { output, state } = unrollGraphCell(cell, xs, edgeIndex, { edgeWeight, state: expected });
    for (let t = 0; t < 3; t++) {
      expected = perGateStep(cell, select(xs, 0, t), edgeIndex, edgeWeight, expected);
      expectClose(select(output, 0, t), expected[0]!, { rtol: 1e-12, atol: 1e-12 });
    }
    expectClose(state[1]!, expected[1]!, { rtol: 1e-12, atol: 1e-12 });
  });

  it.each([1, 2, 3])('passes a float64 gradcheck of one step (h and c) in x, h, c, the edge weights and every parameter (K = %i)', (K) => {
    const cell = smallCell(K);
    const { edgeIndex, edgeWeight } = messyGraph(3, true);
    const x = normal64([7, 2], 1, { requiresGrad: true });
    const h = normal64([7, 3], 2, { requiresGrad: true });
    const c = normal64([7, 3], 3, { requiresGrad: true });
    const step = (xIn: Tensor, hIn: Tensor, cIn: Tensor, w: Tensor): Tensor[] =>
      cell.call(xIn, edgeIndex, { edgeWeight: w, state: [hIn, cIn] });
    expect(gradcheck(step, [x, h, c, edgeWeight, ...cell.parameters()])).toBe(true);
  });

  it('passes a float64 gradcheck of a 3-step unroll (outputs, final c) in xs, h0, c0, the edge weights and every parameter', () => {
    const cell = smallCell(2);
    const { edgeIndex, edgeWeight } = messyGraph(4, true);
    const xs = normal64([3, 7, 2], 3, { requiresGrad: true });
    const h0 = normal64([7, 3], 4, { requiresGrad: true });
    const c0 = normal64([7, 3], 5, { requiresGrad: true });
    const run = (xsIn: Tensor, hIn: Tensor, cIn: Tensor, w: Tensor): Tensor[] => {
      const { output, state } = unrollGraphCell(cell, xsIn, edgeIndex, { edgeWeight: w, state: [hIn, cIn] });
      return [output, state[1]!];
    };
    expect(gradcheck(run, [xs, h0, c0, edgeWeight, ...cell.parameters()])).toBe(true);
  });

  describe('matches the PyTorch reference (temporal-cheb-cells.safetensors)', () => {
    const cases = Object.values(fixture.cases);

    it('covers K = 1, 2, 3, edge weights, a given state, no bias, the unnormalised Laplacian and truncated BPTT', () => {
      expect(new Set(cases.map((c) => c.K))).toEqual(new Set([1, 2, 3]));
      expect(cases.some((c) => c.edgeWeight) && cases.some((c) => !c.edgeWeight)).toBe(true);
      expect(cases.some((c) => c.initialState) && cases.some((c) => !c.initialState)).toBe(true);
      expect(cases.some((c) => c.options.bias === false)).toBe(true);
      expect(cases.some((c) => c.options.normalization === null)).toBe(true);
      expect(cases.some((c) => c.detachEvery !== null)).toBe(true);
    });

    it.each(Object.keys(fixture.cases).flatMap((name) => [[name, 'float64'] as const, [name, 'float32'] as const]))(
      'case %s in %s: output, final state and the gradients of xs, h0, c0, the edge weights and every parameter',
      (name, dtype) => {
        const testCase: CellCase = fixture.cases[name]!;
        const cell = new GConvLSTM(testCase.inChannels, testCase.outChannels, testCase.K, { ...testCase.options, dtype });
        checkCellCase(cell, fixture.tensors, name, testCase, dtype);
      },
    );
  });

  it("has PyG Temporal's state dict, so it loads both ways by name", () => {
    const testCase = Object.values(fixture.cases).find((c) => c.K === 2 && c.options.bias !== false)!;
    const cell = new GConvLSTM(testCase.inChannels, testCase.outChannels, 2, { dtype: 'float64' });
    const names = Object.keys(cell.stateDict());
    expect(names).toEqual(testCase.stateDictKeys);
    expect(cell.stateDict()['conv_h_f.lins.1.weight']!.shape).toEqual([testCase.outChannels, testCase.outChannels]);
    expect(cell.stateDict()['conv_x_o.lins.0.weight']!.shape).toEqual([testCase.outChannels, testCase.inChannels]);
    expect(cell.stateDict()['w_c_i']!.shape).toEqual([1, testCase.outChannels]);
    // Ours out, into a fresh cell: the same function.
    randomizeParameters(cell, 5);
    const copy = new GConvLSTM(testCase.inChannels, testCase.outChannels, 2, { dtype: 'float64' });
    copy.loadStateDict(cell.stateDict(), { strict: true });
    const { edgeIndex, edgeWeight } = messyGraph(1);
    const xs = normal64([2, 7, testCase.inChannels], 6);
    expectClose(unrollGraphCell(copy, xs, edgeIndex, { edgeWeight }).output, unrollGraphCell(cell, xs, edgeIndex, { edgeWeight }).output, {
      rtol: 0,
      atol: 0,
    });
  });

  it('initialises the lins weights and peepholes w_c_* Glorot-uniform, every bias and b_* to zero', () => {
    const cell = new GConvLSTM(4, 6, 2);
    for (const [key, p] of cell.namedParameters()) {
      if (key.endsWith('bias') || key.startsWith('b_')) expect(Array.from(p.data).every((v) => v === 0)).toBe(true);
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

  it('records 12 ops per step for K = 1 and 2K + 10 for K > 1, K − 1 of them sparse products', () => {
    for (const K of [1, 2, 3, 4]) {
      const cell = smallCell(K);
      const { edgeIndex } = messyGraph(0);
      const state = [normal64([7, 3], 2, { requiresGrad: true }), normal64([7, 3], 3, { requiresGrad: true })];
      const ops = stepOps(cell, normal64([7, 2], 1, { requiresGrad: true }), edgeIndex, state);
      expect(ops.filter((op) => op === 'spmm')).toHaveLength(K - 1);
      expect(ops.length, ops.join(' ')).toBe(K === 1 ? 12 : 2 * K + 10);
    }
  });

  it('gives typed errors for bad arguments and inputs', () => {
    expect(() => new GConvLSTM(0, 3, 2)).toThrow(ValueError);
    expect(() => new GConvLSTM(2, 3, 0)).toThrow(/K must be a positive integer/);
    expect(() => new GConvLSTM(2, 3, 1.5)).toThrow(ValueError);
    expect(() => new GConvLSTM(2, 3, 2, { normalization: 'random' as never })).toThrow(/normalization must be 'sym', 'rw' or null/);
    expect(() => new GConvLSTM(2, 3, 2, { lambdaMax: 0 })).toThrow(/lambdaMax must be a positive finite number/);
    const cell = smallCell(2);
    const { edgeIndex, edgeWeight } = messyGraph(0);
    const x = normal64([7, 2], 1);
    expect(() => cell.call(normal64([7, 3], 1), edgeIndex)).toThrow(/x must be \[N, inChannels\] with inChannels 2, got \[7, 3\]/);
    const good = zeros([7, 3], { dtype: 'float64' });
    expect(() => cell.call(x, edgeIndex, { state: [good, zeros([7, 2], { dtype: 'float64' })] })).toThrow(
      /state c must be \[7, 3\], got \[7, 2\]/,
    );
    expect(() => cell.call(x, edgeIndex, { state: [good] })).toThrow(/the state has 2 tensors \(h, c\), got 1/);
    expect(() => cell.call(normal64([4, 2], 1), edgeIndex)).toThrow(IndexError);
    expect(() => cell.call(x, edgeIndex, { edgeWeight: edgeWeight.narrow(0, 0, 3) })).toThrow(ShapeError);
    expect(() => cell.call(x, edgeIndex, { edgeWeight: edgeWeight.to('float32') })).toThrow(DTypeError);
    expect(() => unrollGraphCell(cell, x, edgeIndex)).toThrow(/xs must be \[T, N, 2\]/);
  });
});

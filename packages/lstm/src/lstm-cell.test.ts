import { DTypeError, Generator, ShapeError, ValueError, randn, select, stack, zeros, type Tensor } from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import type { RecurrentInit } from '@tensorloom/rnn';
import { describe, expect, it } from 'vitest';
import { LSTM } from './lstm.js';
import { LSTMCell } from './lstm-cell.js';

const gen = (seed: number): Generator => new Generator(seed);
const rand64 = (shape: number[], seed: number, requiresGrad = false): Tensor =>
  randn(shape, { dtype: 'float64', generator: gen(seed), requiresGrad });

/** An LSTMCell and a one-layer LSTM holding the same weights. */
function twins(inputSize: number, hiddenSize: number): { cell: LSTMCell; layer: LSTM } {
  const cell = new LSTMCell({ inputSize, hiddenSize, dtype: 'float64', generator: gen(1) });
  const layer = new LSTM({ inputSize, hiddenSize, dtype: 'float64' });
  const state: Record<string, Tensor> = {};
  for (const [name, p] of cell.namedParameters()) state[`${name}_l0`] = p;
  layer.loadStateDict(state);
  return { cell, layer };
}

describe('LSTMCell', () => {
  it('has the parameter names and shapes of torch.nn.LSTMCell(3, 5)', () => {
    const cell = new LSTMCell({ inputSize: 3, hiddenSize: 5 });
    expect(Object.entries(cell.stateDict()).map(([n, t]) => [n, t.shape])).toEqual([
      ['weight_ih', [20, 3]],
      ['weight_hh', [20, 5]],
      ['bias_ih', [20]],
      ['bias_hh', [20]],
    ]);
    expect(cell.weight_ih.shape).toEqual([20, 3]);
    expect(cell.weight_hh.shape).toEqual([20, 5]);
    expect(cell.bias_ih?.shape).toEqual([20]);
    expect(new LSTMCell({ inputSize: 3, hiddenSize: 5, bias: false }).bias_hh).toBeNull();
  });

  it('stepped over a sequence gives the outputs and final state of a one-layer LSTM', () => {
    const { cell, layer } = twins(3, 4);
    const x = rand64([5, 2, 3], 2);
    const h0 = rand64([2, 4], 3);
    const c0 = rand64([2, 4], 4);
    let state = { h: h0, c: c0 };
    const outputs: Tensor[] = [];
    for (let t = 0; t < 5; t++) {
      state = cell.call(select(x, 0, t), state);
      outputs.push(state.h);
    }
    const expected = layer.call(x, { state: { h: h0.reshape([1, 2, 4]), c: c0.reshape([1, 2, 4]) } });
    expectClose(stack(outputs, 0).data, expected.output.data, { rtol: 1e-12 });
    expectClose(state.c.data, expected.state.c.data, { rtol: 1e-12 });
  });

  it('starts from zeros when no state is given and accepts an unbatched [I] input', () => {
    const { cell } = twins(3, 4);
    const x = rand64([3], 5);
    const unbatched = cell.call(x);
    const explicit = cell.call(x.reshape([1, 3]), { h: zeros([1, 4], { dtype: 'float64' }), c: zeros([1, 4], { dtype: 'float64' }) });
    expect(unbatched.h.shape).toEqual([4]);
    expect(unbatched.c.shape).toEqual([4]);
    expectClose(unbatched.h.data, explicit.h.data, { rtol: 1e-12 });
    expectClose(unbatched.c.data, explicit.c.data, { rtol: 1e-12 });
  });

  it('passes gradcheck with respect to input, state and every parameter', () => {
    const cell = new LSTMCell({ inputSize: 3, hiddenSize: 2, dtype: 'float64', generator: gen(6) });
    const fn = (x: Tensor, h: Tensor, c: Tensor): Tensor[] => {
      const next = cell.call(x, { h, c });
      return [next.h, next.c];
    };
    expect(gradcheck(fn, [rand64([2, 3], 7, true), rand64([2, 2], 8, true), rand64([2, 2], 9, true), ...cell.parameters()])).toBe(true);
  });

  it('sets the forget blocks to forgetBias (bias_ih) and 0 (bias_hh) after init, again on resetParameters()', () => {
    const cell = new LSTMCell({ inputSize: 2, hiddenSize: 2, forgetBias: 1, generator: gen(10) });
    cell.resetParameters();
    expect(Array.from(cell.bias_ih!.data.slice(2, 4))).toEqual([1, 1]);
    expect(Array.from(cell.bias_hh!.data.slice(2, 4))).toEqual([0, 0]);
    expect(cell.toString()).toContain('forgetBias=1');
  });

  it.each<RecurrentInit>(['kaimingNormal', 'xavierUniform', 'orthogonal'])('zeroes the biases under init %s', (init) => {
    const cell = new LSTMCell({ inputSize: 3, hiddenSize: 4, init, generator: gen(11) });
    expect(Array.from(cell.bias_ih!.data).every((v) => v === 0)).toBe(true);
    expect(Array.from(cell.weight_hh.data).some((v) => v !== 0)).toBe(true);
  });

  it('draws each weight_hh gate block orthogonal under init orthogonal', () => {
    const cell = new LSTMCell({ inputSize: 3, hiddenSize: 3, init: 'orthogonal', dtype: 'float64', generator: gen(12) });
    const w = cell.weight_hh.data;
    for (let block = 0; block < 4; block++) {
      for (let r = 0; r < 3; r++) {
        for (let s = 0; s < 3; s++) {
          let dot = 0;
          for (let k = 0; k < 3; k++) dot += w[(block * 3 + r) * 3 + k]! * w[(block * 3 + s) * 3 + k]!;
          expect(dot).toBeCloseTo(r === s ? 1 : 0, 10);
        }
      }
    }
  });

  it('throws typed errors for bad inputs, states and options', () => {
    const cell = new LSTMCell({ inputSize: 3, hiddenSize: 4 });
    expect(() => cell.call(zeros([2, 4]))).toThrow(ShapeError);
    expect(() => cell.call(zeros([2, 2, 3]))).toThrow(ShapeError);
    expect(() => cell.call(zeros([2, 3]), { h: zeros([3, 4]) })).toThrow(ShapeError);
    expect(() => cell.call(zeros([3]), { c: zeros([1, 4]) })).toThrow(ShapeError);
    expect(() => cell.call(zeros([2, 3], { dtype: 'int32' }))).toThrow(DTypeError);
    expect(() => new LSTMCell({ inputSize: 3, hiddenSize: 0 })).toThrow(ValueError);
    expect(() => new LSTMCell({ inputSize: 3, hiddenSize: 4, bias: false, forgetBias: 1 })).toThrow(ValueError);
    expect(() => new LSTMCell({ inputSize: 3, hiddenSize: 4, init: 'he' as RecurrentInit })).toThrow(ValueError);
  });
});

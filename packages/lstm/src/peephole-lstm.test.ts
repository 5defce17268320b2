import { Generator, ShapeError, ValueError, randn, select, stack, tensor, zeros, type Tensor } from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { describe, expect, it } from 'vitest';
import { PeepholeLSTM, type PeepholeLSTMOptions } from './peephole-lstm.js';
import { PeepholeLSTMCell } from './peephole-lstm-cell.js';

const gen = (seed: number): Generator => new Generator(seed);
const rand64 = (shape: number[], seed: number, requiresGrad = false): Tensor =>
  randn(shape, { dtype: 'float64', generator: gen(seed), requiresGrad });
const sigma = (v: number): number => 1 / (1 + Math.exp(-v));

describe('PeepholeLSTMCell', () => {
  it("computes the course's equations: gates read c_{t−1}, the cell input is σ(W_cx x + b_c)", () => {
    // One input, two units. weight_ih rows: i, f, g (cell input), o; weight_ch rows: i, f, o.
    const wIh = [0.5, -0.3, 0.8, 0.1, -0.6, 0.4, 0.9, -0.2];
    const wCh = [0.2, -0.1, 0.3, 0.4, -0.5, 0.6, 0.7, -0.8, 0.1, 0.2, -0.3, 0.5];
    const bIh = [0.1, -0.2, 0.3, -0.4, 0.5, -0.6, 0.7, -0.8];
    const cell = new PeepholeLSTMCell({ inputSize: 1, hiddenSize: 2, dtype: 'float64' });
    cell.loadStateDict({
      weight_ih: tensor(wIh, { shape: [8, 1], dtype: 'float64' }),
      weight_ch: tensor(wCh, { shape: [6, 2], dtype: 'float64' }),
      bias_ih: tensor(bIh, { dtype: 'float64' }),
    });
    const x = 0.7;
    const c0 = [0.3, -0.9];
    const peep = (block: number, unit: number): number => wCh[(block * 2 + unit) * 2]! * c0[0]! + wCh[(block * 2 + unit) * 2 + 1]! * c0[1]!;
    const expectedC: number[] = [];
    const expectedH: number[] = [];
    for (let j = 0; j < 2; j++) {
      const i = sigma(wIh[j]! * x + peep(0, j) + bIh[j]!);
      const f = sigma(wIh[2 + j]! * x + peep(1, j) + bIh[2 + j]!);
      const cellInput = sigma(wIh[4 + j]! * x + bIh[4 + j]!);
      const o = sigma(wIh[6 + j]! * x + peep(2, j) + bIh[6 + j]!);
      expectedC.push(cellInput * i + c0[j]! * f);
      expectedH.push(Math.tanh(expectedC[j]!) * o);
    }
    const { h, c } = cell.call(tensor([[x]], { dtype: 'float64' }), { c: tensor([c0], { dtype: 'float64' }) });
    expectClose(c.data, expectedC, { rtol: 1e-12 });
    expectClose(h.data, expectedH, { rtol: 1e-12 });
  });

  it('does not read the previous h', () => {
    const cell = new PeepholeLSTMCell({ inputSize: 2, hiddenSize: 3, dtype: 'float64', generator: gen(1) });
    const x = rand64([2, 2], 2);
    const c = rand64([2, 3], 3);
    const a = cell.call(x, { h: rand64([2, 3], 4), c });
    const b = cell.call(x, { c });
    expectClose(a.h.data, b.h.data, { rtol: 0, atol: 0 });
  });

  it('names its parameters weight_ih [4H, I], weight_ch [3H, H], bias_ih [4H]', () => {
    const cell = new PeepholeLSTMCell({ inputSize: 3, hiddenSize: 2 });
    expect(Object.entries(cell.stateDict()).map(([n, t]) => [n, t.shape])).toEqual([
      ['weight_ih', [8, 3]],
      ['weight_ch', [6, 2]],
      ['bias_ih', [8]],
    ]);
    expect(cell.weight_ch.shape).toEqual([6, 2]);
    expect(new PeepholeLSTMCell({ inputSize: 3, hiddenSize: 2, bias: false }).bias_ih).toBeNull();
  });

  it('passes gradcheck with respect to input, c and every parameter', () => {
    const cell = new PeepholeLSTMCell({ inputSize: 2, hiddenSize: 2, dtype: 'float64', generator: gen(5) });
    const fn = (x: Tensor, c: Tensor): Tensor[] => {
      const next = cell.call(x, { c });
      return [next.h, next.c];
    };
    expect(gradcheck(fn, [rand64([2, 2], 6, true), rand64([2, 2], 7, true), ...cell.parameters()])).toBe(true);
  });

  it('sets the forget block of bias_ih with forgetBias', () => {
    const cell = new PeepholeLSTMCell({ inputSize: 2, hiddenSize: 2, forgetBias: 1, init: 'xavierUniform' });
    expect(Array.from(cell.bias_ih!.data)).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
  });

  it('throws ShapeError for a wrong input or state', () => {
    const cell = new PeepholeLSTMCell({ inputSize: 2, hiddenSize: 2 });
    expect(() => cell.call(zeros([1, 3]))).toThrow(ShapeError);
    expect(() => cell.call(zeros([1, 2]), { c: zeros([1, 3]) })).toThrow(ShapeError);
  });
});

describe('PeepholeLSTM', () => {
  it('names its parameters per layer and direction in nn.LSTM style', () => {
    const model = new PeepholeLSTM({ inputSize: 3, hiddenSize: 2, numLayers: 2, bidirectional: true });
    expect(Object.entries(model.stateDict()).map(([n, t]) => [n, t.shape])).toEqual([
      ['weight_ih_l0', [8, 3]],
      ['weight_ch_l0', [6, 2]],
      ['bias_ih_l0', [8]],
      ['weight_ih_l0_reverse', [8, 3]],
      ['weight_ch_l0_reverse', [6, 2]],
      ['bias_ih_l0_reverse', [8]],
      ['weight_ih_l1', [8, 4]],
      ['weight_ch_l1', [6, 2]],
      ['bias_ih_l1', [8]],
      ['weight_ih_l1_reverse', [8, 4]],
      ['weight_ch_l1_reverse', [6, 2]],
      ['bias_ih_l1_reverse', [8]],
    ]);
  });

  it('gives the outputs of its cell stepped over the sequence', () => {
    const model = new PeepholeLSTM({ inputSize: 3, hiddenSize: 4, dtype: 'float64', generator: gen(8) });
    const cell = new PeepholeLSTMCell({ inputSize: 3, hiddenSize: 4, dtype: 'float64' });
    cell.loadStateDict(Object.fromEntries(Object.entries(model.stateDict()).map(([n, t]) => [n.replace('_l0', ''), t])));
    const x = rand64([4, 2, 3], 9);
    let state = { h: zeros([2, 4], { dtype: 'float64' }), c: zeros([2, 4], { dtype: 'float64' }) };
    const outputs: Tensor[] = [];
    for (let t = 0; t < 4; t++) {
      state = cell.call(select(x, 0, t), state);
      outputs.push(state.h);
    }
    const { output, state: final } = model.call(x);
    expectClose(output.data, stack(outputs, 0).data, { rtol: 1e-12 });
    expectClose(final.c.data, state.c.data, { rtol: 1e-12 });
  });

  it('passes gradcheck for 2 layers, bidirectional, batchFirst, lengths and initial states', () => {
    const options: PeepholeLSTMOptions = { inputSize: 2, hiddenSize: 2, numLayers: 2, bidirectional: true, batchFirst: true };
    const model = new PeepholeLSTM({ ...options, dtype: 'float64', generator: gen(10) });
    const fn = (x: Tensor, h: Tensor, c: Tensor): Tensor[] => {
      const { output, state } = model.call(x, { state: { h, c }, lengths: [3, 2] });
      return [output, state.h, state.c];
    };
    const inputs = [rand64([2, 3, 2], 11, true), rand64([4, 2, 2], 12, true), rand64([4, 2, 2], 13, true), ...model.parameters()];
    expect(gradcheck(fn, inputs)).toBe(true);
  });

  it('applies forgetBias to every layer-direction and rejects it without bias', () => {
    const model = new PeepholeLSTM({ inputSize: 2, hiddenSize: 2, bidirectional: true, forgetBias: 1 });
    for (const name of ['bias_ih_l0', 'bias_ih_l0_reverse']) expect(Array.from(model.getParameter(name)!.data.slice(2, 4))).toEqual([1, 1]);
    expect(() => new PeepholeLSTM({ inputSize: 2, hiddenSize: 2, bias: false, forgetBias: 1 })).toThrow(ValueError);
  });

  it('rejects a projection with a ValueError', () => {
    expect(() => new PeepholeLSTM({ inputSize: 2, hiddenSize: 3, projSize: 1 } as PeepholeLSTMOptions)).toThrow(ValueError);
  });
});

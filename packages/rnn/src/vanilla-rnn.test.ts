import { describe, expect, it } from 'vitest';
import {
  DTypeError,
  Generator,
  ShapeError,
  ValueError,
  crossEntropy,
  linear,
  randint,
  randn,
  select,
  tanh,
  zeros,
} from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { VANILLA_RNN_PARAMETER_NAMES, VanillaRNN, sequenceCrossEntropy, vanillaRnnKind } from './vanilla-rnn.js';
import { unroll } from './unroll.js';

const make = (seed: number, dims = { inputSize: 3, hiddenSize: 4, outputSize: 5 }, dtype: 'float32' | 'float64' = 'float64') =>
  new VanillaRNN({ ...dims, dtype, generator: new Generator(seed) });

describe('VanillaRNN', () => {
  it('registers the course parameters W_hx, W_hh, b_h, W_ph, b_p with their shapes', () => {
    const model = make(0);
    expect(model.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
      ['W_hx', [4, 3]],
      ['W_hh', [4, 4]],
      ['b_h', [4]],
      ['W_ph', [5, 4]],
      ['b_p', [5]],
    ]);
    expect(Object.keys(model.stateDict())).toEqual([...VANILLA_RNN_PARAMETER_NAMES]);
    expect(model.numParameters()).toBe(4 * 3 + 4 * 4 + 4 + 5 * 4 + 5);
  });

  it('computes h_t = tanh(W_hx x_t + W_hh h_{t−1} + b_h) and p_t = W_ph h_t + b_p from h_0 = 0', () => {
    const model = make(1);
    const x = randn([2, 6, 3], { dtype: 'float64', generator: new Generator(2) });
    const { logits, hidden } = model.forward(x);
    expect(logits.shape).toEqual([2, 6, 5]);
    expect(hidden.shape).toEqual([2, 6, 4]);
    let h = zeros([2, 4], { dtype: 'float64' });
    for (let t = 0; t < 6; t++) {
      const xt = select(x, 1, t);
      h = tanh(
        xt
          .matmul(model.W_hx.transpose(0, 1))
          .add(h.matmul(model.W_hh.transpose(0, 1)))
          .add(model.b_h),
      );
      expectClose(select(hidden, 1, t), h, { rtol: 1e-12, atol: 1e-14 });
      expectClose(select(logits, 1, t), h.matmul(model.W_ph.transpose(0, 1)).add(model.b_p), { rtol: 1e-12, atol: 1e-14 });
    }
  });

  it('runs through the shared unroller as vanillaRnnKind with the same hidden states', () => {
    const model = make(3);
    const x = randn([2, 5, 3], { dtype: 'float64', generator: new Generator(4) });
    const xProj = linear(x.transpose(0, 1), model.W_hx, model.b_h);
    const params = { weight_ih: model.W_hx, weight_hh: model.W_hh, bias_ih: model.b_h };
    const { output } = unroll(vanillaRnnKind, xProj, [zeros([2, 4], { dtype: 'float64' })], params);
    expectClose(output.transpose(0, 1), model.forward(x).hidden, { rtol: 1e-12, atol: 1e-14 });
  });

  it('passes a float64 gradcheck in the input and every parameter, for both losses', () => {
    const model = make(5, { inputSize: 2, hiddenSize: 3, outputSize: 3 });
    const x = randn([2, 4, 2], { dtype: 'float64', generator: new Generator(6) }).requiresGrad_();
    const y = randint(0, 3, [2, 4], { dtype: 'int32', generator: new Generator(7) });
    for (const lossAt of ['all', 'last'] as const) {
      expect(gradcheck(() => model.loss(x, y, { lossAt }), [x, ...model.parameters()])).toBe(true);
    }
    expect(gradcheck(() => model.forward(x).logits, [x, ...model.parameters()])).toBe(true);
  });

  it('re-draws the same parameters from a re-seeded generator', () => {
    const a = make(9);
    const b = make(9);
    for (const name of VANILLA_RNN_PARAMETER_NAMES)
      expect(Array.from(a.getParameter(name)!.data)).toEqual(Array.from(b.getParameter(name)!.data));
    const bound = 1 / Math.sqrt(4);
    for (const p of a.parameters()) for (const v of p.data) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
  });

  it('zeroes the biases under the kaimingNormal, xavierUniform and orthogonal inits', () => {
    for (const init of ['kaimingNormal', 'xavierUniform', 'orthogonal'] as const) {
      const model = new VanillaRNN({ inputSize: 3, hiddenSize: 6, outputSize: 2, init, generator: new Generator(1) });
      expect(Array.from(model.b_h.data).every((v) => v === 0)).toBe(true);
      expect(Array.from(model.b_p.data).every((v) => v === 0)).toBe(true);
      expect(Array.from(model.W_hh.data).some((v) => v !== 0)).toBe(true);
    }
    const ortho = new VanillaRNN({
      inputSize: 3,
      hiddenSize: 6,
      outputSize: 2,
      init: 'orthogonal',
      dtype: 'float64',
      generator: new Generator(1),
    });
    const W = ortho.W_hh;
    expectClose(
      W.matmul(W.transpose(0, 1)),
      Array.from({ length: 6 }, (_, i) => Array.from({ length: 6 }, (_, j) => (i === j ? 1 : 0))),
      { atol: 1e-10 },
    );
  });

  it('gives empty outputs for a zero-length sequence', () => {
    const { logits, hidden } = make(1).forward(zeros([2, 0, 3], { dtype: 'float64' }));
    expect(logits.shape).toEqual([2, 0, 5]);
    expect(hidden.shape).toEqual([2, 0, 4]);
  });

  it('rejects bad inputs and options with typed errors', () => {
    const model = make(1);
    expect(() => model.forward(zeros([2, 3]))).toThrow(ShapeError);
    expect(() => model.forward(zeros([2, 3, 4]))).toThrow(ShapeError);
    expect(() => model.forward(zeros([2, 3, 3], { dtype: 'int32' }))).toThrow(DTypeError);
    expect(() => new VanillaRNN({ inputSize: 0, hiddenSize: 2, outputSize: 2 })).toThrow(ValueError);
    expect(() => new VanillaRNN({ inputSize: 1, hiddenSize: 2.5, outputSize: 2 })).toThrow(ValueError);
  });
});

describe('sequenceCrossEntropy', () => {
  const logits = randn([3, 4, 5], { dtype: 'float64', generator: new Generator(1) });
  const y = randint(0, 5, [3, 4], { dtype: 'int32', generator: new Generator(2) });

  it("averages over every step with lossAt 'all'", () => {
    let sum = 0;
    for (let t = 0; t < 4; t++) sum += crossEntropy(select(logits, 1, t), select(y, 1, t)).item();
    expect(sequenceCrossEntropy(logits, y).item()).toBeCloseTo(sum / 4, 12);
  });

  it("reads only the last step with lossAt 'last', from [B, T] or [B] targets", () => {
    const expected = crossEntropy(select(logits, 1, 3), select(y, 1, 3)).item();
    expect(sequenceCrossEntropy(logits, y, { lossAt: 'last' }).item()).toBeCloseTo(expected, 12);
    expect(sequenceCrossEntropy(logits, select(y, 1, 3), { lossAt: 'last' }).item()).toBeCloseTo(expected, 12);
  });

  it('rejects mismatched targets, float targets and unknown lossAt', () => {
    expect(() => sequenceCrossEntropy(logits, select(y, 1, 3))).toThrow(ShapeError);
    expect(() => sequenceCrossEntropy(logits, randint(0, 5, [3, 3], { dtype: 'int32' }), { lossAt: 'last' })).toThrow(ShapeError);
    expect(() => sequenceCrossEntropy(logits, y.to('float64'))).toThrow(DTypeError);
    expect(() => sequenceCrossEntropy(select(logits, 1, 0), y)).toThrow(ShapeError);
    // @ts-expect-error: an invalid option value
    expect(() => sequenceCrossEntropy(logits, y, { lossAt: 'first' })).toThrow(ValueError);
  });
});

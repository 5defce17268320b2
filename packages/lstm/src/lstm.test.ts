import { DTypeError, Generator, ShapeError, ValueError, narrow, randn, tensor, zeros, type Tensor } from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { describe, expect, it } from 'vitest';
import { LSTM, type LSTMOptions } from './lstm.js';

const gen = (seed: number): Generator => new Generator(seed);
const rand64 = (shape: number[], seed: number, requiresGrad = false): Tensor =>
  randn(shape, { dtype: 'float64', generator: gen(seed), requiresGrad });

function shapes(module: LSTM): Array<[string, readonly number[]]> {
  return Object.entries(module.stateDict()).map(([name, t]) => [name, t.shape]);
}

describe('LSTM parameters', () => {
  it('has exactly the state-dict names and shapes of torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2)', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, projSize: 2 });
    // Printed by PyTorch 1.13: [(n, tuple(p.shape)) for n, p in m.named_parameters()]
    expect(shapes(lstm)).toEqual([
      ['weight_ih_l0', [20, 3]],
      ['weight_hh_l0', [20, 2]],
      ['bias_ih_l0', [20]],
      ['bias_hh_l0', [20]],
      ['weight_hr_l0', [2, 5]],
      ['weight_ih_l0_reverse', [20, 3]],
      ['weight_hh_l0_reverse', [20, 2]],
      ['bias_ih_l0_reverse', [20]],
      ['bias_hh_l0_reverse', [20]],
      ['weight_hr_l0_reverse', [2, 5]],
      ['weight_ih_l1', [20, 4]],
      ['weight_hh_l1', [20, 2]],
      ['bias_ih_l1', [20]],
      ['bias_hh_l1', [20]],
      ['weight_hr_l1', [2, 5]],
      ['weight_ih_l1_reverse', [20, 4]],
      ['weight_hh_l1_reverse', [20, 2]],
      ['bias_ih_l1_reverse', [20]],
      ['bias_hh_l1_reverse', [20]],
      ['weight_hr_l1_reverse', [2, 5]],
    ]);
  });

  it('registers no biases with bias: false, as torch.nn.LSTM(3, 4, num_layers=2, bias=False)', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bias: false });
    expect(shapes(lstm)).toEqual([
      ['weight_ih_l0', [16, 3]],
      ['weight_hh_l0', [16, 4]],
      ['weight_ih_l1', [16, 4]],
      ['weight_hh_l1', [16, 4]],
    ]);
  });

  it('draws every parameter from U(−1/√H, 1/√H) by default', () => {
    const lstm = new LSTM({ inputSize: 30, hiddenSize: 25, projSize: 10, generator: gen(1) });
    for (const p of lstm.parameters()) {
      const values = Array.from(p.data);
      expect(Math.max(...values)).toBeLessThanOrEqual(0.2);
      expect(Math.min(...values)).toBeGreaterThanOrEqual(-0.2);
      expect(Math.max(...values)).toBeGreaterThan(0.15);
    }
  });
});

describe('LSTM forward', () => {
  it('returns output [T, B, D·R] and states h [L·D, B, R], c [L·D, B, H]', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, projSize: 2, generator: gen(2) });
    const { output, state } = lstm.call(randn([4, 6, 3], { generator: gen(3) }));
    expect(output.shape).toEqual([4, 6, 4]);
    expect(state.h.shape).toEqual([4, 6, 2]);
    expect(state.c.shape).toEqual([4, 6, 5]);
  });

  it('accepts unbatched [T, I] input and returns [T, D·H] and [L·D, H]', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, bidirectional: true, dtype: 'float64', generator: gen(4) });
    const x = rand64([5, 3], 5);
    const { output, state } = lstm.call(x);
    expect(output.shape).toEqual([5, 8]);
    expect(state.h.shape).toEqual([2, 4]);
    const batched = lstm.call(x.reshape([5, 1, 3]));
    expectClose(output.data, batched.output.data, { rtol: 1e-12 });
    expectClose(state.c.data, batched.state.c.data, { rtol: 1e-12 });
  });

  it('continues from a given state: two halves with the state carried equal one pass', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, projSize: 3, dtype: 'float64', generator: gen(6) });
    const x = rand64([6, 2, 3], 7);
    const whole = lstm.call(x);
    const first = lstm.call(narrow(x, 0, 0, 4));
    const second = lstm.call(narrow(x, 0, 4, 2), { state: first.state });
    expectClose(second.output.data, narrow(whole.output, 0, 4, 2).data, { rtol: 1e-12 });
    expectClose(second.state.h.data, whole.state.h.data, { rtol: 1e-12 });
    expectClose(second.state.c.data, whole.state.c.data, { rtol: 1e-12 });
  });

  it('gives a padded sequence the output and final state of the same sequence run alone', () => {
    const lstm = new LSTM({
      inputSize: 2,
      hiddenSize: 3,
      numLayers: 2,
      bidirectional: true,
      batchFirst: true,
      dtype: 'float64',
      generator: gen(8),
    });
    const x = rand64([2, 5, 2], 9);
    const { output, state } = lstm.call(x, { lengths: [5, 3] });
    const alone = lstm.call(narrow(narrow(x, 0, 1, 1), 1, 0, 3));
    expectClose(narrow(narrow(output, 0, 1, 1), 1, 0, 3).data, alone.output.data, { rtol: 1e-10 });
    expect(Array.from(narrow(narrow(output, 0, 1, 1), 1, 3, 2).data).every((v) => v === 0)).toBe(true);
    expectClose(narrow(state.h, 1, 1, 1).data, alone.state.h.data, { rtol: 1e-10 });
    expectClose(narrow(state.c, 1, 1, 1).data, alone.state.c.data, { rtol: 1e-10 });
  });
});

describe('LSTM gradients (float64 gradcheck)', () => {
  function check(options: LSTMOptions, inputShape: number[], forward: { lengths?: number[]; withState?: boolean } = {}): void {
    const lstm = new LSTM({ ...options, dtype: 'float64', generator: gen(10) });
    const x = rand64(inputShape, 11, true);
    const layers = (options.numLayers ?? 1) * (options.bidirectional ? 2 : 1);
    const batch = options.batchFirst ? inputShape[0]! : inputShape[1]!;
    const h0 = rand64([layers, batch, options.projSize || options.hiddenSize], 12, true);
    const c0 = rand64([layers, batch, options.hiddenSize], 13, true);
    const fn = (input: Tensor, h: Tensor, c: Tensor): Tensor[] => {
      const { output, state } = lstm.call(input, {
        ...(forward.withState ? { state: { h, c } } : {}),
        ...(forward.lengths ? { lengths: forward.lengths } : {}),
      });
      return [output, state.h, state.c];
    };
    expect(gradcheck(fn, [x, h0, c0, ...lstm.parameters()])).toBe(true);
  }

  it('passes for 2 layers, bidirectional, batchFirst, from given initial states', () => {
    check({ inputSize: 2, hiddenSize: 2, numLayers: 2, bidirectional: true, batchFirst: true }, [2, 3, 2], { withState: true });
  });

  it('passes with a projection (projSize 1, 2 layers)', () => {
    check({ inputSize: 2, hiddenSize: 3, numLayers: 2, projSize: 1 }, [3, 2, 2], { withState: true });
  });

  it('passes for a bidirectional layer over a padded batch (lengths)', () => {
    check({ inputSize: 2, hiddenSize: 2, bidirectional: true, projSize: 1 }, [4, 2, 2], { lengths: [4, 2], withState: true });
  });

  it('passes with a mask and zero initial states', () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 2, bidirectional: true, dtype: 'float64', generator: gen(14) });
    const x = rand64([3, 2, 2], 15, true);
    const mask = tensor(
      [
        [1, 1],
        [1, 0],
        [0, 0],
      ],
      { dtype: 'float64' },
    );
    const fn = (input: Tensor): Tensor[] => {
      const { output, state } = lstm.call(input, { mask });
      return [output, state.h, state.c];
    };
    expect(gradcheck(fn, [x, ...lstm.parameters()])).toBe(true);
  });
});

describe('LSTM forgetBias', () => {
  it('sets the forget block of every bias_ih to the value and of every bias_hh to 0', () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true, forgetBias: 1, generator: gen(16) });
    const sd = lstm.stateDict();
    for (const suffix of ['l0', 'l0_reverse', 'l1', 'l1_reverse']) {
      const bIh = Array.from(sd[`bias_ih_${suffix}`]!.data);
      const bHh = Array.from(sd[`bias_hh_${suffix}`]!.data);
      expect(bIh.slice(3, 6)).toEqual([1, 1, 1]);
      expect(bHh.slice(3, 6)).toEqual([0, 0, 0]);
      // The other gates keep their drawn values.
      expect(bIh.slice(0, 3).some((v) => v !== 0 && v !== 1)).toBe(true);
      const effective = bIh.map((v, k) => v + bHh[k]!);
      expect(effective.slice(3, 6)).toEqual([1, 1, 1]);
    }
  });

  it('is re-applied by resetParameters() and on top of a zero-bias init', () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 2, init: 'kaimingNormal', forgetBias: 2.5, generator: gen(17) });
    expect(Array.from(lstm.getParameter('bias_ih_l0')!.data)).toEqual([0, 0, 2.5, 2.5, 0, 0, 0, 0]);
    lstm.getParameter('bias_ih_l0')!.data.fill(7);
    lstm.resetParameters();
    expect(Array.from(lstm.getParameter('bias_ih_l0')!.data)).toEqual([0, 0, 2.5, 2.5, 0, 0, 0, 0]);
    expect(Array.from(lstm.getParameter('bias_hh_l0')!.data)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('leaves the drawn weights as PyTorch draws them (same generator stream as without forgetBias)', () => {
    const plain = new LSTM({ inputSize: 2, hiddenSize: 2, generator: gen(18) });
    const withBias = new LSTM({ inputSize: 2, hiddenSize: 2, forgetBias: 1, generator: gen(18) });
    expect(Array.from(withBias.getParameter('weight_hh_l0')!.data)).toEqual(Array.from(plain.getParameter('weight_hh_l0')!.data));
    expect(withBias.toString()).toContain('forgetBias=1');
  });

  it('rejects forgetBias without biases, or not finite, with a ValueError', () => {
    expect(() => new LSTM({ inputSize: 2, hiddenSize: 2, bias: false, forgetBias: 1 })).toThrow(ValueError);
    expect(() => new LSTM({ inputSize: 2, hiddenSize: 2, forgetBias: Number.NaN })).toThrow(ValueError);
  });
});

describe('LSTM errors', () => {
  const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, projSize: 2 });

  it('throws ShapeError for wrong input features or rank', () => {
    expect(() => lstm.call(zeros([5, 2, 4]))).toThrow(ShapeError);
    expect(() => lstm.call(zeros([3]))).toThrow(ShapeError);
  });

  it('throws ShapeError for an initial state of the wrong shape (h is [L·D, B, P] with a projection)', () => {
    expect(() => lstm.call(zeros([5, 2, 3]), { state: { h: zeros([2, 2, 4]) } })).toThrow(ShapeError);
    expect(() => lstm.call(zeros([5, 2, 3]), { state: { c: zeros([2, 2, 2]) } })).toThrow(ShapeError);
  });

  it('throws DTypeError for an int32 input', () => {
    expect(() => lstm.call(zeros([5, 2, 3], { dtype: 'int32' }))).toThrow(DTypeError);
  });

  it('throws ValueError for projSize ≥ hiddenSize and bad sizes', () => {
    expect(() => new LSTM({ inputSize: 3, hiddenSize: 4, projSize: 4 })).toThrow(ValueError);
    expect(() => new LSTM({ inputSize: 0, hiddenSize: 4 })).toThrow(ValueError);
    expect(() => new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 1.5 })).toThrow(ValueError);
  });
});

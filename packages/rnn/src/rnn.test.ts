import { Generator, ValueError, randn, tensor, type NestedArray, type Tensor } from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { describe, expect, test } from 'vitest';
import { RNN } from './rnn.js';

const f64 = { dtype: 'float64' } as const;

function load(m: RNN, values: Record<string, NestedArray>): void {
  m.loadStateDict(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, tensor(v, f64)])));
}

describe('RNN', () => {
  test('two tanh steps equal the hand computation (I = H = 1)', () => {
    const rnn = new RNN({ inputSize: 1, hiddenSize: 1, dtype: 'float64' });
    load(rnn, { weight_ih_l0: [[0.5]], weight_hh_l0: [[-0.8]], bias_ih_l0: [0.1], bias_hh_l0: [0.2] });
    const { output, state } = rnn.call(tensor([[[1]], [[-2]]], f64));
    const h1 = Math.tanh(0.5 * 1 + 0.1 + 0.2);
    const h2 = Math.tanh(0.5 * -2 + 0.1 - 0.8 * h1 + 0.2);
    expectClose(output, [[[h1]], [[h2]]], { rtol: 1e-12 });
    expectClose(state.h, [[[h2]]], { rtol: 1e-12 });
  });

  test('two relu steps from a given initial state equal the hand computation (I = H = 2, B = 2)', () => {
    const rnn = new RNN({ inputSize: 2, hiddenSize: 2, nonlinearity: 'relu', dtype: 'float64' });
    const Wih = [
      [1, -1],
      [0.5, 2],
    ];
    const Whh = [
      [0.3, -0.2],
      [0.1, 0.4],
    ];
    const bih = [0.1, -0.3];
    const bhh = [0.05, 0.2];
    load(rnn, { weight_ih_l0: Wih, weight_hh_l0: Whh, bias_ih_l0: bih, bias_hh_l0: bhh });
    const xs = [
      [
        [1, 0.5],
        [-1, 2],
      ],
      [
        [0.2, -0.3],
        [0.7, 0.1],
      ],
    ];
    const h0 = [
      [0.4, -0.6],
      [1, 0.2],
    ];
    const { output, state } = rnn.call(tensor(xs, f64), { state: { h: tensor([h0], f64) } });
    const step = (x: number[], h: number[]): number[] =>
      [0, 1].map((j) =>
        Math.max(0, Wih[j]![0]! * x[0]! + Wih[j]![1]! * x[1]! + bih[j]! + Whh[j]![0]! * h[0]! + Whh[j]![1]! * h[1]! + bhh[j]!),
      );
    const h1 = [0, 1].map((b) => step(xs[0]![b]!, h0[b]!));
    const h2 = [0, 1].map((b) => step(xs[1]![b]!, h1[b]!));
    expectClose(output, [h1, h2], { rtol: 1e-12 });
    expectClose(state.h, [h2], { rtol: 1e-12 });
    expect(h2.flat().some((v) => v === 0)).toBe(true); // the relu clipped something
  });

  test('state-dict keys are PyTorch’s, in PyTorch’s order, for 2 bidirectional layers', () => {
    const rnn = new RNN({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true });
    const sd = rnn.stateDict();
    // Printed by torch 1.13: list(nn.RNN(3, 4, num_layers=2, bidirectional=True).state_dict())
    expect(Object.keys(sd)).toEqual([
      'weight_ih_l0',
      'weight_hh_l0',
      'bias_ih_l0',
      'bias_hh_l0',
      'weight_ih_l0_reverse',
      'weight_hh_l0_reverse',
      'bias_ih_l0_reverse',
      'bias_hh_l0_reverse',
      'weight_ih_l1',
      'weight_hh_l1',
      'bias_ih_l1',
      'bias_hh_l1',
      'weight_ih_l1_reverse',
      'weight_hh_l1_reverse',
      'bias_ih_l1_reverse',
      'bias_hh_l1_reverse',
    ]);
    expect(sd.weight_ih_l0!.shape).toEqual([4, 3]);
    expect(sd.weight_hh_l0_reverse!.shape).toEqual([4, 4]);
    expect(sd.weight_ih_l1!.shape).toEqual([4, 8]);
    expect(sd.bias_hh_l1_reverse!.shape).toEqual([4]);
    expect(rnn.numParameters()).toBe(2 * (4 * 3 + 16 + 8) + 2 * (4 * 8 + 16 + 8));
  });

  test('without bias there are only weights', () => {
    const rnn = new RNN({ inputSize: 3, hiddenSize: 4, numLayers: 2, bias: false });
    expect(Object.keys(rnn.stateDict())).toEqual(['weight_ih_l0', 'weight_hh_l0', 'weight_ih_l1', 'weight_hh_l1']);
  });

  test('gradcheck: 2 bidirectional relu layers with an initial state', () => {
    const g = new Generator(1);
    const rnn = new RNN({
      inputSize: 2,
      hiddenSize: 2,
      numLayers: 2,
      bidirectional: true,
      nonlinearity: 'relu',
      dtype: 'float64',
      generator: g,
    });
    const x = randn([3, 2, 2], { ...f64, requiresGrad: true, generator: g });
    const h0 = randn([4, 2, 2], { ...f64, requiresGrad: true, generator: g });
    expect(
      gradcheck(
        (xi, hi) => {
          const r = rnn.call(xi!, { state: { h: hi! } });
          return [r.output, r.state.h];
        },
        [x, h0, ...rnn.parameters()],
      ),
    ).toBe(true);
  });

  test('gradcheck: batchFirst tanh layers over a variable-length batch', () => {
    const g = new Generator(2);
    const rnn = new RNN({ inputSize: 2, hiddenSize: 3, numLayers: 2, batchFirst: true, dtype: 'float64', generator: g });
    const x = randn([3, 4, 2], { ...f64, requiresGrad: true, generator: g });
    expect(
      gradcheck(
        (xi) => {
          const r = rnn.call(xi!, { lengths: [4, 2, 1] });
          return [r.output, r.state.h];
        },
        [x, ...rnn.parameters()],
      ),
    ).toBe(true);
  });

  test('gradcheck: a bidirectional layer under a mask', () => {
    const g = new Generator(3);
    const rnn = new RNN({ inputSize: 2, hiddenSize: 2, bidirectional: true, dtype: 'float64', generator: g });
    const x = randn([4, 2, 2], { ...f64, requiresGrad: true, generator: g });
    const mask = tensor([
      [1, 1],
      [1, 1],
      [1, 0],
      [0, 0],
    ]);
    expect(
      gradcheck(
        (xi) => {
          const r = rnn.call(xi!, { mask });
          return [r.output, r.state.h];
        },
        [x, ...rnn.parameters()],
      ),
    ).toBe(true);
  });

  test('keeps its nonlinearity and prints it when not tanh', () => {
    expect(new RNN({ inputSize: 3, hiddenSize: 4 }).nonlinearity).toBe('tanh');
    const relu = new RNN({ inputSize: 3, hiddenSize: 4, numLayers: 2, nonlinearity: 'relu' });
    expect(relu.toString()).toBe('RNN(3, 4, numLayers=2, nonlinearity=relu)');
    expect(new RNN({ inputSize: 3, hiddenSize: 4 }).toString()).toBe('RNN(3, 4)');
  });

  test('rejects an unknown nonlinearity and a projSize with ValueError', () => {
    expect(() => new RNN({ inputSize: 3, hiddenSize: 4, nonlinearity: 'gelu' as 'tanh' })).toThrow(ValueError);
    expect(() => new RNN({ inputSize: 3, hiddenSize: 4, projSize: 2 } as ConstructorParameters<typeof RNN>[0])).toThrow(ValueError);
  });

  test('runs in float32 by default', () => {
    const out: Tensor = new RNN({ inputSize: 3, hiddenSize: 4 }).call(randn([2, 1, 3])).output;
    expect(out.dtype).toBe('float32');
    expect(out.shape).toEqual([2, 1, 4]);
  });
});

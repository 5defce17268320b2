import { Generator, ValueError, randn, tensor, type NestedArray } from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { describe, expect, test } from 'vitest';
import { GRU } from './gru.js';

const f64 = { dtype: 'float64' } as const;
const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

describe('GRU', () => {
  test('two steps equal the hand computation (I = H = 1, gates r, z, n)', () => {
    const gru = new GRU({ inputSize: 1, hiddenSize: 1, dtype: 'float64' });
    const wi = [0.5, -0.3, 0.8]; // W_ir, W_iz, W_in
    const wh = [0.2, 0.6, -0.7]; // W_hr, W_hz, W_hn
    const bi = [0.1, -0.1, 0.05];
    const bh = [-0.2, 0.3, 0.15];
    const values: Record<string, NestedArray> = {
      weight_ih_l0: wi.map((v) => [v]),
      weight_hh_l0: wh.map((v) => [v]),
      bias_ih_l0: bi,
      bias_hh_l0: bh,
    };
    gru.loadStateDict(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, tensor(v, f64)])));
    const step = (x: number, h: number): number => {
      const r = sigmoid(wi[0]! * x + bi[0]! + wh[0]! * h + bh[0]!);
      const z = sigmoid(wi[1]! * x + bi[1]! + wh[1]! * h + bh[1]!);
      const n = Math.tanh(wi[2]! * x + bi[2]! + r * (wh[2]! * h + bh[2]!));
      return (1 - z) * n + z * h;
    };
    const h0 = 0.4;
    const h1 = step(1.5, h0);
    const h2 = step(-0.5, h1);
    const { output, state } = gru.call(tensor([[[1.5]], [[-0.5]]], f64), { state: { h: tensor([[[h0]]], f64) } });
    expectClose(output, [[[h1]], [[h2]]], { rtol: 1e-12 });
    expectClose(state.h, [[[h2]]], { rtol: 1e-12 });
  });

  test('state-dict keys and shapes are PyTorch’s (gates packed 3·H), in PyTorch’s order', () => {
    const gru = new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true });
    const sd = gru.stateDict();
    // Printed by torch 1.13: list(nn.GRU(3, 4, num_layers=2, bidirectional=True).state_dict())
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
    expect(sd.weight_ih_l0!.shape).toEqual([12, 3]);
    expect(sd.weight_hh_l0!.shape).toEqual([12, 4]);
    expect(sd.bias_ih_l0_reverse!.shape).toEqual([12]);
    expect(sd.weight_ih_l1!.shape).toEqual([12, 8]);
    expect(sd.weight_ih_l1_reverse!.shape).toEqual([12, 8]);
  });

  test('gradcheck: 2 bidirectional layers with an initial state', () => {
    const g = new Generator(11);
    const gru = new GRU({ inputSize: 2, hiddenSize: 2, numLayers: 2, bidirectional: true, dtype: 'float64', generator: g });
    const x = randn([3, 2, 2], { ...f64, requiresGrad: true, generator: g });
    const h0 = randn([4, 2, 2], { ...f64, requiresGrad: true, generator: g });
    expect(
      gradcheck(
        (xi, hi) => {
          const r = gru.call(xi!, { state: { h: hi! } });
          return [r.output, r.state.h];
        },
        [x, h0, ...gru.parameters()],
      ),
    ).toBe(true);
  });

  test('gradcheck: batchFirst bidirectional over a variable-length batch', () => {
    const g = new Generator(12);
    const gru = new GRU({ inputSize: 2, hiddenSize: 2, batchFirst: true, bidirectional: true, dtype: 'float64', generator: g });
    const x = randn([3, 3, 2], { ...f64, requiresGrad: true, generator: g });
    expect(
      gradcheck(
        (xi) => {
          const r = gru.call(xi!, { lengths: [3, 1, 2] });
          return [r.output, r.state.h];
        },
        [x, ...gru.parameters()],
      ),
    ).toBe(true);
  });

  test('gradcheck: 2 layers under a batchFirst mask', () => {
    const g = new Generator(13);
    const gru = new GRU({ inputSize: 2, hiddenSize: 2, numLayers: 2, batchFirst: true, dtype: 'float64', generator: g });
    const x = randn([2, 3, 2], { ...f64, requiresGrad: true, generator: g });
    const mask = tensor([
      [1, 1, 0],
      [1, 1, 1],
    ]);
    expect(
      gradcheck(
        (xi) => {
          const r = gru.call(xi!, { mask });
          return [r.output, r.state.h];
        },
        [x, ...gru.parameters()],
      ),
    ).toBe(true);
  });

  test('gradcheck: unbatched input without biases', () => {
    const g = new Generator(14);
    const gru = new GRU({ inputSize: 2, hiddenSize: 3, bias: false, dtype: 'float64', generator: g });
    const x = randn([3, 2], { ...f64, requiresGrad: true, generator: g });
    const h0 = randn([1, 3], { ...f64, requiresGrad: true, generator: g });
    expect(
      gradcheck(
        (xi, hi) => {
          const r = gru.call(xi!, { state: { h: hi! } });
          return [r.output, r.state.h];
        },
        [x, h0, ...gru.parameters()],
      ),
    ).toBe(true);
  });

  test('rejects a projSize with ValueError', () => {
    expect(() => new GRU({ inputSize: 3, hiddenSize: 4, projSize: 2 } as ConstructorParameters<typeof GRU>[0])).toThrow(ValueError);
  });

  test('prints as PyTorch does', () => {
    expect(new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, batchFirst: true, bidirectional: true }).toString()).toBe(
      'GRU(3, 4, numLayers=2, batchFirst=true, bidirectional=true)',
    );
  });
});

import { Generator, ShapeError, randn, select, stack, tensor, zeros } from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { describe, expect, test } from 'vitest';
import { GRU } from './gru.js';
import { GRUCell } from './gru-cell.js';

const f64 = { dtype: 'float64' } as const;
const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

describe('GRUCell', () => {
  test('registers packed 3·H parameters as PyTorch’s nn.GRUCell, drawn from U(−1/√H, 1/√H)', () => {
    const cell = new GRUCell({ inputSize: 3, hiddenSize: 4, generator: new Generator(1) });
    const sd = cell.stateDict();
    expect(Object.keys(sd)).toEqual(['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']);
    expect(Object.values(sd).map((t) => t.shape)).toEqual([[12, 3], [12, 4], [12], [12]]);
    const values = cell.parameters().flatMap((p) => Array.from(p.data));
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(0.5);
    expect(Object.keys(new GRUCell({ inputSize: 3, hiddenSize: 4, bias: false }).stateDict())).toEqual(['weight_ih', 'weight_hh']);
  });

  test('one step equals the hand computation (I = H = 1)', () => {
    const cell = new GRUCell({ inputSize: 1, hiddenSize: 1, dtype: 'float64' });
    cell.loadStateDict({
      weight_ih: tensor([[0.5], [-0.3], [0.8]], f64),
      weight_hh: tensor([[0.2], [0.6], [-0.7]], f64),
      bias_ih: tensor([0.1, -0.1, 0.05], f64),
      bias_hh: tensor([-0.2, 0.3, 0.15], f64),
    });
    const x = 1.5;
    const h = 0.4;
    const r = sigmoid(0.5 * x + 0.1 + 0.2 * h - 0.2);
    const z = sigmoid(-0.3 * x - 0.1 + 0.6 * h + 0.3);
    const n = Math.tanh(0.8 * x + 0.05 + r * (-0.7 * h + 0.15));
    expectClose(cell.call(tensor([[x]], f64), tensor([[h]], f64)), [[(1 - z) * n + z * h]], { rtol: 1e-12 });
  });

  test('unbatched input [I] gives [H], the same as a batch of one', () => {
    const cell = new GRUCell({ inputSize: 3, hiddenSize: 4, dtype: 'float64' });
    const x = randn([3], f64);
    const h = randn([4], f64);
    expect(cell.call(x, h).shape).toEqual([4]);
    expectClose(cell.call(x, h), select(cell.call(x.reshape([1, 3]), h.reshape([1, 4])), 0, 0), { atol: 0, rtol: 0 });
  });

  test('looped over time, it equals a one-layer GRU with the same weights', () => {
    const g = new Generator(2);
    const cell = new GRUCell({ inputSize: 3, hiddenSize: 4, dtype: 'float64', generator: g });
    const gru = new GRU({ inputSize: 3, hiddenSize: 4, dtype: 'float64' });
    gru.loadStateDict(Object.fromEntries(Object.entries(cell.stateDict()).map(([k, v]) => [`${k}_l0`, v])));
    const xs = randn([4, 2, 3], { ...f64, generator: g });
    const { output } = gru.call(xs);
    let h = zeros([2, 4], f64);
    const hs = [];
    for (let t = 0; t < 4; t++) hs.push((h = cell.call(select(xs, 0, t), h)));
    expectClose(stack(hs, 0), output, { rtol: 1e-12, atol: 1e-14 });
  });

  test('gradcheck wrt input, state and parameters', () => {
    const g = new Generator(3);
    const cell = new GRUCell({ inputSize: 2, hiddenSize: 2, dtype: 'float64', generator: g });
    const x = randn([2, 2], { ...f64, requiresGrad: true, generator: g });
    const h = randn([2, 2], { ...f64, requiresGrad: true, generator: g });
    expect(gradcheck((xi, hi) => cell.call(xi!, hi), [x, h, ...cell.parameters()])).toBe(true);
  });

  test('ShapeError for a wrong input or state shape', () => {
    const cell = new GRUCell({ inputSize: 3, hiddenSize: 4 });
    expect(() => cell.call(zeros([2, 4]))).toThrow(ShapeError);
    expect(() => cell.call(zeros([2, 3]), zeros([2, 12]))).toThrow(ShapeError);
    expect(() => cell.call(zeros([2, 3]), zeros([1, 4]))).toThrow(ShapeError);
  });

  test('prints as PyTorch does', () => {
    expect(new GRUCell({ inputSize: 3, hiddenSize: 4 }).toString()).toBe('GRUCell(3, 4)');
  });
});

import { DTypeError, Generator, ShapeError, ValueError, randn, select, stack, tensor, zeros } from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { describe, expect, test } from 'vitest';
import { RNN } from './rnn.js';
import { RNNCell } from './rnn-cell.js';

const f64 = { dtype: 'float64' } as const;

describe('RNNCell', () => {
  test('registers weight_ih, weight_hh, bias_ih, bias_hh as PyTorch’s nn.RNNCell', () => {
    const cell = new RNNCell({ inputSize: 3, hiddenSize: 5 });
    const sd = cell.stateDict();
    expect(Object.keys(sd)).toEqual(['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']);
    expect(Object.values(sd).map((t) => t.shape)).toEqual([[5, 3], [5, 5], [5], [5]]);
    expect(cell.weight_ih.shape).toEqual([5, 3]);
    const noBias = new RNNCell({ inputSize: 3, hiddenSize: 5, bias: false });
    expect(Object.keys(noBias.stateDict())).toEqual(['weight_ih', 'weight_hh']);
    expect(noBias.bias_ih).toBeNull();
  });

  test('draws every parameter from U(−1/√H, 1/√H), reproducibly from its generator', () => {
    const cell = new RNNCell({ inputSize: 30, hiddenSize: 16, generator: new Generator(5) });
    const values = cell.parameters().flatMap((p) => Array.from(p.data));
    expect(Math.max(...values)).toBeLessThanOrEqual(0.25);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-0.25);
    expect(Math.max(...values)).toBeGreaterThan(0.2);
    const again = new RNNCell({ inputSize: 30, hiddenSize: 16, generator: new Generator(5) });
    expect(Array.from(again.weight_hh.data)).toEqual(Array.from(cell.weight_hh.data));
  });

  test('one step equals the hand computation, tanh and relu', () => {
    for (const nonlinearity of ['tanh', 'relu'] as const) {
      const cell = new RNNCell({ inputSize: 2, hiddenSize: 2, nonlinearity, dtype: 'float64' });
      cell.loadStateDict({
        weight_ih: tensor(
          [
            [1, -1],
            [0.5, 2],
          ],
          f64,
        ),
        weight_hh: tensor(
          [
            [0.3, -0.2],
            [0.1, 0.4],
          ],
          f64,
        ),
        bias_ih: tensor([0.1, -0.3], f64),
        bias_hh: tensor([0.05, 0.2], f64),
      });
      const h = cell.call(tensor([[1, 0.5]], f64), tensor([[0.4, -0.6]], f64));
      const pre = [1 - 0.5 + 0.1 + 0.3 * 0.4 + 0.2 * 0.6 + 0.05, 0.5 + 1 - 0.3 + 0.04 - 0.24 + 0.2];
      const act = nonlinearity === 'tanh' ? Math.tanh : (v: number) => Math.max(0, v);
      expectClose(h, [pre.map(act)], { rtol: 1e-12 });
    }
  });

  test('a missing state is zeros', () => {
    const cell = new RNNCell({ inputSize: 3, hiddenSize: 4, dtype: 'float64' });
    const x = randn([2, 3], f64);
    expectClose(cell.call(x), cell.call(x, zeros([2, 4], f64)), { atol: 0, rtol: 0 });
  });

  test('unbatched input [I] with state [H] gives [H], the same as a batch of one', () => {
    const cell = new RNNCell({ inputSize: 3, hiddenSize: 4, dtype: 'float64' });
    const x = randn([3], f64);
    const h = randn([4], f64);
    const out = cell.call(x, h);
    expect(out.shape).toEqual([4]);
    expectClose(out, select(cell.call(x.reshape([1, 3]), h.reshape([1, 4])), 0, 0), { atol: 0, rtol: 0 });
    expect(cell.call(x).shape).toEqual([4]);
  });

  test('looped over time, it equals a one-layer RNN with the same weights', () => {
    const g = new Generator(8);
    const cell = new RNNCell({ inputSize: 3, hiddenSize: 4, nonlinearity: 'relu', dtype: 'float64', generator: g });
    const rnn = new RNN({ inputSize: 3, hiddenSize: 4, nonlinearity: 'relu', dtype: 'float64' });
    rnn.loadStateDict(Object.fromEntries(Object.entries(cell.stateDict()).map(([k, v]) => [`${k}_l0`, v])));
    const xs = randn([5, 2, 3], { ...f64, generator: g });
    let h = randn([2, 4], { ...f64, generator: g });
    const { output } = rnn.call(xs, { state: { h: h.reshape([1, 2, 4]) } });
    const hs = [];
    for (let t = 0; t < 5; t++) hs.push((h = cell.call(select(xs, 0, t), h)));
    expectClose(stack(hs, 0), output, { rtol: 1e-12, atol: 1e-14 });
  });

  test('gradcheck wrt input, state and parameters', () => {
    const g = new Generator(9);
    const cell = new RNNCell({ inputSize: 3, hiddenSize: 2, dtype: 'float64', generator: g });
    const x = randn([2, 3], { ...f64, requiresGrad: true, generator: g });
    const h = randn([2, 2], { ...f64, requiresGrad: true, generator: g });
    expect(gradcheck((xi, hi) => cell.call(xi!, hi), [x, h, ...cell.parameters()])).toBe(true);
  });

  test('typed errors for bad sizes, shapes and dtypes', () => {
    expect(() => new RNNCell({ inputSize: 0, hiddenSize: 4 })).toThrow(ValueError);
    expect(() => new RNNCell({ inputSize: 3, hiddenSize: 2.5 })).toThrow(ValueError);
    expect(() => new RNNCell({ inputSize: 3, hiddenSize: 4, nonlinearity: 'sigmoid' as 'tanh' })).toThrow(ValueError);
    const cell = new RNNCell({ inputSize: 3, hiddenSize: 4 });
    expect(() => cell.call(zeros([2, 5]))).toThrow(ShapeError);
    expect(() => cell.call(zeros([1, 2, 3]))).toThrow(ShapeError);
    expect(() => cell.call(zeros([2, 3]), zeros([3, 4]))).toThrow(ShapeError);
    expect(() => cell.call(zeros([2, 3]), zeros([2, 5]))).toThrow(ShapeError);
    expect(() => cell.call(zeros([3]), zeros([1, 4]))).toThrow(ShapeError);
    expect(() => cell.call(zeros([2, 3]), zeros([4]))).toThrow(ShapeError);
    expect(() => cell.call(zeros([2, 3], { dtype: 'int32' }))).toThrow(DTypeError);
    expect(() => cell.call(zeros([2, 3]), zeros([2, 4], { dtype: 'int32' }))).toThrow(DTypeError);
  });

  test('prints its sizes, bias and nonlinearity', () => {
    expect(new RNNCell({ inputSize: 3, hiddenSize: 4 }).toString()).toBe('RNNCell(3, 4)');
    expect(new RNNCell({ inputSize: 3, hiddenSize: 4, bias: false, nonlinearity: 'relu' }).toString()).toBe(
      'RNNCell(3, 4, bias=false, nonlinearity=relu)',
    );
  });
});

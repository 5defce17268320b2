import {
  DTypeError,
  Generator,
  IndexError,
  ShapeError,
  ValueError,
  concat,
  matmul,
  randn,
  select,
  tensor,
  transpose,
  zeros,
  type Tensor,
} from '@tensorloom/core-tensor';
import { expectClose } from '@tensorloom/core-tensor/testing';
import { describe, expect, test } from 'vitest';
import { GRU } from './gru.js';
import type { RecurrentInit } from './recurrent-layer.js';
import { RNN } from './rnn.js';

const f64 = { dtype: 'float64' } as const;
const exact = { atol: 0, rtol: 0 };

function sliceBatch(x: Tensor, b: number, steps: number): Tensor {
  return x.slice(1, b, b + 1).slice(0, 0, steps);
}

describe('RecurrentLayer: variable-length batches', () => {
  const g = new Generator(21);
  const gru = new GRU({ inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true, dtype: 'float64', generator: g });
  const lengths = [4, 2, 3];
  const x = randn([4, 3, 2], { ...f64, generator: g });

  test('the final state and real outputs equal running each unpadded sequence alone', () => {
    const { output, state } = gru.call(x, { lengths });
    lengths.forEach((len, b) => {
      const alone = gru.call(sliceBatch(x, b, len));
      expectClose(state.h.slice(1, b, b + 1), alone.state.h, { rtol: 1e-12, atol: 1e-14 });
      expectClose(output.slice(1, b, b + 1).slice(0, 0, len), alone.output, { rtol: 1e-12, atol: 1e-14 });
    });
  });

  test('padded steps output exactly zero and ignore what the padding holds', () => {
    const short = [3, 2, 3];
    const noisy = x.detach().clone();
    noisy.data.fill(1e6, 3 * 3 * 2); // the last step (t = 3) is padding for every sequence
    noisy.data.fill(-1e6, 2 * 3 * 2 + 2, 2 * 3 * 2 + 4); // so is t = 2 of sequence 1
    const a = gru.call(x, { lengths: short });
    const b = gru.call(noisy, { lengths: short });
    const out = b.output.toArray() as number[][][];
    expect(out[3]!.flat().every((v) => v === 0)).toBe(true);
    expect(out[2]![1]!.every((v) => v === 0)).toBe(true);
    expectClose(b.output, a.output, exact);
    expectClose(b.state.h, a.state.h, exact);
  });

  test('the gradient wrt padded input steps is exactly zero', () => {
    const xg = x.detach().clone();
    xg.requiresGrad = true;
    const { output, state } = gru.call(xg, { lengths });
    output.square().sum().add(state.h.sum()).backward();
    const grad = xg.grad!.toArray() as number[][][];
    for (const [t, b] of [
      [2, 1],
      [3, 1],
      [3, 2],
    ] as const)
      expect(grad[t]![b]).toEqual([0, 0]);
    expect(grad[1]![1]!.every((v) => v !== 0)).toBe(true);
    expect(grad[2]![2]!.every((v) => v !== 0)).toBe(true);
  });

  test('lengths as an array, as a tensor, and the equivalent mask agree', () => {
    const a = gru.call(x, { lengths });
    const b = gru.call(x, { lengths: tensor(lengths, { dtype: 'int32' }) });
    const mask = tensor(
      [
        [1, 1, 1],
        [1, 1, 1],
        [1, 0, 1],
        [1, 0, 0],
      ],
      { dtype: 'int32' },
    );
    const c = gru.call(x, { mask });
    expectClose(b.output, a.output, exact);
    expectClose(c.output, a.output, exact);
    expectClose(c.state.h, a.state.h, exact);
  });

  test('a zero-length sequence keeps its initial state and outputs zeros', () => {
    const h0 = randn([4, 3, 3], f64);
    const { output, state } = gru.call(x, { lengths: [4, 0, 3], state: { h: h0 } });
    expectClose(state.h.slice(1, 1, 2), h0.slice(1, 1, 2), exact);
    expect((output.slice(1, 1, 2).toArray() as number[][][]).flat(2).every((v) => v === 0)).toBe(true);
  });
});

describe('RecurrentLayer: layouts and states', () => {
  test('batchFirst takes and gives [B, T, F] and computes the same as [T, B, F]', () => {
    const g = new Generator(22);
    const timeMajor = new GRU({ inputSize: 2, hiddenSize: 3, bidirectional: true, dtype: 'float64', generator: g });
    const batchMajor = new GRU({ inputSize: 2, hiddenSize: 3, bidirectional: true, batchFirst: true, dtype: 'float64' });
    batchMajor.loadStateDict(timeMajor.stateDict());
    const x = randn([5, 3, 2], { ...f64, generator: g });
    const a = timeMajor.call(x, { lengths: [5, 1, 3] });
    const b = batchMajor.call(transpose(x, 0, 1), { lengths: [5, 1, 3] });
    expect(b.output.shape).toEqual([3, 5, 6]);
    expectClose(b.output, transpose(a.output, 0, 1), exact);
    expect(b.state.h.shape).toEqual([2, 3, 3]); // h_n stays [L·D, B, H], as PyTorch
    expectClose(b.state.h, a.state.h, exact);
  });

  test('unbatched input [T, I] with state [L·D, H] equals a batch of one', () => {
    const g = new Generator(23);
    const rnn = new RNN({ inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true, dtype: 'float64', generator: g });
    const x = randn([4, 2], { ...f64, generator: g });
    const h0 = randn([4, 3], { ...f64, generator: g });
    const single = rnn.call(x, { state: { h: h0 }, lengths: [3] });
    const batched = rnn.call(x.reshape([4, 1, 2]), { state: { h: h0.reshape([4, 1, 3]) }, lengths: [3] });
    expect(single.output.shape).toEqual([4, 6]);
    expect(single.state.h.shape).toEqual([4, 3]);
    expectClose(single.output, select(batched.output, 1, 0), exact);
    expectClose(single.state.h, select(batched.state.h, 1, 0), exact);
    const masked = rnn.call(x, { state: { h: h0 }, mask: tensor([1, 1, 1, 0]) });
    expectClose(masked.output, single.output, exact);
  });

  test('an absent state is zeros, and carrying the state across calls continues the sequence', () => {
    const g = new Generator(24);
    const gru = new GRU({ inputSize: 2, hiddenSize: 3, numLayers: 2, dtype: 'float64', generator: g });
    const x = randn([6, 2, 2], { ...f64, generator: g });
    const whole = gru.call(x);
    expectClose(gru.call(x, { state: { h: zeros([2, 2, 3], f64) } }).output, whole.output, exact);
    const first = gru.call(x.slice(0, 0, 4));
    const second = gru.call(x.slice(0, 4, 6), { state: first.state });
    expectClose(concat([first.output, second.output], 0), whole.output, exact);
    expectClose(second.state.h, whole.state.h, exact);
  });

  test('layer k + 1 reads layer k’s concatenated directions', () => {
    const g = new Generator(25);
    const deep = new GRU({ inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true, dtype: 'float64', generator: g });
    const first = new GRU({ inputSize: 2, hiddenSize: 3, bidirectional: true, dtype: 'float64' });
    const second = new GRU({ inputSize: 6, hiddenSize: 3, bidirectional: true, dtype: 'float64' });
    const sd = deep.stateDict();
    const pick = (layer: number) =>
      Object.fromEntries(
        Object.entries(sd)
          .filter(([k]) => k.includes(`_l${layer}`))
          .map(([k, v]) => [k.replace(`_l${layer}`, '_l0'), v]),
      );
    first.loadStateDict(pick(0));
    second.loadStateDict(pick(1));
    const x = randn([3, 2, 2], { ...f64, generator: g });
    const a = deep.call(x);
    const one = first.call(x);
    const two = second.call(one.output);
    expectClose(a.output, two.output, exact);
    expectClose(a.state.h, concat([one.state.h, two.state.h], 0), exact);
  });
});

describe('RecurrentLayer: dropout between layers', () => {
  const build = (dropout: number, numLayers = 2) =>
    new GRU({ inputSize: 3, hiddenSize: 4, numLayers, dropout, dtype: 'float64', generator: new Generator(30) });
  const x = randn([4, 2, 3], { ...f64, generator: new Generator(31) });

  test('applies in training mode only', () => {
    const reference = build(0).call(x).output;
    const layer = build(0.5);
    const trained = layer.call(x).output;
    expect(Array.from(trained.data)).not.toEqual(Array.from(reference.data));
    layer.eval();
    expectClose(layer.call(x).output, reference, exact);
  });

  test('is drawn from the layer’s generator, so a re-seeded twin drops the same units', () => {
    expectClose(build(0.5).call(x).output, build(0.5).call(x).output, exact);
  });

  test('with p = 1 the second layer reads zeros', () => {
    const layer = build(1);
    const top = new GRU({ inputSize: 4, hiddenSize: 4, dtype: 'float64' });
    top.loadStateDict(
      Object.fromEntries(
        Object.entries(layer.stateDict())
          .filter(([k]) => k.endsWith('_l1'))
          .map(([k, v]) => [k.replace('_l1', '_l0'), v]),
      ),
    );
    expectClose(layer.call(x).output, top.call(zeros([4, 2, 4], f64)).output, exact);
  });

  test('never applies after the last layer', () => {
    const single = build(0.9, 1);
    expectClose(single.call(x).output, build(0, 1).call(x).output, exact);
  });
});

describe('RecurrentLayer: initialisation', () => {
  const make = (init: RecurrentInit, seed = 40) =>
    new GRU({ inputSize: 48, hiddenSize: 32, bidirectional: true, init, dtype: 'float64', generator: new Generator(seed) });
  const values = (t: Tensor) => Array.from(t.data);
  const std = (v: number[]) => Math.sqrt(v.reduce((s, a) => s + a * a, 0) / v.length);

  test("'uniform' (the default) draws every parameter from U(−1/√H, 1/√H)", () => {
    const layer = new GRU({ inputSize: 48, hiddenSize: 32, generator: new Generator(40) });
    expect(layer.init).toBe('uniform');
    for (const p of layer.parameters()) {
      const v = values(p);
      expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(32) + 1e-7);
      expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(0.8 / Math.sqrt(32));
    }
  });

  test("'kaimingNormal' draws weights with std √(2 / fanIn) and zeroes the biases", () => {
    const layer = make('kaimingNormal');
    for (const [name, p] of layer.namedParameters()) {
      if (name.startsWith('bias')) expect(values(p).every((v) => v === 0)).toBe(true);
      else expect(std(values(p)) / Math.sqrt(2 / p.shape[1]!)).toBeCloseTo(1, 1);
    }
  });

  test("'xavierUniform' bounds weights by √(6 / (fanIn + fanOut)) and zeroes the biases", () => {
    const layer = make('xavierUniform');
    for (const [name, p] of layer.namedParameters()) {
      const v = values(p);
      if (name.startsWith('bias')) expect(v.every((a) => a === 0)).toBe(true);
      else {
        const bound = Math.sqrt(6 / (p.shape[0]! + p.shape[1]!));
        expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(bound);
        expect(std(v) / (bound / Math.sqrt(3))).toBeCloseTo(1, 1);
      }
    }
  });

  test("'orthogonal' makes every gate block of weight_hh orthogonal and zeroes the biases", () => {
    const layer = make('orthogonal');
    for (const [name, p] of layer.namedParameters()) {
      if (name.startsWith('bias')) expect(values(p).every((v) => v === 0)).toBe(true);
      if (!name.startsWith('weight_hh')) continue;
      for (let gate = 0; gate < 3; gate++) {
        const block = p.slice(0, gate * 32, (gate + 1) * 32);
        const gram = matmul(block, transpose(block, 0, 1));
        expectClose(
          gram,
          tensor(
            Array.from({ length: 32 }, (_, i) => Array.from({ length: 32 }, (__, j) => (i === j ? 1 : 0))),
            f64,
          ),
          { atol: 1e-10 },
        );
      }
    }
  });

  test('resetParameters() replays the same draws from a re-seeded generator, for every scheme', () => {
    for (const init of ['uniform', 'kaimingNormal', 'xavierUniform', 'orthogonal'] as const) {
      const a = make(init, 41);
      const b = make(init, 42);
      b.resetParameters({ generator: new Generator(41) });
      for (const [k, v] of Object.entries(a.stateDict())) expect(values(b.stateDict()[k]!)).toEqual(values(v));
    }
  });
});

describe('RecurrentLayer: typed errors', () => {
  const gru = new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2 });

  test('ValueError for bad constructor options', () => {
    expect(() => new GRU({ inputSize: 0, hiddenSize: 4 })).toThrow(ValueError);
    expect(() => new GRU({ inputSize: 3, hiddenSize: -1 })).toThrow(ValueError);
    expect(() => new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 0 })).toThrow(ValueError);
    expect(() => new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 1.5 })).toThrow(ValueError);
    expect(() => new GRU({ inputSize: 3, hiddenSize: 4, dropout: 1.5 })).toThrow(ValueError);
    expect(() => new GRU({ inputSize: 3, hiddenSize: 4, dropout: -0.1 })).toThrow(ValueError);
    expect(() => new GRU({ inputSize: 3, hiddenSize: 4, init: 'he' as RecurrentInit })).toThrow(ValueError);
  });

  test('ShapeError and DTypeError for bad inputs', () => {
    expect(() => gru.call(zeros([2, 3, 1, 3]))).toThrow(ShapeError);
    expect(() => gru.call(zeros([3]))).toThrow(ShapeError);
    expect(() => gru.call(zeros([2, 3, 5]))).toThrow(ShapeError);
    expect(() => gru.call(zeros([2, 3, 3], { dtype: 'int32' }))).toThrow(DTypeError);
  });

  test('ShapeError for initial states of the wrong shape', () => {
    const x = zeros([5, 2, 3]);
    expect(() => gru.call(x, { state: { h: zeros([1, 2, 4]) } })).toThrow(ShapeError);
    expect(() => gru.call(x, { state: { h: zeros([2, 3, 4]) } })).toThrow(ShapeError);
    expect(() => gru.call(x, { state: { h: zeros([2, 2, 5]) } })).toThrow(ShapeError);
    expect(() => gru.call(x, { state: { h: zeros([2, 4]) } })).toThrow(ShapeError);
    expect(() => gru.call(zeros([5, 3]), { state: { h: zeros([2, 1, 4]) } })).toThrow(ShapeError);
  });

  test('ShapeError, IndexError and ValueError for bad lengths and masks', () => {
    const x = zeros([5, 2, 3]);
    expect(() => gru.call(x, { lengths: [5] })).toThrow(ShapeError);
    expect(() => gru.call(x, { lengths: [6, 1] })).toThrow(IndexError);
    expect(() => gru.call(x, { lengths: [-1, 1] })).toThrow(IndexError);
    expect(() => gru.call(x, { lengths: [2.5, 1] })).toThrow(IndexError);
    expect(() => gru.call(x, { mask: zeros([2, 5]) })).toThrow(ShapeError);
    expect(() => gru.call(x, { lengths: [5, 5], mask: zeros([5, 2]) })).toThrow(ValueError);
  });
});

describe('RecurrentLayer: state dicts', () => {
  test('a state dict round-trips into a twin and reproduces its outputs', () => {
    const a = new RNN({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, generator: new Generator(50) });
    const b = new RNN({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, generator: new Generator(51) });
    b.loadStateDict(a.stateDict());
    const x = randn([3, 2, 3], { generator: new Generator(52) });
    expectClose(b.call(x).output, a.call(x).output, exact);
  });

  test('the layer exposes each layer-direction’s parameters under PyTorch’s names', () => {
    const gru = new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true });
    expect(gru.paramName('bias_hh', 1, 1)).toBe('bias_hh_l1_reverse');
    const params = gru.layerParameters(1, 1);
    expect(Object.keys(params)).toEqual(['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']);
    expect(params.weight_ih).toBe(gru.getParameter('weight_ih_l1_reverse'));
    expect(gru.numDirections).toBe(2);
    expect(gru.outputSize).toBe(4);
  });
});

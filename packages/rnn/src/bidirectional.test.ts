import {
  Generator,
  IndexError,
  ShapeError,
  ValueError,
  randn,
  stack,
  tensor,
  transpose,
  unbind,
  type Tensor,
} from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { describe, expect, test } from 'vitest';
import { Bidirectional, type DirectionContext } from './bidirectional.js';
import { GRU } from './gru.js';
import type { RecurrentLayerOptions } from './recurrent-layer.js';
import { RNN } from './rnn.js';

const f64 = { dtype: 'float64' } as const;
const exact = { atol: 0, rtol: 0 };

/** A bidirectional GRU and a Bidirectional wrapper of two GRUs holding the same weights. */
function twins(options: Partial<RecurrentLayerOptions> = {}, seed = 60) {
  const base = { inputSize: 2, hiddenSize: 3, dtype: 'float64' as const, ...options };
  const own = new GRU({ ...base, bidirectional: true, generator: new Generator(seed) });
  const wrapped = new Bidirectional({ layer: () => new GRU(base) });
  const renamed = Object.entries(own.stateDict()).map(([k, v]) =>
    k.endsWith('_reverse') ? [`backward_layer.${k.slice(0, -'_reverse'.length)}`, v] : [`forward_layer.${k}`, v],
  );
  wrapped.loadStateDict(Object.fromEntries(renamed));
  return { own, wrapped };
}

function reverseTime(x: Tensor): Tensor {
  return stack(unbind(x, 0).reverse(), 0);
}

describe('Bidirectional', () => {
  const x = randn([5, 3, 2], { ...f64, generator: new Generator(61) });

  test('concat mode equals the GRU’s own bidirectional: outputs and states, with and without lengths', () => {
    const { own, wrapped } = twins();
    for (const options of [{}, { lengths: [5, 2, 4] }, { lengths: [1, 5, 0] }]) {
      const a = own.call(x, options);
      const b = wrapped.call(x, options);
      expectClose(b.output, a.output, exact);
      expectClose(b.state.h, a.state.h, exact);
    }
  });

  test('equals the own bidirectional under a mask, batchFirst, unbatched and with an initial state', () => {
    const h0 = randn([2, 3, 3], { ...f64, generator: new Generator(62) });
    const plain = twins();
    const mask = tensor([
      [1, 1, 1],
      [1, 1, 1],
      [1, 0, 1],
      [1, 0, 0],
      [0, 0, 0],
    ]);
    for (const options of [{ mask }, { state: { h: h0 } }, { state: { h: h0 }, lengths: [4, 2, 5] }]) {
      expectClose(plain.wrapped.call(x, options).output, plain.own.call(x, options).output, exact);
      expectClose(plain.wrapped.call(x, options).state.h, plain.own.call(x, options).state.h, exact);
    }
    const unbatched = x.slice(1, 0, 1).reshape([5, 2]);
    expectClose(plain.wrapped.call(unbatched, { lengths: [3] }).output, plain.own.call(unbatched, { lengths: [3] }).output, exact);
    expectClose(
      plain.wrapped.call(unbatched, { mask: tensor([1, 1, 0, 1, 0]) }).state.h,
      plain.own.call(unbatched, { mask: tensor([1, 1, 0, 1, 0]) }).state.h,
      exact,
    );
    const bf = twins({ batchFirst: true });
    const xb = transpose(x, 0, 1);
    for (const options of [{ lengths: [3, 5, 1] }, { mask: transpose(mask, 0, 1) }]) {
      expectClose(bf.wrapped.call(xb, options).output, bf.own.call(xb, options).output, exact);
      expectClose(bf.wrapped.call(xb, options).state.h, bf.own.call(xb, options).state.h, exact);
    }
  });

  test('the backward layer reads each sequence reversed within its length; padding stays at the end', () => {
    const { wrapped } = twins();
    const lengths = [5, 2, 4];
    const { output, state } = wrapped.call(x, { lengths });
    lengths.forEach((len, b) => {
      const real = x.slice(1, b, b + 1).slice(0, 0, len);
      const alone = wrapped.backwardLayer.call(reverseTime(real));
      expectClose(state.h.slice(0, 1, 2).slice(1, b, b + 1), alone.state.h, exact);
      expectClose(
        output
          .slice(1, b, b + 1)
          .slice(0, 0, len)
          .slice(2, 3, 6),
        reverseTime(alone.output),
        exact,
      );
      const padding = output.slice(1, b, b + 1).slice(0, len, 5);
      expect(Array.from(padding.data).every((v) => v === 0)).toBe(true);
    });
  });

  test("'sum' and 'mean' merge the two directions elementwise", () => {
    const { wrapped } = twins();
    const concat = wrapped.call(x, { lengths: [5, 2, 4] });
    const forward = concat.output.slice(2, 0, 3);
    const backward = concat.output.slice(2, 3, 6);
    for (const mergeMode of ['sum', 'mean'] as const) {
      const merged = new Bidirectional({ forwardLayer: wrapped.forwardLayer, backwardLayer: wrapped.backwardLayer, mergeMode });
      const { output, state } = merged.call(x, { lengths: [5, 2, 4] });
      expect(output.shape).toEqual([5, 3, 3]);
      expectClose(output, mergeMode === 'sum' ? forward.add(backward) : forward.add(backward).mul(0.5), { rtol: 1e-15 });
      expectClose(state.h, concat.state.h, exact);
    }
  });

  test('the factory is called once per direction, forward first; the layers register as forward_layer and backward_layer', () => {
    const calls: DirectionContext[] = [];
    const bi = new Bidirectional({ layer: (context) => (calls.push(context), new RNN({ inputSize: 2, hiddenSize: 3, numLayers: 2 })) });
    expect(calls).toEqual([{ direction: 'forward' }, { direction: 'backward' }]);
    expect(bi.forwardLayer).not.toBe(bi.backwardLayer);
    expect(Object.keys(bi.stateDict())).toEqual([
      ...['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1'].map(
        (k) => `forward_layer.${k}`,
      ),
      ...['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1'].map(
        (k) => `backward_layer.${k}`,
      ),
    ]);
    expect(bi.mergeMode).toBe('concat');
    expect(bi.toString()).toContain('(forward_layer): RNN(2, 3, numLayers=2)');
  });

  test('with stacked layers, states are [2·L, B, H], layer-major, forward before backward, in and out', () => {
    const g = new Generator(63);
    const bi = new Bidirectional({ layer: () => new GRU({ inputSize: 2, hiddenSize: 3, numLayers: 2, dtype: 'float64', generator: g }) });
    const h0 = randn([4, 3, 3], { ...f64, generator: g });
    const { output, state } = bi.call(x, { state: { h: h0 } });
    expect(output.shape).toEqual([5, 3, 6]);
    expect(state.h.shape).toEqual([4, 3, 3]);
    const even = stack([h0.slice(0, 0, 1), h0.slice(0, 2, 3)], 0).reshape([2, 3, 3]);
    const fwd = bi.forwardLayer.call(x, { state: { h: even } });
    expectClose(state.h.slice(0, 0, 1), fwd.state.h.slice(0, 0, 1), exact);
    expectClose(state.h.slice(0, 2, 3), fwd.state.h.slice(0, 1, 2), exact);
    expectClose(output.slice(2, 0, 3), fwd.output, exact);
  });

  test('training mode reaches the wrapped layers', () => {
    const bi = new Bidirectional({ layer: () => new GRU({ inputSize: 2, hiddenSize: 3, numLayers: 2, dropout: 0.5 }) });
    bi.eval();
    expect(bi.forwardLayer.training).toBe(false);
    expect(bi.backwardLayer.training).toBe(false);
  });

  test('gradcheck: mean merge over a variable-length batch with an initial state', () => {
    const g = new Generator(64);
    const bi = new Bidirectional({
      layer: () => new GRU({ inputSize: 2, hiddenSize: 2, dtype: 'float64', generator: g }),
      mergeMode: 'mean',
    });
    const xs = randn([3, 2, 2], { ...f64, requiresGrad: true, generator: g });
    const h0 = randn([2, 2, 2], { ...f64, requiresGrad: true, generator: g });
    const fn = (xi?: Tensor, hi?: Tensor) => {
      const r = bi.call(xi!, { lengths: [3, 2], state: { h: hi! } });
      return [r.output, r.state.h];
    };
    expect(gradcheck(fn, [xs, h0, ...bi.parameters()])).toBe(true);
  });

  test('typed errors for mismatched layers, merge modes, states and lengths', () => {
    const gru = (o: Partial<RecurrentLayerOptions> = {}) => new GRU({ inputSize: 2, hiddenSize: 3, ...o });
    const same = gru();
    expect(() => new Bidirectional({ forwardLayer: same, backwardLayer: same })).toThrow(ValueError);
    expect(() => new Bidirectional({ layer: () => same })).toThrow(ValueError);
    expect(() => new Bidirectional({ layer: () => gru({ bidirectional: true }) })).toThrow(ValueError);
    expect(() => new Bidirectional({ forwardLayer: gru(), backwardLayer: gru({ inputSize: 4 }) })).toThrow(ValueError);
    expect(() => new Bidirectional({ forwardLayer: gru(), backwardLayer: gru({ batchFirst: true }) })).toThrow(ValueError);
    expect(() => new Bidirectional({ forwardLayer: gru(), backwardLayer: gru({ numLayers: 2 }) })).toThrow(ValueError);
    expect(() => new Bidirectional({ forwardLayer: gru(), backwardLayer: gru({ hiddenSize: 4 }) })).toThrow(ValueError);
    expect(() => new Bidirectional({ layer: () => gru(), mergeMode: 'mul' as 'sum' })).toThrow(ValueError);
    const bi = new Bidirectional({ layer: () => gru() });
    const xs = randn([4, 2, 2]);
    expect(() => bi.call(xs, { state: { h: randn([1, 2, 3]) } })).toThrow(ShapeError);
    expect(() => bi.call(xs, { state: { h: randn([2, 3, 3]) } })).toThrow(ShapeError);
    expect(() => bi.call(xs, { lengths: [4] })).toThrow(ShapeError);
    expect(() => bi.call(xs, { lengths: [4, 5] })).toThrow(IndexError);
    expect(() => bi.call(randn([4, 2, 3]))).toThrow(ShapeError);
  });
});

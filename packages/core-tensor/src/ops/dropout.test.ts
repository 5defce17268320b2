import { describe, expect, it } from 'vitest';
import { DTypeError, ValueError } from '../errors.js';
import { Generator, manualSeed } from '../random/generator.js';
import { gradcheck } from '../testing/gradcheck.js';
import { expectClose } from '../testing/expect-close.js';
import { arange, ones, randn, tensor, zeros } from './creation.js';
import { dropout } from './dropout.js';
import { mul } from './arithmetic.js';
import { sum } from './reduce.js';

describe('dropout', () => {
  it('keeps about 1 − p of the units, scaled by 1 / (1 − p), so the mean is preserved', () => {
    const n = 200_000;
    for (const p of [0.1, 0.5, 0.8]) {
      const out = dropout(ones([n], { dtype: 'float64' }), p, { generator: new Generator(40) });
      let kept = 0;
      let total = 0;
      let offScale = 0;
      for (let i = 0; i < n; i++) {
        const v = out.data[i]!;
        if (v !== 0) {
          kept++;
          if (Math.abs(v - 1 / (1 - p)) > 1e-12) offScale++;
        }
        total += v;
      }
      expect(offScale).toBe(0);
      // Binomial standard deviation of the kept fraction is sqrt(p(1−p)/n) < 0.0012: allow 5σ.
      expect(Math.abs(kept / n - (1 - p))).toBeLessThan(0.006);
      expect(Math.abs(total / n - 1)).toBeLessThan(0.006 / (1 - p));
    }
  });

  it('is reproducible with a seeded generator and with manualSeed', () => {
    const x = randn([50], { generator: new Generator(1) });
    const a = dropout(x, 0.3, { generator: new Generator(7) });
    const b = dropout(x, 0.3, { generator: new Generator(7) });
    expect(a.toArray()).toEqual(b.toArray());
    manualSeed(9);
    const c = dropout(x, 0.3);
    manualSeed(9);
    expect(dropout(x, 0.3).toArray()).toEqual(c.toArray());
    expect(dropout(x, 0.3, { generator: new Generator(8) }).toArray()).not.toEqual(a.toArray());
  });

  it('returns the input itself for p = 0 or outside training', () => {
    const x = randn([4], { requiresGrad: true, generator: new Generator(2) });
    expect(dropout(x, 0)).toBe(x);
    expect(dropout(x, 0.5, { training: false })).toBe(x);
  });

  it('gives zeros for p = 1, NaN still propagating as in PyTorch', () => {
    const out = dropout(tensor([1, -2, NaN]), 1);
    expect(out.data[0]).toBe(0);
    expect(Math.abs(out.data[1]!)).toBe(0);
    expect(Number.isNaN(out.data[2])).toBe(true);
    const x = ones([3], { requiresGrad: true });
    sum(dropout(x, 1)).backward();
    expect(x.grad!.toArray()).toEqual([0, 0, 0]);
  });

  it('keeps the dtype and shape, including empty and 0-d tensors', () => {
    const out = dropout(ones([2, 3], { dtype: 'float64' }), 0.5, { generator: new Generator(3) });
    expect(out.dtype).toBe('float64');
    expect(out.shape).toEqual([2, 3]);
    expect(dropout(zeros([0, 4]), 0.5).shape).toEqual([0, 4]);
    expect(dropout(tensor(2), 0.5, { generator: new Generator(4) }).shape).toEqual([]);
  });

  it('throws ValueError for p outside [0, 1] and DTypeError for int tensors', () => {
    expect(() => dropout(ones([2]), -0.1)).toThrow(ValueError);
    expect(() => dropout(ones([2]), 1.5)).toThrow(ValueError);
    expect(() => dropout(ones([2]), NaN)).toThrow(ValueError);
    expect(() => dropout(arange(3), 0.5)).toThrow(DTypeError);
    expect(dropout(arange(3), 0.5, { training: false }).toArray()).toEqual([0, 1, 2]);
  });

  it('back-propagates g ⊙ mask / (1 − p)', () => {
    const x = randn([1000], { dtype: 'float64', requiresGrad: true, generator: new Generator(5) });
    const out = dropout(x, 0.25, { generator: new Generator(6) });
    sum(out).backward();
    const expected = Float64Array.from(out.data, (v, i) => (v === 0 && x.data[i] !== 0 ? 0 : 1 / 0.75));
    expectClose(x.grad!.data, expected, { rtol: 1e-12 });
  });

  it('passes gradcheck with the mask fixed by a fresh generator per call', () => {
    const x = randn([3, 4], { dtype: 'float64', requiresGrad: true, generator: new Generator(7) });
    expect(gradcheck((t) => dropout(t, 0.4, { generator: new Generator(11) }), [x])).toBe(true);
  });

  it('gives the masks the generator gave before the mask and the multiply were fused, for a seed', () => {
    // Pinned from dropout as it was (fillBernoulli into a mask tensor, then mul), on the js backend:
    // '1' is a kept element. The generator's next draw after the mask is pinned too.
    const g = new Generator(2024);
    const out = dropout(ones([48]), 0.6, { generator: g });
    expect(Array.from(out.data, (v) => (v === 0 ? '0' : '1')).join('')).toBe('001000101000110010100011001000011000101000101000');
    expect(new Set(out.data)).toEqual(new Set([0, 2.5]));
    expect(g.nextUint32()).toBe(974509926);
    const g64 = new Generator(99);
    const out64 = dropout(ones([2, 40], { dtype: 'float64' }), 0.25, { generator: g64 });
    expect(Array.from(out64.data, (v) => (v === 0 ? '0' : '1')).join('')).toBe(
      '10101101101110111111001111111010100111111111101101111111101111111111101110111101',
    );
    expect(g64.nextUint32()).toBe(717082031);
  });

  it('equals x times the fillBernoulli mask of the same state, bit for bit, dense or sparse, NaN and −0 included', () => {
    const n = 6000;
    const dense = randn([n], { generator: new Generator(12) });
    // Mostly zeros (the sparse loop): a few values, a −0 and a NaN among them.
    const sparse = zeros([n]);
    for (let i = 0; i < n; i += 97) sparse.data[i] = (i % 2 === 0 ? 1 : -1) * (i / 7);
    sparse.data[3] = -0;
    sparse.data[5] = NaN;
    dense.data[1] = NaN;
    dense.data[2] = -0;
    for (const x of [dense, sparse, randn([40, 3], { dtype: 'float64', generator: new Generator(13) })]) {
      for (const p of [0.2, 0.6]) {
        const reference = new Generator(31);
        const mask = zeros(x.shape, { dtype: x.dtype });
        reference.fillBernoulli(mask.data, 1 - p, 1 / (1 - p));
        const expected = Array.from(x.data, (v, i) => (x.dtype === 'float32' ? Math.fround(v * mask.data[i]!) : v * mask.data[i]!));
        const g = new Generator(31);
        const out = dropout(x, p, { generator: g });
        Array.from(out.data).forEach((v, i) => expect(Object.is(v, expected[i])).toBe(true));
        expect(g.nextUint32()).toBe(reference.nextUint32());
      }
    }
  });

  it('back-propagates through the mask it drew, twice differentiable, without touching the generator', () => {
    const x = randn([300], { requiresGrad: true, generator: new Generator(14) });
    const g = new Generator(15);
    const out = dropout(x, 0.5, { generator: g });
    const after = g.getState();
    const upstream = randn([300], { generator: new Generator(16) });
    sum(mul(out, upstream)).backward(undefined, { retainGraph: true });
    const expected = Array.from(out.data, (v, i) => upstream.data[i]! * (v === 0 && x.data[i] !== 0 ? 0 : 2));
    expect(Array.from(x.grad!.data)).toEqual(expected);
    expect(g.getState()).toEqual(after);
    // The backward is itself recorded: differentiating it with respect to its upstream gradient gives the mask again.
    const seed = randn([300], { requiresGrad: true, generator: new Generator(17) });
    const [dx] = out.gradFn!.backward(seed);
    sum(dx!).backward();
    expect(Array.from(seed.grad!.data)).toEqual(Array.from(out.data, (v, i) => (v === 0 && x.data[i] !== 0 ? 0 : 2)));
  });
});

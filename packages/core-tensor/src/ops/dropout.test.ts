import { describe, expect, it } from 'vitest';
import { DTypeError, ValueError } from '../errors.js';
import { Generator, manualSeed } from '../random/generator.js';
import { gradcheck } from '../testing/gradcheck.js';
import { expectClose } from '../testing/expect-close.js';
import { arange, ones, randn, tensor, zeros } from './creation.js';
import { dropout } from './dropout.js';
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
});

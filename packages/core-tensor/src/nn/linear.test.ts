import { describe, expect, it } from 'vitest';
import { ValueError } from '../errors.js';
import { randn } from '../ops/creation.js';
import { Generator } from '../random/generator.js';
import { expectClose } from '../testing/expect-close.js';
import { gradcheck } from '../testing/gradcheck.js';
import { Linear } from './linear.js';

describe('Linear', () => {
  it('computes x·Wᵀ + b over any leading axes', () => {
    const gen = new Generator(0);
    const lin = new Linear({ inFeatures: 3, outFeatures: 2, dtype: 'float64', generator: gen });
    const x = randn([4, 5, 3], { dtype: 'float64', generator: gen });
    const y = lin.call(x);
    expect(y.shape).toEqual([4, 5, 2]);
    const w = lin.weight.data;
    const b = lin.bias!.data;
    const expected: number[] = [];
    for (let r = 0; r < 20; r++) {
      for (let o = 0; o < 2; o++) {
        let acc = b[o]!;
        for (let i = 0; i < 3; i++) acc += x.data[r * 3 + i]! * w[o * 3 + i]!;
        expected.push(acc);
      }
    }
    expectClose(y.data, expected, { rtol: 1e-12 });
  });

  it('omits the bias with bias: false', () => {
    const lin = new Linear({ inFeatures: 2, outFeatures: 3, bias: false, dtype: 'float64' });
    const x = randn([1, 2], { dtype: 'float64', generator: new Generator(1) });
    expect(lin.bias).toBeNull();
    const w = lin.weight.data;
    expectClose(
      lin.call(x).data,
      [0, 1, 2].map((o) => x.data[0]! * w[o * 2]! + x.data[1]! * w[o * 2 + 1]!),
      { rtol: 1e-12 },
    );
  });

  it('has weight [out, in] and bias [out] drawn from U(−1/√in, 1/√in)', () => {
    const lin = new Linear({ inFeatures: 400, outFeatures: 300, generator: new Generator(2) });
    expect(lin.weight.shape).toEqual([300, 400]);
    expect(lin.bias!.shape).toEqual([300]);
    const bound = 1 / Math.sqrt(400);
    for (const t of [lin.weight, lin.bias!]) {
      expect(Math.max(...t.data)).toBeLessThanOrEqual(bound);
      expect(Math.min(...t.data)).toBeGreaterThanOrEqual(-bound);
    }
    let sq = 0;
    for (const v of lin.weight.data) sq += v * v;
    // Var of U(−b, b) is b²/3.
    expect(sq / lin.weight.size).toBeCloseTo(bound ** 2 / 3, 5);
    expect(Math.max(...lin.bias!.data)).toBeGreaterThan(0.9 * bound);
  });

  it('draws the same weights from the same seed', () => {
    const a = new Linear({ inFeatures: 5, outFeatures: 4, generator: new Generator(3) });
    const b = new Linear({ inFeatures: 5, outFeatures: 4, generator: new Generator(3) });
    expect(a.weight.toArray()).toEqual(b.weight.toArray());
    expect(a.bias!.toArray()).toEqual(b.bias!.toArray());
  });

  it('passes gradcheck in its input, weight and bias', () => {
    const gen = new Generator(4);
    const lin = new Linear({ inFeatures: 3, outFeatures: 2, dtype: 'float64', generator: gen });
    const x = randn([2, 4, 3], { dtype: 'float64', requiresGrad: true, generator: gen });
    expect(gradcheck((input) => lin.call(input), [x, lin.weight, lin.bias!])).toBe(true);
  });

  it('handles zero input features (bias only) and an empty batch', () => {
    const lin = new Linear({ inFeatures: 0, outFeatures: 2, generator: new Generator(5) });
    expect(lin.bias!.toArray()).toEqual([0, 0]);
    expect(lin.call(randn([3, 0])).toArray()).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    expect(new Linear({ inFeatures: 2, outFeatures: 2 }).call(randn([0, 2])).shape).toEqual([0, 2]);
  });

  it('rejects bad sizes with a ValueError', () => {
    expect(() => new Linear({ inFeatures: -1, outFeatures: 2 })).toThrow(ValueError);
    expect(() => new Linear({ inFeatures: 2.5, outFeatures: 2 })).toThrow(ValueError);
  });

  it('prints its hyper-parameters', () => {
    expect(new Linear({ inFeatures: 3, outFeatures: 2 }).toString()).toBe('Linear(inFeatures=3, outFeatures=2, bias=true)');
    expect(new Linear({ inFeatures: 3, outFeatures: 2, bias: false }).toString()).toBe('Linear(inFeatures=3, outFeatures=2, bias=false)');
  });
});

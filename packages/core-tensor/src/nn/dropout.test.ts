import { describe, expect, it } from 'vitest';
import { ValueError } from '../errors.js';
import { ones } from '../ops/creation.js';
import { Generator } from '../random/generator.js';
import { Dropout } from './dropout.js';

describe('Dropout', () => {
  it('zeroes about p of the elements and scales the rest by 1/(1 − p) while training', () => {
    const drop = new Dropout({ p: 0.25, generator: new Generator(0) });
    const y = drop.call(ones([20_000]));
    let zeros = 0;
    for (const v of y.data) {
      if (v === 0) zeros++;
      else expect(v).toBeCloseTo(1 / 0.75, 6);
    }
    expect(Math.abs(zeros / 20_000 - 0.25)).toBeLessThan(0.015);
  });

  it('is the identity in evaluation mode', () => {
    const drop = new Dropout().eval();
    const x = ones([10]);
    expect(drop.call(x)).toBe(x);
  });

  it('defaults to p = 0.5 and draws the same masks from the same seed', () => {
    const a = new Dropout({ generator: new Generator(1) });
    const b = new Dropout({ generator: new Generator(1) });
    expect(a.p).toBe(0.5);
    expect(a.call(ones([50])).toArray()).toEqual(b.call(ones([50])).toArray());
  });

  it('lets the gradient through the kept elements only', () => {
    const x = ones([100], { requiresGrad: true });
    const y = new Dropout({ p: 0.5, generator: new Generator(2) }).call(x);
    y.sum().backward();
    expect(x.grad!.toArray()).toEqual(y.toArray());
  });

  it('rejects p outside [0, 1] with a ValueError', () => {
    expect(() => new Dropout({ p: 1.5 })).toThrow(ValueError);
    expect(() => new Dropout({ p: -0.1 })).toThrow(ValueError);
    expect(() => new Dropout({ p: NaN })).toThrow(ValueError);
  });

  it('prints p', () => {
    expect(new Dropout({ p: 0.2 }).toString()).toBe('Dropout(p=0.2)');
  });
});

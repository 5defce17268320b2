import { DTypeError, Generator, Tensor, ValueError, sum, tensor } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { sparseDropout } from './sparse-dropout.js';

describe('sparseDropout', () => {
  it('keeps zeros, scales the survivors by 1/(1 − p) and drops about p of the non-zeros', () => {
    const values = new Float32Array(20000);
    for (let i = 0; i < values.length; i += 2) values[i] = 1 + (i % 7);
    const x = new Tensor(values, [200, 100], 'float32');
    const out = sparseDropout(x, 0.25, { generator: new Generator(5) });
    let kept = 0;
    for (let i = 0; i < values.length; i++) {
      const v = out.data[i]!;
      if (values[i] === 0) expect(v).toBe(0);
      else if (v !== 0) {
        expect(v).toBeCloseTo(values[i]! / 0.75, 5);
        kept++;
      }
    }
    expect(kept / 10000).toBeGreaterThan(0.73);
    expect(kept / 10000).toBeLessThan(0.77);
  });

  it('is the identity in evaluation or with p = 0, zeros with p = 1', () => {
    const x = tensor([
      [1, 0],
      [2, 3],
    ]);
    expect(sparseDropout(x, 0.5, { training: false })).toBe(x);
    expect(sparseDropout(x, 0)).toBe(x);
    expect(Array.from(sparseDropout(x, 1).data)).toEqual([0, 0, 0, 0]);
  });

  it('falls back to dense dropout for an input that needs a gradient', () => {
    const x = tensor([
      [1, 0],
      [2, 3],
    ]);
    x.requiresGrad = true;
    const out = sparseDropout(x, 0.5, { generator: new Generator(0) });
    sum(out).backward();
    expect(x.grad).not.toBeNull();
  });

  it('rejects a bad probability or an int32 input', () => {
    expect(() => sparseDropout(tensor([1]), -0.1)).toThrow(ValueError);
    expect(() => sparseDropout(tensor([1], { dtype: 'int32' }), 0.5)).toThrow(DTypeError);
  });
});

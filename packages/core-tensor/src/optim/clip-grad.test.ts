import { describe, expect, it } from 'vitest';
import { ValueError } from '../errors.js';
import { tensor, zeros } from '../ops/creation.js';
import type { Tensor } from '../tensor.js';
import { expectClose } from '../testing/expect-close.js';
import { clipGradNorm, clipGradValue } from './clip-grad.js';

function withGrad(grad: number[]): Tensor {
  const p = zeros([grad.length], { dtype: 'float64', requiresGrad: true });
  p.grad = tensor(grad, { dtype: 'float64' });
  return p;
}

describe('clipGradNorm', () => {
  it('returns the L2 norm over all gradients together and scales them to maxNorm', () => {
    const a = withGrad([3, 4]);
    const b = withGrad([12]);
    const total = clipGradNorm([a, b], 6.5);
    expect(total).toBeCloseTo(13, 14);
    const scale = 6.5 / (13 + 1e-6);
    expectClose(a.grad!, [3 * scale, 4 * scale], { rtol: 1e-14 });
    expectClose(b.grad!, [12 * scale], { rtol: 1e-14 });
  });

  it('leaves gradients alone when the norm is already below maxNorm', () => {
    const a = withGrad([3, 4]);
    expect(clipGradNorm([a], 10)).toBeCloseTo(5, 14);
    expect(Array.from(a.grad!.data)).toEqual([3, 4]);
  });

  it('uses the largest |g| for the inf norm, given as "inf" or Infinity', () => {
    const a = withGrad([1, -7]);
    const b = withGrad([2]);
    expect(clipGradNorm([a, b], 100, { normType: 'inf' })).toBe(7);
    expect(clipGradNorm([a, b], 3.5, { normType: Infinity })).toBe(7);
    const scale = 3.5 / (7 + 1e-6);
    expectClose(a.grad!, [scale, -7 * scale], { rtol: 1e-14 });
  });

  it('computes other p-norms over all gradients', () => {
    const a = withGrad([1, -2]);
    const b = withGrad([3]);
    expect(clipGradNorm([a, b], 100, { normType: 1 })).toBeCloseTo(6, 14);
    expect(clipGradNorm([a, b], 100, { normType: 3 })).toBeCloseTo(36 ** (1 / 3), 14);
  });

  it('ignores parameters without a gradient and returns 0 when there are none', () => {
    const none = zeros([2], { requiresGrad: true });
    expect(clipGradNorm([none], 1)).toBe(0);
    expect(clipGradNorm([none, withGrad([0, 2])], 1)).toBeCloseTo(2, 14);
    expect(none.grad).toBeNull();
  });

  it('takes a single tensor', () => {
    const a = withGrad([6, 8]);
    expect(clipGradNorm(a, 5)).toBeCloseTo(10, 14);
    expectClose(a.grad!, [3, 4], { rtol: 1e-6 });
  });

  it('throws ValueError on a non-finite norm when errorIfNonfinite is set', () => {
    expect(() => clipGradNorm([withGrad([1, NaN])], 1, { errorIfNonfinite: true })).toThrow(ValueError);
    expect(() => clipGradNorm([withGrad([Infinity])], 1, { errorIfNonfinite: true })).toThrow(ValueError);
  });

  it('propagates NaN into the gradients otherwise, as PyTorch', () => {
    const a = withGrad([1, NaN]);
    const b = withGrad([2]);
    expect(clipGradNorm([a, b], 1)).toBeNaN();
    expect(Array.from(b.grad!.data).every(Number.isNaN)).toBe(true);
  });

  it('rejects an unknown normType', () => {
    expect(() => clipGradNorm([withGrad([1])], 1, { normType: 'two' as never })).toThrow(ValueError);
  });
});

describe('clipGradValue', () => {
  it('clamps every gradient into [−clipValue, clipValue], keeping NaN', () => {
    const a = withGrad([-3, 0.5, 2, NaN]);
    const b = withGrad([1.5]);
    clipGradValue([a, b], 1);
    expect(Array.from(a.grad!.data)).toEqual([-1, 0.5, 1, NaN]);
    expect(Array.from(b.grad!.data)).toEqual([1]);
  });

  it('skips parameters without a gradient', () => {
    const none = zeros([2], { requiresGrad: true });
    clipGradValue([none], 1);
    expect(none.grad).toBeNull();
  });
});

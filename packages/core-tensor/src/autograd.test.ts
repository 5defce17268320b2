import { describe, expect, it } from 'vitest';
import { isGradEnabled, noGrad, recordMany } from './autograd.js';
import { AutogradError, ShapeError } from './errors.js';
import { add, mul } from './ops/arithmetic.js';
import { ones, tensor } from './ops/creation.js';
import { tanh } from './ops/activation.js';
import { sum } from './ops/reduce.js';

describe('autograd', () => {
  it('differentiates a composed expression', () => {
    const x = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    // y = Σ x² + 3x → dy/dx = 2x + 3
    const y = sum(add(mul(x, x), mul(x, 3)));
    y.backward();
    expect(x.grad!.toArray()).toEqual([5, 7, 9]);
  });

  it('accumulates gradients across backward calls until they are reset', () => {
    const x = tensor([2], { dtype: 'float64', requiresGrad: true });
    sum(mul(x, 5)).backward();
    sum(mul(x, 5)).backward();
    expect(x.grad!.toArray()).toEqual([10]);
    x.grad = null;
    sum(mul(x, 5)).backward();
    expect(x.grad!.toArray()).toEqual([5]);
  });

  it('takes an explicit gradient for a non-scalar output, and demands one otherwise', () => {
    const x = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const y = mul(x, 3);
    expect(() => y.backward()).toThrow(AutogradError);
    expect(() => y.backward(ones([3], { dtype: 'float64' }))).toThrow(ShapeError);
    y.backward(tensor([1, 10], { dtype: 'float64' }));
    expect(x.grad!.toArray()).toEqual([3, 30]);
  });

  it('frees the graph after backward unless retainGraph is set', () => {
    const x = tensor([1], { dtype: 'float64', requiresGrad: true });
    const y = sum(mul(mul(x, x), 2));
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expect(x.grad!.toArray()).toEqual([8]);
    expect(() => y.backward()).toThrow(AutogradError);
  });

  it('records nothing inside noGrad and restores the mode afterwards', () => {
    const x = tensor([1], { requiresGrad: true });
    const y = noGrad(() => mul(x, 2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(isGradEnabled()).toBe(true);
    expect(() =>
      noGrad(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
  });

  it('refuses backward on a tensor that needs no gradient', () => {
    expect(() => tensor([1]).backward()).toThrow(AutogradError);
  });

  it('prunes branches that need no gradient', () => {
    const x = tensor([1], { dtype: 'float64', requiresGrad: true });
    const c = tensor([4], { dtype: 'float64' });
    sum(mul(x, c)).backward();
    expect(c.grad).toBeNull();
    expect(x.grad!.toArray()).toEqual([4]);
  });

  it('keeps gradients of non-leaf tensors that asked with retainGrad', () => {
    const x = tensor([0.5], { dtype: 'float64', requiresGrad: true });
    const h = tanh(x).retainGrad();
    sum(mul(h, 3)).backward();
    expect(h.grad!.toArray()).toEqual([3]);
    expect(x.grad!.data[0]).toBeCloseTo(3 * (1 - Math.tanh(0.5) ** 2), 12);
  });

  it('walks a 20,000-step chain without overflowing the stack', () => {
    const x = tensor([1], { dtype: 'float64', requiresGrad: true });
    let h = x;
    for (let i = 0; i < 20_000; i++) h = mul(h, 1);
    sum(h).backward();
    expect(x.grad!.toArray()).toEqual([1]);
  });

  it('detach cuts the gradient', () => {
    const x = tensor([3], { dtype: 'float64', requiresGrad: true });
    sum(add(mul(x, x.detach()), x)).backward();
    expect(x.grad!.toArray()).toEqual([4]);
  });
});

describe('recordMany', () => {
  /** A two-output op: (u, v) = (2x, x²), its backward counted. */
  function twoOutputs(x: ReturnType<typeof tensor>) {
    const u = tensor(
      Array.from(x.data, (v) => 2 * v),
      { dtype: 'float64' },
    );
    const v = tensor(
      Array.from(x.data, (v) => v * v),
      { dtype: 'float64' },
    );
    const calls: (number[] | null)[][] = [];
    recordMany([u, v], 'twoOutputs', [x], ([du, dv]) => {
      calls.push([du ? [...du.data] : null, dv ? [...dv.data] : null]);
      const dx = Array.from(x.data, (value, i) => (du ? 2 * du.data[i]! : 0) + (dv ? 2 * value * dv.data[i]! : 0));
      return [tensor(dx, { dtype: 'float64' })];
    });
    return { u, v, calls };
  }

  it('runs the backward once with every output gradient, and null for an output no loss reached', () => {
    const x = tensor([1, 3], { dtype: 'float64', requiresGrad: true });
    const both = twoOutputs(x);
    add(sum(mul(both.u, 3)), sum(both.v)).backward();
    expect(both.calls).toEqual([
      [
        [3, 3],
        [1, 1],
      ],
    ]);
    expect([...x.grad!.data]).toEqual([3 * 2 + 2 * 1, 3 * 2 + 2 * 3]);

    const y = tensor([1, 3], { dtype: 'float64', requiresGrad: true });
    const one = twoOutputs(y);
    sum(one.v).backward();
    expect(one.calls).toEqual([[null, [1, 1]]]);
    expect([...y.grad!.data]).toEqual([2, 6]);
  });

  it('records nothing under noGrad or when no input requires a gradient', () => {
    const x = tensor([1], { dtype: 'float64', requiresGrad: true });
    const quiet = noGrad(() => twoOutputs(x));
    expect(quiet.u.requiresGrad).toBe(false);
    const constant = twoOutputs(tensor([1], { dtype: 'float64' }));
    expect([constant.u.gradFn, constant.v.gradFn]).toEqual([null, null]);
  });
});

import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../errors.js';
import { Generator } from '../random/generator.js';
import { gradcheck } from '../testing/gradcheck.js';
import type { Tensor } from '../tensor.js';
import { clamp, eq, ge, gt, isNaN, le, logicalAnd, logicalNot, logicalOr, lt, ne, where } from './compare.js';
import { onesLike, randn, tensor, zeros } from './creation.js';

const f64 = (data: Parameters<typeof tensor>[0], requiresGrad = false): Tensor => tensor(data, { dtype: 'float64', requiresGrad });
const i32 = (data: Parameters<typeof tensor>[0]): Tensor => tensor(data, { dtype: 'int32' });

describe('comparisons', () => {
  const a = f64([1, 2, 3]);
  const b = f64([3, 2, 1]);

  it('give int32 0/1 for each relation', () => {
    expect(eq(a, b).toArray()).toEqual([0, 1, 0]);
    expect(ne(a, b).toArray()).toEqual([1, 0, 1]);
    expect(lt(a, b).toArray()).toEqual([1, 0, 0]);
    expect(le(a, b).toArray()).toEqual([1, 1, 0]);
    expect(gt(a, b).toArray()).toEqual([0, 0, 1]);
    expect(ge(a, b).toArray()).toEqual([0, 1, 1]);
    for (const op of [eq, ne, lt, le, gt, ge]) expect(op(a, b).dtype, op.name).toBe('int32');
  });

  it('broadcast both ways, including rank-different shapes', () => {
    const col = f64([[1], [2]]);
    expect(lt(col, a).toArray()).toEqual([
      [0, 1, 1],
      [0, 0, 1],
    ]);
    expect(ge(a, col).toArray()).toEqual([
      [1, 1, 1],
      [0, 1, 1],
    ]);
    expect(eq(zeros([2, 1, 3]), zeros([4, 1])).shape).toEqual([2, 4, 3]);
  });

  it('take a number on either side', () => {
    expect(gt(a, 2).toArray()).toEqual([0, 0, 1]);
    expect(gt(2, a).toArray()).toEqual([1, 0, 0]);
    expect(eq(2, 2).item()).toBe(1);
  });

  it('compare in the promoted dtype: int32 against a fraction, float32 against a rounded number', () => {
    expect(lt(i32([0, 1]), 0.5).toArray()).toEqual([1, 0]);
    expect(eq(i32([2]), f64([2])).item()).toBe(1);
    // 0.1 becomes float32 next to a float32 tensor, as in PyTorch.
    expect(eq(tensor([0.1]), 0.1).item()).toBe(1);
    expect(eq(tensor([0.1]), f64([0.1])).item()).toBe(0);
  });

  it('treat NaN as unequal to everything, itself included', () => {
    const n = f64([NaN, NaN, 1]);
    const m = f64([NaN, 1, NaN]);
    expect(eq(n, m).toArray()).toEqual([0, 0, 0]);
    expect(ne(n, m).toArray()).toEqual([1, 1, 1]);
    for (const op of [lt, le, gt, ge]) expect(op(n, m).toArray(), op.name).toEqual([0, 0, 0]);
  });

  it('handle empty and 0-d tensors', () => {
    expect(lt(zeros([0, 2]), zeros([2])).shape).toEqual([0, 2]);
    expect(lt(f64(1), f64(2)).shape).toEqual([]);
  });

  it('throw ShapeError when shapes do not broadcast', () => {
    expect(() => eq(zeros([2]), zeros([3]))).toThrow(ShapeError);
    expect(() => lt(zeros([2, 3]), zeros([2]))).toThrow(ShapeError);
  });

  it('are not differentiable', () => {
    const x = f64([1, 2], true);
    expect(gt(x, 1).requiresGrad).toBe(false);
    expect(eq(x, x).requiresGrad).toBe(false);
  });
});

describe('isNaN', () => {
  it('marks NaN with 1 in an int32 tensor', () => {
    const out = isNaN(f64([NaN, 0, Infinity, -NaN]));
    expect(out.dtype).toBe('int32');
    expect(out.toArray()).toEqual([1, 0, 0, 1]);
    expect(isNaN(i32([1, 2])).toArray()).toEqual([0, 0]);
    expect(isNaN(zeros([0])).shape).toEqual([0]);
  });
});

describe('where', () => {
  it('selects a where cond is nonzero, else b, broadcasting all three', () => {
    const cond = i32([1, 0, 1]);
    const a = f64([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = f64([[-1], [-2]]);
    expect(where(cond, a, b).toArray()).toEqual([
      [1, -1, 3],
      [4, -2, 6],
    ]);
    expect(where(i32([[1], [0]]), f64([1, 2]), f64(9)).toArray()).toEqual([
      [1, 2],
      [9, 9],
    ]);
  });

  it('reads any nonzero value of any dtype as true, NaN included', () => {
    expect(where(f64([0.5, 0, NaN, -0]), 1, 0).toArray()).toEqual([1, 0, 1, 0]);
  });

  it('takes numbers for a and b and picks the result dtype as PyTorch', () => {
    const cond = i32([1, 0]);
    expect(where(cond, 1, 0).dtype).toBe('int32');
    expect(where(cond, 1.5, 0).dtype).toBe('float32');
    expect(where(cond, f64([7, 8]), 0).dtype).toBe('float64');
    expect(where(cond, 0.5, i32([7, 8])).dtype).toBe('float32');
    expect(where(cond, i32([1, 2]), tensor([3, 4])).dtype).toBe('float32');
    expect(where(cond, f64([7, 8]), 0).toArray()).toEqual([7, 0]);
  });

  it('handles empty and 0-d inputs', () => {
    expect(where(zeros([0, 2]), f64([1, 2]), 0).shape).toEqual([0, 2]);
    expect(where(i32(1), f64(2), f64(3)).item()).toBe(2);
  });

  it('throws ShapeError when the three shapes do not broadcast', () => {
    expect(() => where(zeros([3]), zeros([2]), 0)).toThrow(ShapeError);
  });

  it('passes gradcheck in a and b with broadcasting both ways', () => {
    const gen = new Generator(5);
    const cond = i32([
      [1, 0, 1],
      [0, 0, 1],
    ]);
    const a = randn([3], { dtype: 'float64', requiresGrad: true, generator: gen });
    const b = randn([2, 1], { dtype: 'float64', requiresGrad: true, generator: gen });
    expect(gradcheck((x, y) => where(cond, x, y), [a, b])).toBe(true);
    const big = randn([2, 2, 3], { dtype: 'float64', requiresGrad: true, generator: gen });
    expect(gradcheck((x) => where(i32([1, 0, 1]), x, 0), [big])).toBe(true);
  });

  it('sums each gradient back to its shape, zero where the other side was chosen', () => {
    const a = f64([10, 20, 30], true);
    const b = f64(0, true);
    const out = where(
      i32([
        [1, 0, 1],
        [1, 1, 0],
      ]),
      a,
      b,
    );
    out.backward(onesLike(out));
    expect(a.grad!.toArray()).toEqual([2, 1, 1]);
    expect(b.grad!.toArray()).toEqual(2);
  });

  it('casts the gradient back to the float32 input when mixed with float64', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const out = where(i32([1, 0]), a, f64([5, 6]));
    expect(out.dtype).toBe('float64');
    out.backward(onesLike(out));
    expect(a.grad!.dtype).toBe('float32');
    expect(a.grad!.toArray()).toEqual([1, 0]);
  });
});

describe('clamp', () => {
  it('clamps into [min, max] with either bound alone', () => {
    const x = f64([-2, 0.5, 3]);
    expect(clamp(x, 0, 1).toArray()).toEqual([0, 0.5, 1]);
    expect(clamp(x, 0).toArray()).toEqual([0, 0.5, 3]);
    expect(clamp(x, null, 1).toArray()).toEqual([-2, 0.5, 1]);
    expect(clamp(x, undefined, 0).toArray()).toEqual([-2, 0, 0]);
  });

  it('passes NaN through and sets everything to max when min > max, as PyTorch', () => {
    expect(clamp(f64([NaN, 5]), 0, 1).toArray()).toEqual([NaN, 1]);
    expect(clamp(f64([1, 5, 9]), 6, 2).toArray()).toEqual([2, 2, 2]);
  });

  it('keeps int32 for integer bounds and turns to float32 for fractional ones', () => {
    expect(clamp(i32([-3, 5]), 0, 2).dtype).toBe('int32');
    expect(clamp(i32([-3, 5]), 0, 2).toArray()).toEqual([0, 2]);
    const f = clamp(i32([-3, 5]), 0.5);
    expect(f.dtype).toBe('float32');
    expect(f.toArray()).toEqual([0.5, 5]);
  });

  it('keeps 0-d and empty shapes', () => {
    expect(clamp(f64(3), 0, 1).shape).toEqual([]);
    expect(clamp(zeros([0, 3]), 0, 1).shape).toEqual([0, 3]);
  });

  it('throws ValueError when neither bound is given', () => {
    expect(() => clamp(f64([1]))).toThrow(ValueError);
    expect(() => clamp(f64([1]), null, null)).toThrow(ValueError);
  });

  it('passes the gradient where min ≤ x ≤ max, bounds included, and not through NaN, as PyTorch', () => {
    const x = f64([-2, 0, 0.5, 1, 3, NaN], true);
    const out = clamp(x, 0, 1);
    out.backward(onesLike(out));
    expect(x.grad!.toArray()).toEqual([0, 1, 1, 1, 0, 0]);
    const y = f64([-1, 0, 2], true);
    clamp(y, 0).backward(f64([1, 1, 1]));
    expect(y.grad!.toArray()).toEqual([0, 1, 1]);
    const z = f64([-1, 0, 2], true);
    clamp(z, null, 0).backward(f64([1, 1, 1]));
    expect(z.grad!.toArray()).toEqual([1, 1, 0]);
  });

  it('passes gradcheck away from the bounds', () => {
    const x = f64(
      [
        [-1.5, -0.2, 0.3],
        [0.9, 1.7, 0.05],
      ],
      true,
    );
    expect(gradcheck((t) => clamp(t, -0.5, 1), [x])).toBe(true);
    expect(gradcheck((t) => clamp(t, 0), [x])).toBe(true);
    expect(gradcheck((t) => clamp(t, null, 0.5), [x])).toBe(true);
  });
});

describe('logical ops', () => {
  it('logicalNot gives 1 exactly at zero (NaN counts as true)', () => {
    const out = logicalNot(f64([0, 2, -0, NaN]));
    expect(out.dtype).toBe('int32');
    expect(out.toArray()).toEqual([1, 0, 1, 0]);
  });

  it('logicalAnd and logicalOr read nonzero as true and broadcast', () => {
    const a = f64([0, 1, 2, NaN]);
    const b = i32([1, 1, 0, 5]);
    expect(logicalAnd(a, b).toArray()).toEqual([0, 1, 0, 1]);
    expect(logicalOr(a, b).toArray()).toEqual([1, 1, 1, 1]);
    expect(logicalOr(i32([[0], [1]]), i32([0, 0])).toArray()).toEqual([
      [0, 0],
      [1, 1],
    ]);
    expect(logicalAnd(i32([[0], [1]]), 1).toArray()).toEqual([[0], [1]]);
    expect(logicalAnd(a, b).dtype).toBe('int32');
  });

  it('throw ShapeError when shapes do not broadcast', () => {
    expect(() => logicalAnd(zeros([2]), zeros([3]))).toThrow(ShapeError);
    expect(() => logicalOr(zeros([2]), zeros([3]))).toThrow(ShapeError);
  });
});

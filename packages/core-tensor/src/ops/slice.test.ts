import { describe, expect, it } from 'vitest';
import { withGradEnabled } from '../autograd.js';
import { IndexError, ValueError } from '../errors.js';
import { Generator } from '../random/generator.js';
import { gradcheck } from '../testing/gradcheck.js';
import type { Tensor } from '../tensor.js';
import { mul } from './arithmetic.js';
import { arange, randn, tensor, zeros } from './creation.js';
import { sum } from './reduce.js';
import { reshape } from './shape.js';
import { narrow, select, slice } from './slice.js';

const randn64 = (gen: Generator, shape: number[]): Tensor => randn(shape, { dtype: 'float64', requiresGrad: true, generator: gen });
const grid = (): Tensor => reshape(arange(12), [3, 4]);

describe('narrow', () => {
  it('takes length entries from start along an axis', () => {
    expect(narrow(arange(10), 0, 2, 3).toArray()).toEqual([2, 3, 4]);
    expect(narrow(grid(), 1, 1, 2).toArray()).toEqual([
      [1, 2],
      [5, 6],
      [9, 10],
    ]);
    expect(narrow(grid(), -2, 2, 1).toArray()).toEqual([[8, 9, 10, 11]]);
  });

  it('counts a negative start from the end and allows empty ranges', () => {
    expect(narrow(arange(5), 0, -2, 2).toArray()).toEqual([3, 4]);
    expect(narrow(arange(5), 0, 5, 0).shape).toEqual([0]);
    expect(narrow(zeros([2, 0]), 0, 1, 1).shape).toEqual([1, 0]);
    expect(narrow(arange(5), 0, 0, 5).toArray()).toEqual([0, 1, 2, 3, 4]);
  });

  it('throws IndexError for ranges past the axis, 0-d tensors and bad axes; ValueError for negative lengths', () => {
    expect(() => narrow(arange(5), 0, 3, 3)).toThrow(IndexError);
    expect(() => narrow(arange(5), 0, -6, 1)).toThrow(IndexError);
    expect(() => narrow(arange(5), 0, 6, 0)).toThrow(IndexError);
    expect(() => narrow(tensor(1), 0, 0, 1)).toThrow(IndexError);
    expect(() => narrow(arange(5), 1, 0, 1)).toThrow(IndexError);
    expect(() => narrow(arange(5), 0, 1, -1)).toThrow(ValueError);
  });

  it('is differentiable: zeros outside the range', () => {
    const gen = new Generator(20);
    expect(gradcheck((x) => narrow(x, 1, 1, 2), [randn64(gen, [2, 4])])).toBe(true);
    const x = tensor([1, 2, 3, 4], { dtype: 'float64', requiresGrad: true });
    sum(mul(narrow(x, 0, 1, 2), 3)).backward();
    expect(x.grad!.toArray()).toEqual([0, 3, 3, 0]);
  });
});

describe('slice', () => {
  it('slices as Python does, with steps', () => {
    const x = arange(10);
    expect(slice(x, 0, 1, -1, 3).toArray()).toEqual([1, 4, 7]);
    expect(slice(x, 0, 2).toArray()).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(slice(x, 0, undefined, undefined, 4).toArray()).toEqual([0, 4, 8]);
    expect(slice(x, 0, -3).toArray()).toEqual([7, 8, 9]);
    expect(slice(grid(), 1, 0, 4, 2).toArray()).toEqual([
      [0, 2],
      [4, 6],
      [8, 10],
    ]);
  });

  it('clamps out-of-range bounds and gives empty results for empty ranges', () => {
    const x = arange(5);
    expect(slice(x, 0, -100, 100).toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(slice(x, 0, 4, 2).shape).toEqual([0]);
    expect(slice(x, 0, 10).shape).toEqual([0]);
    expect(slice(x, 0, 0, Infinity, 2).toArray()).toEqual([0, 2, 4]);
    expect(slice(zeros([0, 3]), 1, 1).shape).toEqual([0, 2]);
  });

  it('keeps NaN and the dtype', () => {
    const out = slice(tensor([1, NaN, 3], { dtype: 'float64' }), 0, 1, 2);
    expect(out.dtype).toBe('float64');
    expect(Number.isNaN(out.data[0])).toBe(true);
  });

  it('throws ValueError for a step below 1 or non-integer bounds, IndexError for 0-d tensors', () => {
    expect(() => slice(arange(5), 0, 0, 5, 0)).toThrow(ValueError);
    expect(() => slice(arange(5), 0, 0, 5, -1)).toThrow(ValueError);
    expect(() => slice(arange(5), 0, 0.5)).toThrow(ValueError);
    expect(() => slice(tensor(3), 0)).toThrow(IndexError);
  });

  it('is differentiable with steps, and twice differentiable through its backward', () => {
    const gen = new Generator(21);
    expect(gradcheck((x) => slice(x, -1, 1, undefined, 2), [randn64(gen, [2, 5])])).toBe(true);
    expect(gradcheck((x) => slice(x, 0, -2), [randn64(gen, [4, 2])])).toBe(true);
    // The backward (embedding g into zeros) is itself recorded, with the slice as its gradient.
    const x = randn64(gen, [2, 5]);
    const node = withGradEnabled(true, () => slice(x, 1, 1, 5, 2).gradFn!);
    const backwardOf = (g: Tensor): Tensor => node.backward(g)[0]!;
    expect(backwardOf(randn([2, 2], { dtype: 'float64', generator: gen })).shape).toEqual([2, 5]);
    expect(gradcheck(backwardOf, [randn64(gen, [2, 2])])).toBe(true);
  });
});

describe('select', () => {
  it('takes one entry along an axis and drops the axis', () => {
    expect(select(grid(), 0, 1).toArray()).toEqual([4, 5, 6, 7]);
    expect(select(grid(), 1, -1).toArray()).toEqual([3, 7, 11]);
    expect(select(arange(3), 0, 2).shape).toEqual([]);
    expect(select(zeros([2, 0]), 0, 1).shape).toEqual([0]);
  });

  it('throws IndexError out of range and for 0-d tensors', () => {
    expect(() => select(arange(3), 0, 3)).toThrow(IndexError);
    expect(() => select(arange(3), 0, -4)).toThrow(IndexError);
    expect(() => select(tensor(1), 0, 0)).toThrow(IndexError);
  });

  it('is differentiable', () => {
    const gen = new Generator(22);
    expect(gradcheck((x) => select(x, 1, -2), [randn64(gen, [2, 3, 2])])).toBe(true);
    expect(gradcheck((x) => select(x, 0, 0), [randn64(gen, [1])])).toBe(true);
  });
});

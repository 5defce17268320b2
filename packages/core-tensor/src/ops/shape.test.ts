import { describe, expect, it } from 'vitest';
import { IndexError, ShapeError, ValueError } from '../errors.js';
import { Generator } from '../random/generator.js';
import { gradcheck } from '../testing/gradcheck.js';
import type { Tensor } from '../tensor.js';
import { mul } from './arithmetic.js';
import { arange, randn, tensor, zeros } from './creation.js';
import { broadcastTo, expand, flatten, reshape, squeeze, unsqueeze, view } from './shape.js';

const f64 = (data: Parameters<typeof tensor>[0], requiresGrad = false): Tensor => tensor(data, { dtype: 'float64', requiresGrad });
const randn64 = (gen: Generator, shape: number[]): Tensor => randn(shape, { dtype: 'float64', requiresGrad: true, generator: gen });

describe('reshape and view', () => {
  it('reinterprets the elements in row-major order and shares storage', () => {
    const x = arange(6);
    const y = reshape(x, [2, 3]);
    expect(y.toArray()).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(y.data).toBe(x.data);
    expect(y.dtype).toBe('int32');
  });

  it('infers one -1 size', () => {
    expect(reshape(arange(12), [3, -1, 2]).shape).toEqual([3, 2, 2]);
    expect(reshape(arange(12), [-1]).shape).toEqual([12]);
    expect(view(arange(12), [-1, 6]).shape).toEqual([2, 6]);
  });

  it('goes to and from 0-d and empty shapes', () => {
    const s = reshape(tensor([7]), []);
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(7);
    expect(reshape(s, [1, 1]).shape).toEqual([1, 1]);
    expect(reshape(zeros([0, 3]), [3, 0, 5]).shape).toEqual([3, 0, 5]);
    expect(reshape(zeros([2, 0]), [-1]).shape).toEqual([0]);
  });

  it('throws ShapeError when sizes differ, for two -1s, and for an ambiguous -1', () => {
    expect(() => reshape(arange(6), [4])).toThrow(ShapeError);
    expect(() => reshape(arange(6), [4, -1])).toThrow(ShapeError);
    expect(() => reshape(arange(6), [-1, -1])).toThrow(ShapeError);
    expect(() => reshape(zeros([0]), [0, -1])).toThrow(ShapeError);
    expect(() => reshape(arange(6), [2, -3])).toThrow(ShapeError);
    expect(() => view(arange(6), [5])).toThrow(ShapeError);
  });

  it('passes gradients back in the input shape', () => {
    const gen = new Generator(1);
    expect(
      gradcheck(
        (x) =>
          mul(
            reshape(x, [3, 2]),
            f64([
              [1, 2],
              [3, 4],
              [5, 6],
            ]),
          ),
        [randn64(gen, [2, 3])],
      ),
    ).toBe(true);
    expect(gradcheck((x) => view(x, [-1]), [randn64(gen, [2, 1, 2])])).toBe(true);
  });
});

describe('flatten', () => {
  it('merges a range of axes, all by default', () => {
    const x = zeros([2, 3, 4, 5]);
    expect(flatten(x).shape).toEqual([120]);
    expect(flatten(x, 1).shape).toEqual([2, 60]);
    expect(flatten(x, 1, 2).shape).toEqual([2, 12, 5]);
    expect(flatten(x, -3, -2).shape).toEqual([2, 12, 5]);
    expect(flatten(x, 2, 2).shape).toEqual([2, 3, 4, 5]);
  });

  it('turns a 0-d tensor into [1] and keeps empty axes', () => {
    expect(flatten(tensor(3)).shape).toEqual([1]);
    expect(flatten(zeros([2, 0, 3]), 1).shape).toEqual([2, 0]);
  });

  it('rejects a start after the end and axes out of range', () => {
    expect(() => flatten(zeros([2, 3]), 1, 0)).toThrow(ValueError);
    expect(() => flatten(zeros([2, 3]), 2)).toThrow(IndexError);
    expect(() => flatten(tensor(1), 1)).toThrow(IndexError);
  });

  it('is differentiable', () => {
    expect(gradcheck((x) => flatten(x, 0, 1), [randn64(new Generator(2), [2, 2, 2])])).toBe(true);
  });
});

describe('squeeze and unsqueeze', () => {
  it('squeeze drops all size-1 axes, or only the listed ones that have size 1', () => {
    const x = zeros([1, 2, 1, 3, 1]);
    expect(squeeze(x).shape).toEqual([2, 3]);
    expect(squeeze(x, 0).shape).toEqual([2, 1, 3, 1]);
    expect(squeeze(x, -1).shape).toEqual([1, 2, 1, 3]);
    expect(squeeze(x, [0, 2]).shape).toEqual([2, 3, 1]);
    expect(squeeze(x, 1).shape).toEqual([1, 2, 1, 3, 1]);
    expect(squeeze(zeros([1, 1])).shape).toEqual([]);
    expect(squeeze(tensor(2), 0).shape).toEqual([]);
    expect(squeeze(zeros([0, 1])).shape).toEqual([0]);
  });

  it('unsqueeze inserts an axis, negative axes counting from the end of the result', () => {
    const x = zeros([2, 3]);
    expect(unsqueeze(x, 0).shape).toEqual([1, 2, 3]);
    expect(unsqueeze(x, 2).shape).toEqual([2, 3, 1]);
    expect(unsqueeze(x, -1).shape).toEqual([2, 3, 1]);
    expect(unsqueeze(x, -3).shape).toEqual([1, 2, 3]);
    expect(unsqueeze(tensor(5), 0).toArray()).toEqual([5]);
  });

  it('reject axes out of range', () => {
    expect(() => unsqueeze(zeros([2, 3]), 3)).toThrow(IndexError);
    expect(() => unsqueeze(zeros([2, 3]), -4)).toThrow(IndexError);
    expect(() => squeeze(zeros([2, 3]), 2)).toThrow(IndexError);
  });

  it('are differentiable', () => {
    const gen = new Generator(3);
    expect(gradcheck((x) => squeeze(x, 1), [randn64(gen, [3, 1, 2])])).toBe(true);
    expect(gradcheck((x) => unsqueeze(x, -2), [randn64(gen, [3, 2])])).toBe(true);
  });
});

describe('expand and broadcastTo', () => {
  it('stretches size-1 axes and adds leading ones', () => {
    const col = tensor([[1], [2]]);
    expect(expand(col, [2, 3]).toArray()).toEqual([
      [1, 1, 1],
      [2, 2, 2],
    ]);
    expect(expand(col, [2, 2, -1]).toArray()).toEqual([
      [[1], [2]],
      [[1], [2]],
    ]);
    expect(broadcastTo(tensor([1, 2, 3]), [2, 3]).toArray()).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(expand(tensor(4), [3]).toArray()).toEqual([4, 4, 4]);
  });

  it('keeps NaN, the dtype, and handles empty targets', () => {
    const out = expand(tensor([NaN], { dtype: 'float64' }), [2]);
    expect(out.dtype).toBe('float64');
    expect(Number.isNaN(out.data[1])).toBe(true);
    expect(expand(zeros([1, 3]), [0, 3]).shape).toEqual([0, 3]);
    expect(expand(zeros([2, 1]), [2, 0]).shape).toEqual([2, 0]);
  });

  it('returns a view when the shape is unchanged', () => {
    const x = zeros([2, 3]);
    expect(expand(x, [-1, 3]).data).toBe(x.data);
  });

  it('throws ShapeError for non-1 axes, fewer dims and -1 in a new leading axis', () => {
    expect(() => expand(zeros([2, 3]), [2, 4])).toThrow(ShapeError);
    expect(() => expand(zeros([2, 3]), [3])).toThrow(ShapeError);
    expect(() => expand(zeros([3]), [-1, 3])).toThrow(ShapeError);
    expect(() => broadcastTo(zeros([2]), [4])).toThrow(ShapeError);
  });

  it('sums the gradient back to the input shape', () => {
    const gen = new Generator(4);
    const weights = randn([2, 3, 4], { dtype: 'float64', generator: gen });
    expect(gradcheck((x) => mul(expand(x, [2, 3, 4]), weights), [randn64(gen, [3, 1])])).toBe(true);
    expect(gradcheck((x) => mul(broadcastTo(x, [2, 3, 4]), weights), [randn64(gen, [1, 3, 4])])).toBe(true);
    expect(gradcheck((x) => expand(x, [2, 2]), [randn64(gen, [])])).toBe(true);
  });
});

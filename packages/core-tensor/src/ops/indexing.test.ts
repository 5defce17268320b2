import { describe, expect, it } from 'vitest';
import { DTypeError, IndexError, ShapeError, ValueError } from '../errors.js';
import { Generator } from '../random/generator.js';
import { gradcheck } from '../testing/gradcheck.js';
import type { Tensor } from '../tensor.js';
import { mul } from './arithmetic.js';
import { arange, ones, randn, tensor, zeros } from './creation.js';
import { embedding, gather, indexAdd, indexSelect, oneHot, scatterAdd } from './indexing.js';
import { sum } from './reduce.js';
import { reshape } from './shape.js';

const f64 = (data: Parameters<typeof tensor>[0], requiresGrad = false): Tensor => tensor(data, { dtype: 'float64', requiresGrad });
const i32 = (data: Parameters<typeof tensor>[0]): Tensor => tensor(data, { dtype: 'int32' });
const randn64 = (gen: Generator, shape: number[]): Tensor => randn(shape, { dtype: 'float64', requiresGrad: true, generator: gen });

describe('gather', () => {
  const x = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);

  it('picks along an axis with an index of the same rank', () => {
    expect(
      gather(
        x,
        1,
        i32([
          [0, 0],
          [2, 1],
        ]),
      ).toArray(),
    ).toEqual([
      [1, 1],
      [6, 5],
    ]);
    expect(gather(x, 0, i32([[1, 0, 1]])).toArray()).toEqual([[4, 2, 6]]);
    expect(gather(x, -1, i32([[2], [0]])).toArray()).toEqual([[3], [4]]);
  });

  it('allows an index smaller than the input off the axis', () => {
    const big = reshape(arange(24), [2, 3, 4]);
    const out = gather(big, 1, i32([[[2, 0]]])); // [1, 1, 2]
    expect(out.toArray()).toEqual([[[8, 1]]]);
  });

  it('handles empty indices, 0-d tensors and keeps NaN', () => {
    expect(gather(x, 1, tensor([[], []], { dtype: 'int32' })).shape).toEqual([2, 0]);
    expect(gather(tensor(5), 0, tensor(0, { dtype: 'int32' })).item()).toBe(5);
    expect(Number.isNaN(gather(f64([NaN, 1]), 0, i32([0])).data[0])).toBe(true);
  });

  it('rejects float indices, out-of-range and negative indices, and bad shapes', () => {
    expect(() => gather(x, 1, tensor([[0]]))).toThrow(DTypeError);
    expect(() => gather(x, 1, i32([[3]]))).toThrow(IndexError);
    expect(() => gather(x, 1, i32([[-1]]))).toThrow(IndexError);
    expect(() => gather(x, 1, i32([0]))).toThrow(ShapeError);
    expect(() => gather(x, 1, i32([[0], [0], [0]]))).toThrow(ShapeError);
    expect(() => gather(x, 2, i32([[0]]))).toThrow(IndexError);
  });

  it('is differentiable, with repeated indices and an index smaller than the input', () => {
    const gen = new Generator(30);
    const index = i32([
      [0, 0, 2],
      [1, 1, 1],
    ]);
    expect(gradcheck((t) => gather(t, 1, index), [randn64(gen, [2, 4])])).toBe(true);
    expect(gradcheck((t) => gather(t, 0, i32([[2, 0]])), [randn64(gen, [3, 3])])).toBe(true);
  });
});

describe('scatterAdd', () => {
  it('adds src at the indexed positions, out of place, accumulating repeats', () => {
    const x = zeros([3]);
    const out = scatterAdd(x, 0, i32([0, 2, 0]), tensor([1, 2, 3]));
    expect(out.toArray()).toEqual([4, 0, 2]);
    expect(x.toArray()).toEqual([0, 0, 0]);
    const m = scatterAdd(
      ones([2, 3]),
      1,
      i32([
        [2, 2],
        [0, 1],
      ]),
      tensor([
        [1, 2],
        [3, 4],
      ]),
    );
    expect(m.toArray()).toEqual([
      [1, 1, 4],
      [4, 5, 1],
    ]);
  });

  it('uses only the index-shaped corner of src and allows an index smaller than x', () => {
    const out = scatterAdd(
      zeros([2, 3]),
      0,
      i32([[1]]),
      tensor([
        [5, 6],
        [7, 8],
      ]),
    );
    expect(out.toArray()).toEqual([
      [0, 0, 0],
      [5, 0, 0],
    ]);
  });

  it('returns a copy for an empty index and works on 0-d tensors', () => {
    const x = tensor([1, 2]);
    const out = scatterAdd(x, 0, tensor([], { dtype: 'int32' }), tensor([]));
    expect(out.toArray()).toEqual([1, 2]);
    expect(out.data).not.toBe(x.data);
    expect(scatterAdd(tensor(1), 0, tensor(0, { dtype: 'int32' }), tensor(2)).item()).toBe(3);
  });

  it('throws for float indices, bounds, dtype mismatches and shapes', () => {
    expect(() => scatterAdd(zeros([3]), 0, tensor([0]), tensor([1]))).toThrow(DTypeError);
    expect(() => scatterAdd(zeros([3]), 0, i32([3]), tensor([1]))).toThrow(IndexError);
    expect(() => scatterAdd(zeros([3]), 0, i32([-1]), tensor([1]))).toThrow(IndexError);
    expect(() => scatterAdd(zeros([3]), 0, i32([0]), tensor([1], { dtype: 'float64' }))).toThrow(DTypeError);
    expect(() => scatterAdd(zeros([3]), 0, i32([0, 1]), tensor([1]))).toThrow(ShapeError);
    expect(() => scatterAdd(zeros([2, 2]), 1, i32([[0], [0], [0]]), zeros([3, 1]))).toThrow(ShapeError);
  });

  it('is differentiable in x and in src, also with a larger src', () => {
    const gen = new Generator(31);
    const index = i32([
      [0, 2],
      [0, 0],
    ]);
    expect(gradcheck((x, src) => scatterAdd(x, 1, index, src), [randn64(gen, [2, 3]), randn64(gen, [2, 2])])).toBe(true);
    expect(gradcheck((x, src) => scatterAdd(x, 0, i32([[1, 0]]), src), [randn64(gen, [2, 3]), randn64(gen, [2, 3])])).toBe(true);
  });
});

describe('indexSelect', () => {
  const x = tensor([
    [1, 2],
    [3, 4],
    [5, 6],
  ]);

  it('picks whole slices along an axis, repeats allowed', () => {
    expect(indexSelect(x, 0, i32([2, 0, 2])).toArray()).toEqual([
      [5, 6],
      [1, 2],
      [5, 6],
    ]);
    expect(indexSelect(x, -1, i32([1])).toArray()).toEqual([[2], [4], [6]]);
  });

  it('takes a 0-d index as one element, an empty index, and 0-d inputs', () => {
    expect(indexSelect(x, 0, tensor(1, { dtype: 'int32' })).toArray()).toEqual([[3, 4]]);
    expect(indexSelect(x, 0, tensor([], { dtype: 'int32' })).shape).toEqual([0, 2]);
    expect(indexSelect(tensor(7), 0, i32([0])).shape).toEqual([]);
  });

  it('throws for float or 2-D indices and indices out of range', () => {
    expect(() => indexSelect(x, 0, tensor([0]))).toThrow(DTypeError);
    expect(() => indexSelect(x, 0, i32([[0]]))).toThrow(ShapeError);
    expect(() => indexSelect(x, 0, i32([3]))).toThrow(IndexError);
    expect(() => indexSelect(x, 0, i32([-1]))).toThrow(IndexError);
    expect(() => indexSelect(x, 2, i32([0]))).toThrow(IndexError);
  });

  it('is differentiable: repeated rows accumulate their gradients', () => {
    const gen = new Generator(32);
    expect(gradcheck((t) => indexSelect(t, 1, i32([2, 0, 2])), [randn64(gen, [2, 3, 2])])).toBe(true);
    const w = f64([1, 2, 3], true);
    sum(indexSelect(w, 0, i32([2, 2, 0]))).backward();
    expect(w.grad!.toArray()).toEqual([1, 0, 2]);
  });
});

describe('indexAdd', () => {
  it('adds slices of source at the indexed positions, out of place', () => {
    const x = zeros([3, 2]);
    const out = indexAdd(
      x,
      0,
      i32([0, 2, 0]),
      tensor([
        [1, 1],
        [2, 2],
        [3, 3],
      ]),
    );
    expect(out.toArray()).toEqual([
      [4, 4],
      [0, 0],
      [2, 2],
    ]);
    expect(x.toArray()).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    expect(indexAdd(ones([2, 3]), 1, i32([2]), tensor([[5], [6]])).toArray()).toEqual([
      [1, 1, 6],
      [1, 1, 7],
    ]);
  });

  it('handles empty indices', () => {
    expect(indexAdd(ones([2]), 0, tensor([], { dtype: 'int32' }), tensor([])).toArray()).toEqual([1, 1]);
  });

  it('throws for bad shapes, dtypes and indices', () => {
    expect(() => indexAdd(zeros([3, 2]), 0, i32([0]), zeros([2, 2]))).toThrow(ShapeError);
    expect(() => indexAdd(zeros([3, 2]), 0, i32([0]), zeros([1, 2], { dtype: 'float64' }))).toThrow(DTypeError);
    expect(() => indexAdd(zeros([3, 2]), 0, tensor([0]), zeros([1, 2]))).toThrow(DTypeError);
    expect(() => indexAdd(zeros([3, 2]), 0, i32([3]), zeros([1, 2]))).toThrow(IndexError);
  });

  it('is differentiable in x and in source', () => {
    const gen = new Generator(33);
    const index = i32([1, 1, 0]);
    expect(gradcheck((x, source) => indexAdd(x, -1, index, source), [randn64(gen, [2, 2]), randn64(gen, [2, 3])])).toBe(true);
  });
});

describe('oneHot', () => {
  it('encodes class indices along a new trailing axis', () => {
    const out = oneHot(i32([0, 2, 1]), 4);
    expect(out.dtype).toBe('int32');
    expect(out.toArray()).toEqual([
      [1, 0, 0, 0],
      [0, 0, 1, 0],
      [0, 1, 0, 0],
    ]);
    expect(oneHot(i32([[1], [0]])).shape).toEqual([2, 1, 2]);
    expect(oneHot(tensor(1, { dtype: 'int32' }), 3).toArray()).toEqual([0, 1, 0]);
    expect(oneHot(tensor([], { dtype: 'int32' }), 3).shape).toEqual([0, 3]);
  });

  it('throws for out-of-range or negative classes, float input, and an empty input without numClasses', () => {
    expect(() => oneHot(i32([3]), 3)).toThrow(IndexError);
    expect(() => oneHot(i32([-1]))).toThrow(IndexError);
    expect(() => oneHot(tensor([1]), 2)).toThrow(DTypeError);
    expect(() => oneHot(tensor([], { dtype: 'int32' }))).toThrow(ValueError);
    expect(() => oneHot(i32([0]), -2)).toThrow(ValueError);
  });
});

describe('embedding', () => {
  const weight = tensor([
    [0, 1],
    [2, 3],
    [4, 5],
  ]);

  it('looks rows up for indices of any shape', () => {
    expect(embedding(weight, i32([2, 0])).toArray()).toEqual([
      [4, 5],
      [0, 1],
    ]);
    expect(embedding(weight, i32([[1], [2]])).shape).toEqual([2, 1, 2]);
    expect(embedding(weight, tensor(1, { dtype: 'int32' })).toArray()).toEqual([2, 3]);
    expect(embedding(weight, tensor([], { dtype: 'int32' })).shape).toEqual([0, 2]);
  });

  it('throws for float indices, indices out of range, a non-matrix weight and a bad paddingIdx', () => {
    expect(() => embedding(weight, tensor([0]))).toThrow(DTypeError);
    expect(() => embedding(weight, i32([3]))).toThrow(IndexError);
    expect(() => embedding(weight, i32([-1]))).toThrow(IndexError);
    expect(() => embedding(zeros([3]), i32([0]))).toThrow(ShapeError);
    expect(() => embedding(weight, i32([0]), { paddingIdx: 3 })).toThrow(IndexError);
  });

  it('accumulates gradients into the looked-up rows', () => {
    const gen = new Generator(34);
    const indices = i32([
      [0, 2],
      [2, 2],
    ]);
    expect(gradcheck((w) => embedding(w, indices), [randn64(gen, [3, 2])])).toBe(true);
    const w = randn64(gen, [3, 2]);
    sum(embedding(w, indices)).backward();
    expect(w.grad!.toArray()).toEqual([
      [1, 1],
      [0, 0],
      [3, 3],
    ]);
  });

  it('gives no gradient to the padding row, negative paddingIdx counting from the end', () => {
    const gen = new Generator(35);
    for (const paddingIdx of [2, -1]) {
      const w = randn64(gen, [3, 2]);
      const out = embedding(w, i32([0, 2, 1, 2]), { paddingIdx });
      expect(out.toArray()).toEqual(embedding(w.detach(), i32([0, 2, 1, 2])).toArray());
      sum(mul(out, 2)).backward();
      expect(w.grad!.toArray()).toEqual([
        [2, 2],
        [2, 2],
        [0, 0],
      ]);
    }
    // With the padding lookups masked out of the output, the numerical Jacobian agrees too.
    const mask = f64([[1], [0], [1]]);
    expect(gradcheck((w) => mul(embedding(w, i32([1, 0, 1]), { paddingIdx: 0 }), mask), [randn64(gen, [2, 3])])).toBe(true);
  });
});

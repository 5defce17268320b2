import { describe, expect, it } from 'vitest';
import { IndexError, ShapeError } from '../errors.js';
import { Generator } from '../random/generator.js';
import { gradcheck } from '../testing/gradcheck.js';
import type { Tensor } from '../tensor.js';
import { mul } from './arithmetic.js';
import { arange, randn, tensor, zeros } from './creation.js';
import { reshape } from './shape.js';
import { permute, transpose } from './transpose.js';

const randn64 = (gen: Generator, shape: number[]): Tensor => randn(shape, { dtype: 'float64', requiresGrad: true, generator: gen });

/** Reads element `idx` of a contiguous tensor. */
function at(x: Tensor, idx: number[]): number {
  let flat = 0;
  idx.forEach((i, d) => (flat = flat * x.shape[d]! + i));
  return x.data[flat]!;
}

describe('transpose', () => {
  it('swaps the last two axes by default', () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(transpose(x).toArray()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(x.T.shape).toEqual([3, 2]);
  });

  it('swaps any two axes of a batch, negative axes counting from the end', () => {
    const x = reshape(arange(24), [2, 3, 4]);
    const y = transpose(x, 0, -1);
    expect(y.shape).toEqual([4, 3, 2]);
    for (const [i, j, k] of [
      [0, 0, 0],
      [1, 2, 3],
      [0, 1, 2],
    ] as const) {
      expect(at(y, [k, j, i])).toBe(at(x, [i, j, k]));
    }
    expect(transpose(x, 1, 1).toArray()).toEqual(x.toArray());
  });

  it('handles empty tensors, size-1 axes and keeps the dtype', () => {
    expect(transpose(zeros([0, 3])).shape).toEqual([3, 0]);
    expect(transpose(tensor([[1, 2, 3]], { dtype: 'float64' })).toArray()).toEqual([[1], [2], [3]]);
    expect(transpose(arange(6).reshape(2, 3)).dtype).toBe('int32');
  });

  it('throws IndexError for axes out of range, including the default on a vector', () => {
    expect(() => transpose(zeros([2, 3]), 0, 2)).toThrow(IndexError);
    expect(() => transpose(zeros([3]))).toThrow(IndexError);
  });

  it('is differentiable', () => {
    const gen = new Generator(5);
    const weights = randn([4, 3, 2], { dtype: 'float64', generator: gen });
    expect(gradcheck((x) => mul(transpose(x, 0, 2), weights), [randn64(gen, [2, 3, 4])])).toBe(true);
    expect(gradcheck((x) => transpose(x), [randn64(gen, [3, 2])])).toBe(true);
  });
});

describe('permute', () => {
  it('reorders axes so that axis i of the result is axis dims[i]', () => {
    const x = reshape(arange(24), [2, 3, 4]);
    const y = permute(x, [2, 0, 1]);
    expect(y.shape).toEqual([4, 2, 3]);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) expect(at(y, [k, i, j])).toBe(at(x, [i, j, k]));
    expect(permute(x, [-1, -3, -2]).toArray()).toEqual(y.toArray());
  });

  it('keeps the values for the identity and 0-d tensors, and works on empty ones', () => {
    const x = reshape(arange(6), [2, 3]);
    expect(permute(x, [0, 1]).toArray()).toEqual(x.toArray());
    expect(permute(tensor(3), []).item()).toBe(3);
    expect(permute(zeros([2, 0, 1]), [1, 2, 0]).shape).toEqual([0, 1, 2]);
  });

  it('matches the Tensor method, which takes dims as arguments or one array', () => {
    const x = reshape(arange(6), [1, 2, 3]);
    expect(x.permute(2, 1, 0).toArray()).toEqual(permute(x, [2, 1, 0]).toArray());
    expect(x.permute([1, 0, 2]).shape).toEqual([2, 1, 3]);
  });

  it('throws ShapeError for a wrong length or a repeated axis, IndexError out of range', () => {
    const x = zeros([2, 3, 4]);
    expect(() => permute(x, [0, 1])).toThrow(ShapeError);
    expect(() => permute(x, [0, 1, 1])).toThrow(ShapeError);
    expect(() => permute(x, [0, -3, 2])).toThrow(ShapeError);
    expect(() => permute(x, [0, 1, 3])).toThrow(IndexError);
  });

  it('is differentiable through the inverse permutation', () => {
    const gen = new Generator(6);
    const weights = randn([3, 4, 2], { dtype: 'float64', generator: gen });
    expect(gradcheck((x) => mul(permute(x, [1, 2, 0]), weights), [randn64(gen, [2, 3, 4])])).toBe(true);
    expect(gradcheck((x) => permute(x, [2, 0, 1]), [randn64(gen, [2, 1, 3])])).toBe(true);
  });
});

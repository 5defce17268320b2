import { describe, expect, it } from 'vitest';
import { IndexError, ShapeError, ValueError } from '../errors.js';
import { Generator } from '../random/generator.js';
import { gradcheck } from '../testing/gradcheck.js';
import type { Tensor } from '../tensor.js';
import { add, mul } from './arithmetic.js';
import { arange, ones, randn, tensor, zeros } from './creation.js';
import { cat, chunk, concat, split, stack, unbind } from './join.js';
import { sum } from './reduce.js';
import { reshape } from './shape.js';

const f64 = (data: Parameters<typeof tensor>[0], requiresGrad = false): Tensor => tensor(data, { dtype: 'float64', requiresGrad });
const randn64 = (gen: Generator, shape: number[]): Tensor => randn(shape, { dtype: 'float64', requiresGrad: true, generator: gen });

/** A scalar that weighs every element differently (the same weights on every call), so that gradcheck sees each position. */
function weighted(seed: number, pieces: readonly Tensor[]): Tensor {
  const gen = new Generator(seed);
  let total = zeros([], { dtype: 'float64' });
  for (const p of pieces) total = add(total, sum(mul(p, randn(p.shape, { dtype: 'float64', generator: gen }))));
  return total;
}

describe('concat / cat', () => {
  it('joins along axis 0 by default and along any axis', () => {
    const a = tensor([
      [1, 2],
      [3, 4],
    ]);
    const b = tensor([[5, 6]]);
    expect(concat([a, b]).toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(cat([a, tensor([[7], [8]])], 1).toArray()).toEqual([
      [1, 2, 7],
      [3, 4, 8],
    ]);
    expect(concat([a, a], -1).shape).toEqual([2, 4]);
  });

  it('promotes mixed dtypes', () => {
    const out = concat([tensor([1, 2], { dtype: 'int32' }), tensor([0.5], { dtype: 'float64' })]);
    expect(out.dtype).toBe('float64');
    expect(out.toArray()).toEqual([1, 2, 0.5]);
    expect(concat([tensor([1], { dtype: 'int32' }), tensor([2], { dtype: 'float32' })]).dtype).toBe('float32');
  });

  it('joins empty tensors and skips the legacy 1-D empty tensor', () => {
    expect(concat([zeros([0, 3]), ones([2, 3])]).shape).toEqual([2, 3]);
    expect(concat([zeros([2, 0]), zeros([2, 0])], 1).shape).toEqual([2, 0]);
    expect(concat([zeros([0]), ones([2, 3])]).toArray()).toEqual([
      [1, 1, 1],
      [1, 1, 1],
    ]);
    expect(concat([zeros([0]), zeros([0])]).shape).toEqual([0]);
  });

  it('keeps NaN and one-tensor lists', () => {
    const out = concat([tensor([NaN])]);
    expect(Number.isNaN(out.data[0])).toBe(true);
  });

  it('throws for mismatched shapes, 0-d tensors, bad axes and empty lists', () => {
    expect(() => concat([zeros([2, 3]), zeros([2, 4])])).toThrow(ShapeError);
    expect(() => concat([zeros([2, 3]), zeros([3])])).toThrow(ShapeError);
    expect(() => concat([tensor(1), tensor(2)])).toThrow(ShapeError);
    expect(() => concat([zeros([2]), zeros([2])], 1)).toThrow(IndexError);
    expect(() => concat([])).toThrow(ValueError);
  });

  it('gives each input its range of the gradient, including a repeated input and mixed dtypes', () => {
    const gen = new Generator(10);
    const w = randn([5, 3], { dtype: 'float64', generator: gen });
    expect(gradcheck((a, b) => mul(concat([a, b]), w), [randn64(gen, [2, 3]), randn64(gen, [3, 3])])).toBe(true);
    const w2 = randn([2, 6], { dtype: 'float64', generator: gen });
    expect(gradcheck((a) => mul(concat([a, a], 1), w2), [randn64(gen, [2, 3])])).toBe(true);
    const ints = tensor([[1, 2, 3]], { dtype: 'int32' });
    expect(gradcheck((a) => concat([ints, a, zeros([0])]), [randn64(gen, [1, 3])])).toBe(true);
  });

  it('casts the gradient back to a float32 input', () => {
    const a = randn([2], { requiresGrad: true, generator: new Generator(1) });
    const b = randn([2], { dtype: 'float64', requiresGrad: true, generator: new Generator(2) });
    sum(concat([a, b])).backward();
    expect(a.grad?.dtype).toBe('float32');
    expect(b.grad?.toArray()).toEqual([1, 1]);
  });
});

describe('stack', () => {
  it('joins along a new axis', () => {
    const a = tensor([1, 2]);
    const b = tensor([3, 4]);
    expect(stack([a, b]).toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(stack([a, b], 1).toArray()).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(stack([a, b], -1).shape).toEqual([2, 2]);
    expect(stack([tensor(1), tensor(2)]).toArray()).toEqual([1, 2]);
    expect(stack([zeros([0, 2]), zeros([0, 2])], 1).shape).toEqual([0, 2, 2]);
  });

  it('throws ShapeError for different shapes, IndexError for a bad axis, ValueError for none', () => {
    expect(() => stack([zeros([2]), zeros([3])])).toThrow(ShapeError);
    expect(() => stack([zeros([2]), zeros([2])], 2)).toThrow(IndexError);
    expect(() => stack([])).toThrow(ValueError);
  });

  it('is differentiable', () => {
    const gen = new Generator(11);
    const w = randn([2, 2, 2], { dtype: 'float64', generator: gen });
    expect(gradcheck((a, b) => mul(stack([a, b], 1), w), [randn64(gen, [2, 2]), randn64(gen, [2, 2])])).toBe(true);
  });
});

describe('split', () => {
  it('cuts by a chunk size, the last piece smaller', () => {
    expect(split(arange(5), 2).map((p) => p.toArray())).toEqual([[0, 1], [2, 3], [4]]);
    expect(split(arange(4), 2).map((p) => p.toArray())).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(split(arange(3), 5).map((p) => p.toArray())).toEqual([[0, 1, 2]]);
  });

  it('cuts by a list of sizes, zeros allowed, along any axis', () => {
    const x = reshape(arange(12), [3, 4]);
    const [a, b, c] = split(x, [1, 0, 3], -1);
    expect(a!.toArray()).toEqual([[0], [4], [8]]);
    expect(b!.shape).toEqual([3, 0]);
    expect(c!.toArray()).toEqual([
      [1, 2, 3],
      [5, 6, 7],
      [9, 10, 11],
    ]);
  });

  it('gives one empty piece for an empty axis', () => {
    const pieces = split(zeros([0, 2]), 3);
    expect(pieces.length).toBe(1);
    expect(pieces[0]!.shape).toEqual([0, 2]);
    expect(split(zeros([0]), 0).length).toBe(1);
  });

  it('throws for sizes that do not sum to the axis, bad sizes and 0-d tensors', () => {
    expect(() => split(arange(5), [2, 2])).toThrow(ShapeError);
    expect(() => split(arange(5), [2, -1, 4])).toThrow(ValueError);
    expect(() => split(arange(5), 0)).toThrow(ValueError);
    expect(() => split(arange(5), 1.5)).toThrow(ValueError);
    expect(() => split(tensor(1), 1)).toThrow(IndexError);
    expect(() => split(arange(5), 1, 1)).toThrow(IndexError);
  });

  it('is differentiable, for all pieces or only some', () => {
    const gen = new Generator(12);
    expect(gradcheck((x) => weighted(1, split(x, 2, 1)), [randn64(gen, [2, 5])])).toBe(true);
    expect(gradcheck((x) => split(x, [1, 3])[1]!, [randn64(gen, [4, 2])])).toBe(true);
    expect(gradcheck((x) => split(x, [2, 1, 1]), [randn64(gen, [4])])).toBe(true);
  });

  it('adds the pieces\u2019 gradients to a gradient through another path', () => {
    const x = f64([1, 2, 3, 4], true);
    const [a, b] = split(x, 2);
    const loss = add(add(sum(mul(a!, 2)), sum(mul(b!, 3))), sum(mul(x, 10)));
    loss.backward();
    expect(x.grad!.toArray()).toEqual([12, 12, 13, 13]);
  });

  it('supports a second backward pass over a retained graph', () => {
    const x = f64([1, 2, 3], true);
    const [a, b] = split(x, [1, 2]);
    const loss = add(sum(mul(a!, 5)), sum(b!));
    loss.backward(undefined, { retainGraph: true });
    expect(x.grad!.toArray()).toEqual([5, 1, 1]);
    loss.backward();
    expect(x.grad!.toArray()).toEqual([10, 2, 2]);
    // A new pass rooted at one piece only gets that piece's range.
    x.grad = null;
    const [c] = split(x, 1);
    sum(c!).backward();
    expect(x.grad!.toArray()).toEqual([1, 0, 0]);
  });
});

describe('chunk', () => {
  it('cuts into at most n pieces of ceil(size / n), as torch.chunk', () => {
    expect(chunk(arange(5), 2).map((p) => p.toArray())).toEqual([
      [0, 1, 2],
      [3, 4],
    ]);
    expect(chunk(arange(6), 4).map((p) => p.toArray())).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(chunk(arange(2), 5).length).toBe(2);
    expect(chunk(reshape(arange(8), [2, 4]), 2, -1)[1]!.toArray()).toEqual([
      [2, 3],
      [6, 7],
    ]);
  });

  it('gives n empty pieces for an empty axis', () => {
    const pieces = chunk(zeros([3, 0]), 3, 1);
    expect(pieces.length).toBe(3);
    expect(pieces.every((p) => p.shape[1] === 0)).toBe(true);
  });

  it('throws ValueError for a non-positive count', () => {
    expect(() => chunk(arange(4), 0)).toThrow(ValueError);
    expect(() => chunk(arange(4), 2.5)).toThrow(ValueError);
  });

  it('is differentiable (the packed gates of a recurrent cell)', () => {
    const gen = new Generator(13);
    expect(gradcheck((x) => weighted(2, chunk(x, 4, -1)), [randn64(gen, [2, 8])])).toBe(true);
  });
});

describe('unbind', () => {
  it('returns the slices along an axis, the axis removed', () => {
    const x = reshape(arange(6), [2, 3]);
    expect(unbind(x).map((p) => p.toArray())).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(unbind(x, -1).map((p) => p.toArray())).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    expect(unbind(tensor([7]))[0]!.shape).toEqual([]);
    expect(unbind(zeros([0, 3])).length).toBe(0);
    expect(unbind(zeros([2, 0]))[1]!.shape).toEqual([0]);
  });

  it('throws IndexError for a 0-d tensor or a bad axis', () => {
    expect(() => unbind(tensor(1))).toThrow(IndexError);
    expect(() => unbind(zeros([2]), 1)).toThrow(IndexError);
  });

  it('is differentiable', () => {
    const gen = new Generator(14);
    expect(gradcheck((x) => weighted(3, unbind(x, 1)), [randn64(gen, [2, 3, 2])])).toBe(true);
  });

  it('back-propagates through many time steps with the right values', () => {
    const steps = 300;
    const x = randn([steps, 4], { dtype: 'float64', requiresGrad: true, generator: new Generator(15) });
    const pieces = unbind(x);
    let loss = zeros([], { dtype: 'float64' });
    pieces.forEach((p, t) => (loss = add(loss, sum(mul(p, t)))));
    loss.backward();
    const grad = x.grad!;
    for (let t = 0; t < steps; t += 37) expect(grad.data[t * 4 + 3]).toBe(t);
  });
});

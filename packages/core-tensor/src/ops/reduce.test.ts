import { describe, expect, it } from 'vitest';
import { DTypeError, IndexError, ValueError } from '../errors.js';
import { Generator } from '../random/generator.js';
import { gradcheck } from '../testing/gradcheck.js';
import { expectClose } from '../testing/expect-close.js';
import type { Tensor } from '../tensor.js';
import { mul } from './arithmetic.js';
import { randn, tensor, zeros } from './creation.js';
import { argmax, argmin, max, mean, min, prod, std, sum, variance } from './reduce.js';

const f64 = (data: Parameters<typeof tensor>[0], requiresGrad = false): Tensor => tensor(data, { dtype: 'float64', requiresGrad });
const i32 = (data: Parameters<typeof tensor>[0]): Tensor => tensor(data, { dtype: 'int32' });

function randn64(gen: Generator, shape: number[]): Tensor {
  return randn(shape, { dtype: 'float64', requiresGrad: true, generator: gen });
}

// [2, 3, 4] holding 0..23
const cube = (): Tensor =>
  f64(Array.from({ length: 2 }, (_, a) => Array.from({ length: 3 }, (_, b) => Array.from({ length: 4 }, (_, c) => 12 * a + 4 * b + c))));

describe('sum', () => {
  it('sums all axes into a 0-d tensor by default', () => {
    const out = sum(
      f64([
        [1, 2],
        [3, 4],
      ]),
    );
    expect(out.shape).toEqual([]);
    expect(out.item()).toBe(10);
  });

  it('sums one axis, negative axes included, with and without keepdim', () => {
    const x = f64([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(sum(x, 0).toArray()).toEqual([5, 7, 9]);
    expect(sum(x, -1).toArray()).toEqual([6, 15]);
    expect(sum(x, 1, { keepdim: true }).toArray()).toEqual([[6], [15]]);
  });

  it('merges adjacent axes and reduces non-adjacent ones in turn', () => {
    const x = cube();
    expect(sum(x, [0, 1]).toArray()).toEqual([60, 66, 72, 78]);
    expect(sum(x, [1, 2]).toArray()).toEqual([66, 210]);
    expect(sum(x, [0, 2]).toArray()).toEqual([60, 92, 124]);
    expect(sum(x, [0, 2], { keepdim: true }).toArray()).toEqual([[[60], [92], [124]]]);
    expect(sum(x, [2, 0]).toArray()).toEqual([60, 92, 124]);
  });

  it('looks through size-1 axes between reduced ones', () => {
    const x = f64([[[1, 2]], [[3, 4]], [[5, 6]]]); // [3, 1, 2]
    expect(sum(x, [0, 2]).toArray()).toEqual([21]);
    expect(sum(x, 1).toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
  });

  it('treats an empty axis list as every axis, as PyTorch', () => {
    expect(
      sum(
        f64([
          [1, 2],
          [3, 4],
        ]),
        [],
      ).item(),
    ).toBe(10);
  });

  it('keeps int32 as int32', () => {
    const out = sum(
      i32([
        [1, 2],
        [3, 4],
      ]),
      1,
    );
    expect(out.dtype).toBe('int32');
    expect(out.toArray()).toEqual([3, 7]);
  });

  it('gives 0 over an empty axis and an empty result over an empty kept axis', () => {
    const x = zeros([0, 3], { dtype: 'float64' });
    expect(sum(x, 0).toArray()).toEqual([0, 0, 0]);
    expect(sum(x, 1).shape).toEqual([0]);
    expect(sum(x).item()).toBe(0);
  });

  it('returns a copy of a 0-d tensor for axis 0 and -1', () => {
    const x = f64(3);
    expect(sum(x, 0).item()).toBe(3);
    expect(sum(x, -1, { keepdim: true }).shape).toEqual([]);
  });

  it('propagates NaN', () => {
    expect(sum(f64([1, NaN, 2])).item()).toBeNaN();
  });

  it('throws IndexError for an axis out of range and ValueError for a repeated axis', () => {
    expect(() => sum(f64([1, 2]), 1)).toThrow(IndexError);
    expect(() => sum(f64([[1, 2]]), [0, -2])).toThrow(ValueError);
  });

  it('passes gradcheck over one axis, several axes and all axes, with keepdim both ways', () => {
    const gen = new Generator(1);
    const x = randn64(gen, [2, 3, 4]);
    for (const keepdim of [false, true]) {
      expect(gradcheck((t) => sum(t, 1, { keepdim }), [x])).toBe(true);
      expect(gradcheck((t) => sum(t, [0, 2], { keepdim }), [x])).toBe(true);
      expect(gradcheck((t) => sum(t, [1, 2], { keepdim }), [x])).toBe(true);
      expect(gradcheck((t) => sum(t, undefined, { keepdim }), [x])).toBe(true);
    }
  });
});

describe('mean', () => {
  it('divides the sum by the number of reduced elements', () => {
    const x = f64([
      [1, 2],
      [3, 4],
    ]);
    expect(mean(x).item()).toBe(2.5);
    expect(mean(x, 1).toArray()).toEqual([1.5, 3.5]);
    expect(mean(cube(), [0, 2]).toArray()).toEqual([7.5, 11.5, 15.5]);
  });

  it('gives NaN over an empty tensor', () => {
    expect(mean(zeros([0], { dtype: 'float64' })).item()).toBeNaN();
  });

  it('rejects int32 with a DTypeError, as PyTorch', () => {
    expect(() => mean(i32([1, 2]))).toThrow(DTypeError);
  });

  it('passes gradcheck over several axes, with keepdim both ways', () => {
    const gen = new Generator(2);
    const x = randn64(gen, [3, 2, 4]);
    for (const keepdim of [false, true]) {
      expect(gradcheck((t) => mean(t, [0, 2], { keepdim }), [x])).toBe(true);
      expect(gradcheck((t) => mean(t, -1, { keepdim }), [x])).toBe(true);
    }
  });
});

describe('max and min', () => {
  it('take the extremum over axes', () => {
    const x = f64([
      [1, 5, 2],
      [7, 0, 3],
    ]);
    expect(max(x).item()).toBe(7);
    expect(min(x).item()).toBe(0);
    expect(max(x, 1).toArray()).toEqual([5, 7]);
    expect(min(x, 0, { keepdim: true }).toArray()).toEqual([[1, 0, 2]]);
    expect(max(cube(), [0, 2]).toArray()).toEqual([15, 19, 23]);
    expect(min(cube(), [0, 1]).toArray()).toEqual([0, 1, 2, 3]);
  });

  it('work on int32 and keep the dtype', () => {
    const out = max(
      i32([
        [3, -4],
        [1, 2],
      ]),
      1,
    );
    expect(out.dtype).toBe('int32');
    expect(out.toArray()).toEqual([3, 2]);
  });

  it('propagate NaN, as PyTorch', () => {
    const x = f64([
      [1, NaN],
      [2, 3],
    ]);
    const m = max(x, 1).toArray() as number[];
    expect(m[0]).toBeNaN();
    expect(m[1]).toBe(3);
    expect(min(x).item()).toBeNaN();
  });

  it('throw IndexError over an empty axis or an empty tensor, but not over a non-empty axis of an empty tensor', () => {
    const x = zeros([0, 3], { dtype: 'float64' });
    expect(() => max(x, 0)).toThrow(IndexError);
    expect(() => min(x)).toThrow(IndexError);
    expect(max(x, 1).shape).toEqual([0]);
  });

  it('split the gradient evenly among ties (amax semantics)', () => {
    const x = f64([1, 5, 5], true);
    max(x).backward();
    expect(x.grad!.toArray()).toEqual([0, 0.5, 0.5]);
    const y = f64(
      [
        [2, 2],
        [1, 3],
      ],
      true,
    );
    min(y, 1).backward(f64([1, 4]));
    expect(y.grad!.toArray()).toEqual([
      [0.5, 0.5],
      [4, 0],
    ]);
  });

  it('pass gradcheck over one and several axes, with keepdim both ways', () => {
    const gen = new Generator(3);
    const x = randn64(gen, [2, 3, 4]);
    for (const keepdim of [false, true]) {
      expect(gradcheck((t) => max(t, 1, { keepdim }), [x])).toBe(true);
      expect(gradcheck((t) => min(t, [0, 2], { keepdim }), [x])).toBe(true);
      expect(gradcheck((t) => max(t, undefined, { keepdim }), [x])).toBe(true);
    }
  });
});

describe('prod', () => {
  it('multiplies over axes; the empty product is 1', () => {
    const x = f64([
      [1, 2],
      [3, 4],
    ]);
    expect(prod(x).item()).toBe(24);
    expect(prod(x, 1).toArray()).toEqual([2, 12]);
    expect(prod(zeros([2, 0], { dtype: 'float64' }), 1).toArray()).toEqual([1, 1]);
    expect(
      prod(
        i32([
          [2, 3],
          [4, 5],
        ]),
        0,
      ).toArray(),
    ).toEqual([8, 15]);
  });

  it('gives the exact gradient with no zero, one zero and two zeros in a slice', () => {
    const x = f64(
      [
        [2, 3, 4],
        [2, 0, 4],
        [0, 3, 0],
      ],
      true,
    );
    prod(x, 1).backward(f64([1, 1, 1]));
    expect(x.grad!.toArray()).toEqual([
      [12, 8, 6],
      [0, 8, 0],
      [0, 0, 0],
    ]);
  });

  it('passes gradcheck, with zeros in the input and keepdim both ways', () => {
    const gen = new Generator(4);
    const x = randn64(gen, [3, 2, 3]);
    for (const keepdim of [false, true]) {
      expect(gradcheck((t) => prod(t, [0, 2], { keepdim }), [x])).toBe(true);
      expect(gradcheck((t) => prod(t, 1, { keepdim }), [x])).toBe(true);
    }
    const withZero = f64(
      [
        [0, 2, 3],
        [1.5, 0, 0],
        [1, 2, -1],
      ],
      true,
    );
    expect(gradcheck((t) => prod(t, 1), [withZero])).toBe(true);
  });
});

describe('argmax and argmin', () => {
  it('index the first extremum along an axis as int32', () => {
    const x = f64([
      [1, 5, 5],
      [7, 0, 7],
    ]);
    const am = argmax(x, 1);
    expect(am.dtype).toBe('int32');
    expect(am.toArray()).toEqual([1, 0]);
    expect(argmin(x, 0).toArray()).toEqual([0, 1, 0]);
    expect(argmax(x, 0, { keepdim: true }).toArray()).toEqual([[1, 0, 1]]);
  });

  it('index the flattened tensor when no axis is given (keepdim gives all-ones shape)', () => {
    const x = f64([
      [1, 5],
      [7, 0],
    ]);
    expect(argmax(x).item()).toBe(2);
    expect(argmin(x).item()).toBe(3);
    expect(argmax(x, undefined, { keepdim: true }).shape).toEqual([1, 1]);
  });

  it('treat NaN as the extremum, as PyTorch', () => {
    const x = f64([
      [1, NaN],
      [2, 3],
    ]);
    expect(argmax(x, 1).toArray()).toEqual([1, 1]);
    expect(argmin(x, 1).toArray()).toEqual([1, 0]);
  });

  it('work along a middle axis and on a 0-d tensor', () => {
    expect(argmax(cube(), 1).toArray()).toEqual([
      [2, 2, 2, 2],
      [2, 2, 2, 2],
    ]);
    expect(argmin(f64(4)).item()).toBe(0);
  });

  it('throw IndexError on an empty axis or tensor', () => {
    expect(() => argmax(zeros([3, 0]), 1)).toThrow(IndexError);
    expect(() => argmin(zeros([0]))).toThrow(IndexError);
    expect(argmax(zeros([0, 3]), 1).shape).toEqual([0]);
  });
});

describe('variance and std', () => {
  it('are unbiased by default and take a correction', () => {
    const x = f64([1, 2, 3, 4]);
    expect(variance(x).item()).toBeCloseTo(5 / 3, 14);
    expect(variance(x, 0, { correction: 0 }).item()).toBe(1.25);
    expect(std(x).item()).toBeCloseTo(Math.sqrt(5 / 3), 14);
    expectClose(
      variance(
        f64([
          [1, 3],
          [2, 6],
        ]),
        1,
      ),
      [2, 8],
    );
    expectClose(
      std(
        f64([
          [1, 3],
          [2, 6],
        ]),
        0,
        { keepdim: true },
      ),
      [[Math.SQRT1_2, Math.sqrt(4.5)]],
    );
  });

  it('reduce several axes', () => {
    const x = cube();
    // each [0, 2] slice holds b·4 + {0..3} and 12 + b·4 + {0..3}
    const values = [0, 1, 2, 3, 12, 13, 14, 15];
    const m = values.reduce((s, v) => s + v, 0) / 8;
    const expected = values.reduce((s, v) => s + (v - m) ** 2, 0) / 7;
    expectClose(variance(x, [0, 2]), [expected, expected, expected]);
  });

  it('give NaN for a single element with the default correction, as PyTorch', () => {
    expect(variance(f64([3])).item()).toBeNaN();
    expect(variance(f64(3)).item()).toBeNaN();
  });

  it('reject int32 with a DTypeError', () => {
    expect(() => variance(i32([1, 2]))).toThrow(DTypeError);
    expect(() => std(i32([1, 2]))).toThrow(DTypeError);
  });

  it('give std a zero gradient where the deviation is zero, as PyTorch', () => {
    const x = f64([2, 2, 2], true);
    std(x).backward();
    expect(x.grad!.toArray()).toEqual([0, 0, 0]);
  });

  it('pass gradcheck over several axes, with keepdim both ways and corrections', () => {
    const gen = new Generator(5);
    const x = randn64(gen, [3, 2, 4]);
    for (const keepdim of [false, true]) {
      expect(gradcheck((t) => variance(t, [0, 2], { keepdim }), [x])).toBe(true);
      expect(gradcheck((t) => std(t, 1, { keepdim, correction: 0 }), [x])).toBe(true);
    }
    expect(gradcheck((t) => std(t), [x])).toBe(true);
  });
});

describe('reductions inside larger graphs', () => {
  it('pass gradcheck when a reduced result is broadcast back against its input', () => {
    const gen = new Generator(6);
    const x = randn64(gen, [4, 3]);
    expect(gradcheck((t) => mul(t, max(t, 1, { keepdim: true })), [x])).toBe(true);
    expect(gradcheck((t) => mul(t, sum(t, 0)), [x])).toBe(true);
  });
});

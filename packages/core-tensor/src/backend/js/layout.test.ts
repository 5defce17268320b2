import { describe, expect, it } from 'vitest';
import { copy } from './layout.js';
import { gather, indexAdd, indexSelect, scatterAdd } from './indexing.js';

const iota = (n: number): Float64Array => Float64Array.from({ length: n }, (_, i) => i);

/** Reference strided copy: one element at a time, no coalescing. */
function naiveCopy(
  src: ArrayLike<number>,
  srcOffset: number,
  srcStrides: readonly number[],
  dst: { [i: number]: number },
  dstOffset: number,
  dstStrides: readonly number[],
  shape: readonly number[],
): void {
  const total = shape.reduce((a, b) => a * b, 1);
  for (let flat = 0; flat < total; flat++) {
    let rest = flat;
    let s = srcOffset;
    let d = dstOffset;
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      const i = rest % shape[axis]!;
      rest = Math.floor(rest / shape[axis]!);
      s += i * srcStrides[axis]!;
      d += i * dstStrides[axis]!;
    }
    dst[d] = src[s]!;
  }
}

describe('copy kernel', () => {
  it('transposes a matrix through strides', () => {
    const src = iota(6); // [2, 3]
    const dst = new Float64Array(6);
    copy({ src, srcOffset: 0, srcStrides: [1, 3], dst, dstOffset: 0, dstStrides: [2, 1], shape: [3, 2] });
    expect([...dst]).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('copies a contiguous block in one run, at offsets', () => {
    const src = iota(100);
    const dst = new Float64Array(120);
    copy({ src, srcOffset: 10, srcStrides: [10, 1], dst, dstOffset: 20, dstStrides: [10, 1], shape: [8, 10] });
    expect([...dst.subarray(20, 100)]).toEqual([...src.subarray(10, 90)]);
    expect(dst[19]).toBe(0);
    expect(dst[100]).toBe(0);
  });

  it('copies long inner rows with set and short ones with loops, agreeing with a naive copy', () => {
    for (const inner of [1, 3, 31, 32, 33, 70]) {
      const rows = 5;
      const src = iota(rows * (inner + 4));
      const fast = new Float64Array(rows * inner + 7);
      const slow = new Float64Array(rows * inner + 7);
      // A narrow of the last axis: rows of `inner` out of rows of `inner + 4`.
      copy({ src, srcOffset: 2, srcStrides: [inner + 4, 1], dst: fast, dstOffset: 7, dstStrides: [inner, 1], shape: [rows, inner] });
      naiveCopy(src, 2, [inner + 4, 1], slow, 7, [inner, 1], [rows, inner]);
      expect([...fast]).toEqual([...slow]);
    }
  });

  it('matches a naive copy on a 4-D permutation with size-1 axes and steps', () => {
    const shape = [2, 1, 3, 4];
    const src = iota(2 * 3 * 4 * 3);
    const srcStrides = [36, 999, 1, 3 * 3]; // size-1 axis: any stride; a step of 3 on the last axis
    const fast = new Float64Array(24);
    const slow = new Float64Array(24);
    copy({ src, srcOffset: 1, srcStrides, dst: fast, dstOffset: 0, dstStrides: [12, 12, 4, 1], shape });
    naiveCopy(src, 1, srcStrides, slow, 0, [12, 12, 4, 1], shape);
    expect([...fast]).toEqual([...slow]);
  });

  it('broadcasts with zero strides', () => {
    const src = Float64Array.from([7, 8]);
    const dst = new Float64Array(6);
    copy({ src, srcOffset: 0, srcStrides: [0, 1], dst, dstOffset: 0, dstStrides: [2, 1], shape: [3, 2] });
    expect([...dst]).toEqual([7, 8, 7, 8, 7, 8]);
  });

  it('copies one element for a 0-d shape and nothing for an empty one', () => {
    const dst = new Float64Array(3);
    copy({ src: Float64Array.from([5, 6]), srcOffset: 1, srcStrides: [], dst, dstOffset: 2, dstStrides: [], shape: [] });
    expect([...dst]).toEqual([0, 0, 6]);
    copy({ src: Float64Array.from([5, 6]), srcOffset: 0, srcStrides: [1, 1], dst, dstOffset: 0, dstStrides: [1, 1], shape: [0, 2] });
    expect([...dst]).toEqual([0, 0, 6]);
  });

  it('converts between storage types on write (float to int32 truncates)', () => {
    const dst = new Int32Array(40);
    copy({
      src: Float64Array.from({ length: 40 }, (_, i) => i + 0.75),
      srcOffset: 0,
      srcStrides: [1],
      dst,
      dstOffset: 0,
      dstStrides: [1],
      shape: [40],
    });
    expect(dst[0]).toBe(0);
    expect(dst[39]).toBe(39);
    const small = new Int32Array(2);
    copy({ src: Float32Array.from([-1.5, 2.5]), srcOffset: 0, srcStrides: [1], dst: small, dstOffset: 0, dstStrides: [1], shape: [2] });
    expect([...small]).toEqual([-1, 2]);
  });
});

describe('index kernels', () => {
  it('indexSelect picks rows of the middle axis, repeats allowed', () => {
    const x = iota(12); // [2, 3, 2]
    const out = new Float64Array(2 * 3 * 2);
    indexSelect({ x, outer: 2, size: 3, inner: 2, index: Int32Array.from([2, 0, 2]), out });
    expect([...out]).toEqual([4, 5, 0, 1, 4, 5, 10, 11, 6, 7, 10, 11]);
  });

  it('indexSelect moves long rows with set', () => {
    const x = iota(3 * 40);
    const out = new Float64Array(40);
    indexSelect({ x, outer: 1, size: 3, inner: 40, index: Int32Array.from([1]), out });
    expect(out[0]).toBe(40);
    expect(out[39]).toBe(79);
  });

  it('indexAdd accumulates repeated indices', () => {
    const out = new Float64Array(3);
    indexAdd({ src: Float64Array.from([1, 2, 4]), outer: 1, size: 3, inner: 1, index: Int32Array.from([0, 2, 0]), out });
    expect([...out]).toEqual([5, 0, 2]);
  });

  it('gather and scatterAdd follow an index of the output shape', () => {
    const x = Float64Array.from([1, 2, 3, 4]); // [2, 2], gather along axis 1 (outer 2, size 2, inner 1)
    const out = new Float64Array(4);
    gather({ x, outer: 2, size: 2, inner: 1, index: Int32Array.from([0, 0, 1, 0]), indexSize: 2, out });
    expect([...out]).toEqual([1, 1, 4, 3]);
    const acc = new Float64Array(4);
    scatterAdd({
      src: Float64Array.from([1, 2, 3, 4]),
      outer: 2,
      size: 2,
      inner: 1,
      index: Int32Array.from([0, 0, 1, 0]),
      indexSize: 2,
      out: acc,
    });
    expect([...acc]).toEqual([3, 0, 4, 3]);
  });
});

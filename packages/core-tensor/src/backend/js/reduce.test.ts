import { describe, expect, it } from 'vitest';
import { argReduce, reduce, softmax } from './reduce.js';

// x viewed as [outer=2, size=3, inner=2]: x[o, k, i] = 6o + 2k + i
const X = Float64Array.from({ length: 12 }, (_, j) => j);

/** Reference reduction over the middle axis, straight from the definition. */
function reference(f: (values: number[]) => number, x: ArrayLike<number>, outer: number, size: number, inner: number): number[] {
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const values: number[] = [];
      for (let k = 0; k < size; k++) values.push(x[(o * size + k) * inner + i]!);
      out.push(f(values));
    }
  }
  return out;
}

describe('js reduce kernel', () => {
  it('sums the middle axis of an [outer, size, inner] view', () => {
    const out = new Float64Array(4);
    reduce({ op: 'sum', x: X, outer: 2, size: 3, inner: 2, out });
    expect([...out]).toEqual([6, 9, 24, 27]);
  });

  it('sums any axis length, including the unrolled tail, for both loop shapes', () => {
    for (const size of [1, 3, 4, 5, 9]) {
      for (const inner of [1, 3]) {
        const x = Float64Array.from({ length: 2 * size * inner }, (_, j) => j + 1);
        const out = new Float64Array(2 * inner);
        reduce({ op: 'sum', x, outer: 2, size, inner, out });
        expect([...out]).toEqual(reference((v) => v.reduce((a, b) => a + b, 0), x, 2, size, inner));
      }
    }
  });

  it('computes max, min and prod for both loop shapes', () => {
    const x = Float32Array.from([3, -1, 2, 7, 0.5, -4, 6, 1, 2, 2, -3, 5]);
    for (const [outer, size, inner] of [
      [2, 6, 1],
      [2, 3, 2],
      [1, 4, 3],
      [3, 2, 2],
    ] as const) {
      for (const [op, f] of [
        ['max', (v: number[]) => Math.max(...v)],
        ['min', (v: number[]) => Math.min(...v)],
        ['prod', (v: number[]) => v.reduce((a, b) => a * b, 1)],
      ] as const) {
        const out = new Float32Array(outer * inner);
        reduce({ op, x, outer, size, inner, out });
        expect([...out]).toEqual(reference(f, x, outer, size, inner).map(Math.fround));
      }
    }
  });

  it('gives the identities over an empty axis: sum 0, prod 1, max -Infinity, min Infinity', () => {
    const x = new Float64Array(0);
    for (const [op, identity] of [
      ['sum', 0],
      ['prod', 1],
      ['max', -Infinity],
      ['min', Infinity],
    ] as const) {
      for (const inner of [1, 3]) {
        const out = new Float64Array(2 * inner).fill(42);
        reduce({ op, x, outer: 2, size: 0, inner, out });
        expect([...out]).toEqual(new Array(2 * inner).fill(identity));
      }
    }
  });

  it('propagates NaN through max and min, wherever it sits', () => {
    const x = Float64Array.from([1, NaN, 5, 2, NaN, 0]);
    const rows = new Float64Array(2);
    reduce({ op: 'max', x, outer: 2, size: 3, inner: 1, out: rows });
    expect([...rows]).toEqual([NaN, NaN]);
    reduce({ op: 'min', x, outer: 2, size: 3, inner: 1, out: rows });
    expect([...rows]).toEqual([NaN, NaN]);
    // columns of a [1, 3, 2] view: (1, 5, NaN) and (NaN, 2, 0)
    const cols = new Float64Array(2);
    reduce({ op: 'max', x, outer: 1, size: 3, inner: 2, out: cols });
    expect([...cols]).toEqual([NaN, NaN]);
    const clean = Float64Array.from([1, 4, 5, 2, 3, 0]);
    reduce({ op: 'min', x: clean, outer: 1, size: 3, inner: 2, out: cols });
    expect([...cols]).toEqual([1, 0]);
  });

  it('accumulates float32 sums in float64', () => {
    const x = new Float32Array(1 + 1000).fill(1e-4);
    x[0] = 1e4;
    const out = new Float32Array(1);
    reduce({ op: 'sum', x, outer: 1, size: x.length, inner: 1, out });
    expect(out[0]).toBe(Math.fround(1e4 + 1000 * Math.fround(1e-4)));
  });

  it('sums int32 storage exactly', () => {
    const x = Int32Array.from([1, 2, 3, 4, 5, 6]);
    const out = new Int32Array(3);
    reduce({ op: 'sum', x, outer: 1, size: 2, inner: 3, out });
    expect([...out]).toEqual([5, 7, 9]);
  });

  it('does nothing when the output is empty', () => {
    const out = new Float64Array(0);
    expect(() => reduce({ op: 'max', x: new Float64Array(0), outer: 0, size: 3, inner: 2, out })).not.toThrow();
    expect(() => reduce({ op: 'sum', x: new Float64Array(0), outer: 2, size: 3, inner: 0, out })).not.toThrow();
  });
});

describe('js argReduce kernel', () => {
  it('returns the index of the first max and min along the middle axis', () => {
    const x = Float64Array.from([1, 5, 5, 0, 0, 3]);
    const rows = new Int32Array(2);
    argReduce({ op: 'argmax', x, outer: 2, size: 3, inner: 1, out: rows });
    expect([...rows]).toEqual([1, 2]);
    argReduce({ op: 'argmin', x, outer: 2, size: 3, inner: 1, out: rows });
    expect([...rows]).toEqual([0, 0]);
    // [1, 3, 2]: columns (1, 5, 0) and (5, 0, 3)
    const cols = new Int32Array(2);
    argReduce({ op: 'argmax', x, outer: 1, size: 3, inner: 2, out: cols });
    expect([...cols]).toEqual([1, 0]);
    argReduce({ op: 'argmin', x, outer: 1, size: 3, inner: 2, out: cols });
    expect([...cols]).toEqual([2, 1]);
  });

  it('keeps the first index among ties for both loop shapes', () => {
    const x = Float64Array.from([2, 2, 2, 2]);
    const out = new Int32Array(1);
    argReduce({ op: 'argmax', x, outer: 1, size: 4, inner: 1, out });
    expect(out[0]).toBe(0);
    const cols = new Int32Array(2);
    argReduce({ op: 'argmin', x, outer: 1, size: 2, inner: 2, out: cols });
    expect([...cols]).toEqual([0, 0]);
  });

  it('treats NaN as the winner for argmax and argmin, taking the first NaN', () => {
    const x = Float64Array.from([1, NaN, 9, NaN, 0, 4]);
    const rows = new Int32Array(2);
    argReduce({ op: 'argmax', x, outer: 2, size: 3, inner: 1, out: rows });
    expect([...rows]).toEqual([1, 0]);
    argReduce({ op: 'argmin', x, outer: 2, size: 3, inner: 1, out: rows });
    expect([...rows]).toEqual([1, 0]);
    // [1, 3, 2]: columns (1, 9, 0) and (NaN, NaN, 4)
    const cols = new Int32Array(2);
    argReduce({ op: 'argmax', x, outer: 1, size: 3, inner: 2, out: cols });
    expect([...cols]).toEqual([1, 0]);
    argReduce({ op: 'argmin', x: Float64Array.from([1, 3, NaN, 2, 5, 0]), outer: 1, size: 3, inner: 2, out: cols });
    expect([...cols]).toEqual([1, 2]);
  });
});

describe('js softmax kernel', () => {
  const logits = Float64Array.from([1, 2, 3, -1, 0, 1000]);

  function referenceSoftmax(values: number[]): number[] {
    const m = Math.max(...values);
    const e = values.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  }

  it('normalises each row to a distribution, stably for large logits', () => {
    const out = new Float64Array(6);
    softmax({ x: logits, outer: 2, size: 3, inner: 1, out, log: false });
    const expected = [...referenceSoftmax([1, 2, 3]), ...referenceSoftmax([-1, 0, 1000])];
    out.forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 14));
    expect(out[5]).toBe(1);
  });

  it('matches the row layout when the axis is strided (inner > 1)', () => {
    // [1, 3, 2] holds the columns (1, 2, 3) and (-1, 0, 1000) interleaved
    const x = Float64Array.from([1, -1, 2, 0, 3, 1000]);
    const out = new Float64Array(6);
    softmax({ x, outer: 1, size: 3, inner: 2, out, log: false });
    const a = referenceSoftmax([1, 2, 3]);
    const b = referenceSoftmax([-1, 0, 1000]);
    const expected = [a[0], b[0], a[1], b[1], a[2], b[2]];
    out.forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 14));
    const logOut = new Float64Array(6);
    softmax({ x, outer: 1, size: 3, inner: 2, out: logOut, log: true });
    const la = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    const expectedLog = [1 - la, -1001, 2 - la, -1000, 3 - la, 0];
    logOut.forEach((v, j) => expect(v).toBeCloseTo(expectedLog[j]!, 12));
  });

  it('computes log-softmax without overflow or log(0)', () => {
    const out = new Float64Array(6);
    softmax({ x: logits, outer: 2, size: 3, inner: 1, out, log: true });
    expect(out[3]).toBeCloseTo(-1001, 10);
    expect(out[5]).toBe(0);
    const l = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    expect(out[0]).toBeCloseTo(1 - l, 14);
  });

  it('gives 0 probability (log: -Infinity) to masked -Infinity entries', () => {
    const x = Float32Array.from([0, -Infinity, 0, -Infinity]);
    const out = new Float32Array(4);
    softmax({ x, outer: 1, size: 4, inner: 1, out, log: false });
    expect([...out]).toEqual([0.5, 0, 0.5, 0]);
    softmax({ x, outer: 2, size: 2, inner: 1, out, log: true });
    expect([...out]).toEqual([0, -Infinity, 0, -Infinity]);
    // [1, 2, 2]: columns (0, -Infinity) and (-Infinity, 0)
    softmax({ x: Float32Array.from([0, -Infinity, -Infinity, 0]), outer: 1, size: 2, inner: 2, out, log: false });
    expect([...out]).toEqual([1, 0, 0, 1]);
  });

  it('gives NaN for a row that is all -Infinity and for a row holding NaN, as PyTorch', () => {
    const x = Float64Array.from([-Infinity, -Infinity, 1, NaN]);
    for (const log of [false, true]) {
      const out = new Float64Array(4);
      softmax({ x, outer: 2, size: 2, inner: 1, out, log });
      expect([...out]).toEqual([NaN, NaN, NaN, NaN]);
      const cols = new Float64Array(4);
      softmax({ x: Float64Array.from([-Infinity, 1, -Infinity, NaN]), outer: 1, size: 2, inner: 2, out: cols, log });
      expect([...cols]).toEqual([NaN, NaN, NaN, NaN]);
    }
  });

  it('rounds float32 probabilities once, from float64 exponentials', () => {
    const x = Float32Array.from([0.1, 0.2, 0.3]);
    const out = new Float32Array(3);
    softmax({ x, outer: 1, size: 3, inner: 1, out, log: false });
    const expected = referenceSoftmax([...x]).map(Math.fround);
    expect([...out]).toEqual(expected);
  });
});

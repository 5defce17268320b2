import { describe, expect, it } from 'vitest';
import type { BinaryOp, UnaryOp } from '../backend.js';
import { Generator } from '../../random/generator.js';
import { binary, erf, unary, where } from './elementwise.js';

// Reference values of erf (to the last bit of float64) at points on both sides of every branch of
// the rational approximations: 0.46875, 4 and 6.
const ERF_TABLE: [number, number][] = [
  [1e-300, 1.1283791670955126e-300],
  [1e-10, 1.1283791670955126e-10],
  [0.1, 0.1124629160182849],
  [0.25, 0.2763263901682369],
  [0.46875, 0.49261347321793797],
  [0.4688, 0.4926587618132793],
  [0.5, 0.5204998778130465],
  [0.75, 0.7111556336535151],
  [1, 0.8427007929497149],
  [1.5, 0.9661051464753108],
  [2, 0.9953222650189527],
  [2.5, 0.999593047982555],
  [3, 0.9999779095030014],
  [3.5, 0.9999992569016276],
  [3.99, 0.9999999832607886],
  [4, 0.9999999845827421],
  [4.01, 0.9999999858030606],
  [4.5, 0.9999999998033839],
  [5, 0.9999999999984626],
  [5.5, 0.9999999999999927],
  [5.9, 0.9999999999999999],
  [6, 1.0],
];

/** Contiguous row-major strides. */
function stridesOf(shape: readonly number[]): number[] {
  const s: number[] = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** The offset of flat output index `flat` of `shape` in an array read with `strides`. */
function offsetOf(flat: number, shape: readonly number[], strides: readonly number[]): number {
  let offset = 0;
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d]!;
    offset += (flat % n) * strides[d]!;
    flat = Math.floor(flat / n);
  }
  return offset;
}

/** Strides that broadcast `shape` against `outShape` (0 on broadcast axes). */
function broadcastStridesOf(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = stridesOf(shape);
  const lead = outShape.length - shape.length;
  return outShape.map((n, d) => (d < lead || (shape[d - lead] === 1 && n !== 1) ? 0 : own[d - lead]!));
}

function randomArray(gen: Generator, size: number): Float64Array {
  const a = new Float64Array(size);
  // Halves, so that ties happen; `+ 0` turns −0 into 0.
  for (let i = 0; i < size; i++) a[i] = Math.round(gen.normal() * 4) / 2 + 0;
  return a;
}

const REFERENCE: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, b) => a ** b,
  maximum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
  minimum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
  eq: (a, b) => Number(a === b),
  ne: (a, b) => Number(a !== b),
  lt: (a, b) => Number(a < b),
  le: (a, b) => Number(a <= b),
  gt: (a, b) => Number(a > b),
  ge: (a, b) => Number(a >= b),
};
const BINARY_OPS = Object.keys(REFERENCE) as BinaryOp[];

/** Runs the kernel and a naive per-element reference over the same strided inputs. */
function checkBinary(op: BinaryOp, a: Float64Array, aStrides: number[], b: Float64Array, bStrides: number[], shape: number[]): void {
  const n = shape.reduce((p, d) => p * d, 1);
  const out = new Float64Array(n);
  binary({ op, a, aStrides, b, bStrides, out, shape });
  const expected = new Float64Array(n);
  for (let i = 0; i < n; i++) expected[i] = REFERENCE[op](a[offsetOf(i, shape, aStrides)]!, b[offsetOf(i, shape, bStrides)]!);
  expect(Array.from(out), `${op} over ${JSON.stringify(shape)}`).toEqual(Array.from(expected));
}

describe('js erf', () => {
  it('matches reference values to 1e-14 on every branch, and is odd', () => {
    for (const [x, e] of ERF_TABLE) {
      expect(Math.abs(erf(x) - e), `erf(${x})`).toBeLessThanOrEqual(1e-14);
      expect(Math.abs(erf(-x) + e), `erf(${-x})`).toBeLessThanOrEqual(1e-14);
    }
  });

  it('keeps relative precision for tiny arguments', () => {
    expect(erf(1e-300) / 1.1283791670955126e-300).toBeCloseTo(1, 14);
  });

  it('gives 0 at 0, ±1 at ±Infinity and NaN for NaN', () => {
    expect(erf(0)).toBe(0);
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erf(NaN)).toBeNaN();
  });

  it('is monotone across the branch points', () => {
    for (const p of [0.46875, 4, 6]) {
      const below = erf(p - 1e-12);
      const at = erf(p);
      const above = erf(p + 1e-12);
      expect(below).toBeLessThanOrEqual(at);
      expect(at).toBeLessThanOrEqual(above);
    }
  });
});

describe('js unary kernel', () => {
  const run = (op: UnaryOp, values: number[], p0?: number, p1?: number): number[] => {
    const x = Float64Array.from(values);
    const out = new Float64Array(x.length);
    unary({ op, x, out, p0, p1 });
    return Array.from(out);
  };

  it('computes each op elementwise', () => {
    expect(run('neg', [1, -2, 0])).toEqual([-1, 2, -0]);
    expect(run('exp', [0, 1])).toEqual([1, Math.E]);
    expect(run('log', [1, 0, -1])).toEqual([0, -Infinity, NaN]);
    expect(run('sqrt', [4, -1])).toEqual([2, NaN]);
    expect(run('rsqrt', [4, 0])).toEqual([0.5, Infinity]);
    expect(run('abs', [-3, 2])).toEqual([3, 2]);
    expect(run('square', [-3, 0.5])).toEqual([9, 0.25]);
    expect(run('reciprocal', [4, -0])).toEqual([0.25, -Infinity]);
    expect(run('sin', [0, Math.PI / 2])).toEqual([0, 1]);
    expect(run('cos', [0])).toEqual([1]);
    expect(run('tanh', [0, 100])).toEqual([0, 1]);
    expect(run('powScalar', [2, 3], 3)).toEqual([8, 27]);
    expect(run('addScalar', [2, 3], 0.5)).toEqual([2.5, 3.5]);
    expect(run('mulScalar', [2, 3], -2)).toEqual([-4, -6]);
    expect(run('isnan', [NaN, 1, Infinity])).toEqual([1, 0, 0]);
  });

  it('computes sign as PyTorch, with 0 for NaN', () => {
    expect(run('sign', [-2, -0, 0, 3, NaN])).toEqual([-1, 0, 0, 1, 0]);
  });

  it('computes sigmoid without overflow at both extremes', () => {
    const [lo, mid, hi] = run('sigmoid', [-1000, 0, 1000]);
    expect(lo).toBe(0);
    expect(mid).toBe(0.5);
    expect(hi).toBe(1);
    expect(run('sigmoid', [-30])[0]).toBeCloseTo(Math.exp(-30) / (1 + Math.exp(-30)), 25);
  });

  it('computes the activations, passing NaN through', () => {
    expect(run('relu', [-1, 0, 2, NaN])).toEqual([0, 0, 2, NaN]);
    expect(run('leakyRelu', [-2, 3, NaN], 0.1)).toEqual([-0.2, 3, NaN]);
    expect(run('elu', [-1, 2, NaN], 2)).toEqual([2 * Math.expm1(-1), 2, NaN]);
    const [g1] = run('gelu', [1]);
    expect(g1).toBeCloseTo(0.8413447460685429, 14);
    const [t1] = run('geluTanh', [1]);
    expect(t1).toBeCloseTo(0.8411919906082768, 14);
    expect(run('erf', [1])[0]).toBeCloseTo(0.8427007929497149, 15);
  });

  it('clamps as min(max(x, lo), hi): NaN passes, lo > hi gives hi', () => {
    expect(run('clamp', [-2, 0.5, 3, NaN], 0, 1)).toEqual([0, 0.5, 1, NaN]);
    expect(run('clamp', [1, 5, 9], 6, 2)).toEqual([2, 2, 2]);
    expect(run('clamp', [-5, 5], -Infinity, 0)).toEqual([-5, 0]);
  });

  it('works on int32 storage and wraps int32 squares like C', () => {
    const x = Int32Array.from([-3, 0, 7, 70000]);
    const out = new Int32Array(4);
    unary({ op: 'square', x, out });
    expect(Array.from(out)).toEqual([9, 0, 49, 605032704]);
    unary({ op: 'abs', x, out });
    expect(Array.from(out)).toEqual([3, 0, 7, 70000]);
    unary({ op: 'sign', x, out });
    expect(Array.from(out)).toEqual([-1, 0, 1, 1]);
    unary({ op: 'relu', x, out });
    expect(Array.from(out)).toEqual([0, 0, 7, 70000]);
  });

  it('rounds into float32 storage', () => {
    const x = Float32Array.from([0.1]);
    const out = new Float32Array(1);
    unary({ op: 'exp', x, out });
    expect(out[0]).toBe(Math.fround(Math.exp(Math.fround(0.1))));
  });

  it('writes nothing for empty input', () => {
    const out = new Float64Array(0);
    unary({ op: 'exp', x: new Float64Array(0), out });
    expect(out.length).toBe(0);
  });
});

describe('js binary kernel', () => {
  const gen = new Generator(1234);

  it('agrees with a naive reference on the contiguous fast path', () => {
    const shape = [3, 4];
    const a = randomArray(gen, 12);
    const b = randomArray(gen, 12);
    for (const op of BINARY_OPS) checkBinary(op, a, stridesOf(shape), b, stridesOf(shape), shape);
  });

  it('agrees with a naive reference on the scalar fast paths, either side', () => {
    const shape = [2, 5];
    const a = randomArray(gen, 10);
    const s = Float64Array.from([0.5]);
    for (const op of BINARY_OPS) {
      checkBinary(op, a, stridesOf(shape), s, [0, 0], shape);
      checkBinary(op, s, [0, 0], a, stridesOf(shape), shape);
    }
  });

  it('agrees with a naive reference on the general path: broadcasting rows, columns and middle axes', () => {
    const cases: [number[], number[]][] = [
      [[2, 3], [3]],
      [
        [2, 3],
        [2, 1],
      ],
      [
        [2, 1, 4],
        [3, 1],
      ],
      [
        [1, 3, 1],
        [2, 1, 5],
      ],
      [
        [4, 1],
        [1, 4],
      ],
      [
        [2, 3, 4, 2],
        [3, 1, 2],
      ],
      [
        [5, 1],
        [5, 1],
      ],
    ];
    for (const [as, bs] of cases) {
      const rank = Math.max(as.length, bs.length);
      const pa = [...new Array<number>(rank - as.length).fill(1), ...as];
      const pb = [...new Array<number>(rank - bs.length).fill(1), ...bs];
      const shape = pa.map((d, i) => Math.max(d, pb[i]!));
      const a = randomArray(
        gen,
        as.reduce((p, d) => p * d, 1),
      );
      const b = randomArray(
        gen,
        bs.reduce((p, d) => p * d, 1),
      );
      for (const op of BINARY_OPS) {
        checkBinary(op, a, broadcastStridesOf(as, shape), b, broadcastStridesOf(bs, shape), shape);
        checkBinary(op, b, broadcastStridesOf(bs, shape), a, broadcastStridesOf(as, shape), shape);
      }
    }
  });

  it('reads non-contiguous (transposed) strides through the general path', () => {
    // a is stored [3, 2] and read as its transpose [2, 3]; b is contiguous [2, 3].
    const a = Float64Array.from([1, 2, 3, 4, 5, 6]);
    const b = Float64Array.from([10, 20, 30, 40, 50, 60]);
    const out = new Float64Array(6);
    binary({ op: 'add', a, aStrides: [1, 2], b, bStrides: [3, 1], out, shape: [2, 3] });
    expect(Array.from(out)).toEqual([11, 23, 35, 42, 54, 66]);
    for (const op of BINARY_OPS) checkBinary(op, a, [1, 2], b, [3, 1], [2, 3]);
  });

  it('handles rank-0 operands and an empty output', () => {
    const out = new Float64Array(1);
    binary({ op: 'mul', a: Float64Array.from([3]), aStrides: [], b: Float64Array.from([4]), bStrides: [], out, shape: [] });
    expect(out[0]).toBe(12);
    const empty = new Float64Array(0);
    binary({
      op: 'add',
      a: new Float64Array(0),
      aStrides: [0, 1],
      b: Float64Array.from([1, 2]),
      bStrides: [0, 1],
      out: empty,
      shape: [0, 2],
    });
    expect(empty.length).toBe(0);
  });

  it('propagates NaN through arithmetic, maximum and minimum; comparisons with NaN are false but ne', () => {
    const a = Float64Array.from([NaN, 1, NaN]);
    const b = Float64Array.from([1, NaN, NaN]);
    for (const op of ['add', 'mul', 'maximum', 'minimum'] as BinaryOp[]) {
      const out = new Float64Array(3);
      binary({ op, a, aStrides: [1], b, bStrides: [1], out, shape: [3] });
      expect(Array.from(out).every(Number.isNaN), op).toBe(true);
    }
    for (const op of ['eq', 'lt', 'le', 'gt', 'ge', 'ne'] as BinaryOp[]) {
      const out = new Int32Array(3);
      binary({ op, a, aStrides: [1], b, bStrides: [1], out, shape: [3] });
      expect(Array.from(out), op).toEqual(op === 'ne' ? [1, 1, 1] : [0, 0, 0]);
    }
  });

  it('writes comparisons as 0/1 into int32 output', () => {
    const out = new Int32Array(3);
    binary({ op: 'ge', a: Float64Array.from([1, 2, 3]), aStrides: [1], b: Float64Array.from([2]), bStrides: [0], out, shape: [3] });
    expect(Array.from(out)).toEqual([0, 1, 1]);
  });

  it('wraps int32 products like C on every path, and floors an explicit int32 division', () => {
    const big = Int32Array.from([1 << 30, 65537, -(1 << 30)]);
    const four = Int32Array.from([4, 65537, 3]);
    const same = new Int32Array(3);
    binary({ op: 'mul', a: big, aStrides: [1], b: four, bStrides: [1], out: same, shape: [3] });
    expect(Array.from(same)).toEqual([0, Math.imul(65537, 65537), Math.imul(-(1 << 30), 3)]);
    // The general path: an outer product of big [3] (along axis 1) and four [3] (along axis 0).
    const general = new Int32Array(9);
    binary({ op: 'mul', a: four, aStrides: [1, 0], b: big, bStrides: [0, 1], out: general, shape: [3, 3] });
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) expect(general[i * 3 + j]).toBe(Math.imul(four[i]!, big[j]!));
    }
    const q = new Int32Array(2);
    binary({ op: 'div', a: Int32Array.from([-7, 7]), aStrides: [1], b: Int32Array.from([2]), bStrides: [0], out: q, shape: [2] });
    expect(Array.from(q)).toEqual([-4, 3]);
  });
});

describe('js where kernel', () => {
  it('selects with broadcasting, any nonzero (NaN included) counting as true', () => {
    const cond = Float64Array.from([1, 0, NaN]);
    const a = Float64Array.from([10, 20]);
    const b = Float64Array.from([-1]);
    const out = new Float64Array(6);
    // cond [3] → [2, 3]; a [2, 1] → [2, 3]; b scalar.
    where({ cond, condStrides: [0, 1], a, aStrides: [1, 0], b, bStrides: [0, 0], out, shape: [2, 3] });
    expect(Array.from(out)).toEqual([10, -1, 10, 20, -1, 20]);
  });

  it('agrees with a naive reference over rank-3 broadcasts', () => {
    const gen = new Generator(99);
    const shape = [2, 3, 4];
    const cond = Int32Array.from({ length: 12 }, () => gen.integer(0, 2)); // [3, 4]
    const a = randomArray(gen, 8); // [2, 1, 4]
    const b = randomArray(gen, 6); // [2, 3, 1]
    const cs = broadcastStridesOf([3, 4], shape);
    const as = broadcastStridesOf([2, 1, 4], shape);
    const bs = broadcastStridesOf([2, 3, 1], shape);
    const out = new Float64Array(24);
    where({ cond, condStrides: cs, a, aStrides: as, b, bStrides: bs, out, shape });
    for (let i = 0; i < 24; i++) {
      const c = cond[offsetOf(i, shape, cs)]!;
      expect(out[i]).toBe(c !== 0 ? a[offsetOf(i, shape, as)] : b[offsetOf(i, shape, bs)]);
    }
  });

  it('selects elementwise on the contiguous fast path (int32 condition, float32 sides)', () => {
    const gen = new Generator(7);
    const shape = [3, 5];
    const cond = Int32Array.from({ length: 15 }, () => gen.integer(0, 2));
    const a = Float32Array.from(randomArray(gen, 15));
    const b = Float32Array.from(randomArray(gen, 15));
    const out = new Float32Array(15);
    where({ cond, condStrides: stridesOf(shape), a, aStrides: stridesOf(shape), b, bStrides: stridesOf(shape), out, shape });
    expect(Array.from(out)).toEqual(Array.from(cond, (c, i) => (c !== 0 ? a[i]! : b[i]!)));
    expect(new Set(cond).size).toBe(2);
  });

  it('handles rank 0 and empty outputs', () => {
    const out = new Float64Array(1);
    where({
      cond: Int32Array.from([0]),
      condStrides: [],
      a: Float64Array.from([1]),
      aStrides: [],
      b: Float64Array.from([2]),
      bStrides: [],
      out,
      shape: [],
    });
    expect(out[0]).toBe(2);
    const empty = new Float64Array(0);
    where({
      cond: new Int32Array(0),
      condStrides: [1],
      a: new Float64Array(0),
      aStrides: [1],
      b: Float64Array.from([2]),
      bStrides: [0],
      out: empty,
      shape: [0],
    });
    expect(empty.length).toBe(0);
  });
});

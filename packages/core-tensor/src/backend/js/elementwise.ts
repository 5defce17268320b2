import type { BinaryArgs, BinaryOp, UnaryArgs, UnaryOp, WhereArgs } from '../backend.js';
import type { TypedArray } from '../../dtype.js';

const SQRT1_2 = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * erf to float64 precision, by W. J. Cody's rational approximations (the CALERF routine most libms
 * descend from): a rational function of x² on |x| ≤ 0.46875, and erfc = exp(−x²)·R(|x|) beyond,
 * with exp(−x²) split as exp(−s²)·exp(−(x−s)(x+s)), s = x rounded to 1/16, so that the rounding of
 * x² is not amplified by exp.
 */
export function erf(x: number): number {
  if (x !== x) return NaN;
  const ax = Math.abs(x);
  if (ax <= 0.46875) {
    const t = x * x;
    const num = (((0.18577770618460315 * t + 3.1611237438705655) * t + 113.86415415105016) * t + 377.485237685302) * t + 3209.3775891384694;
    const den = (((t + 23.601290952344122) * t + 244.02463793444417) * t + 1282.6165260773723) * t + 2844.236833439171;
    return (x * num) / den;
  }
  if (ax >= 6) return x > 0 ? 1 : -1;
  const c = erfcPositive(ax);
  return x > 0 ? 1 - c : c - 1;
}

/** erfc(ax) for ax > 0.46875. */
function erfcPositive(ax: number): number {
  let r: number;
  if (ax <= 4) {
    const num =
      (((((((2.1531153547440383e-8 * ax + 0.5641884969886701) * ax + 8.883149794388377) * ax + 66.11919063714163) * ax +
        298.6351381974001) *
        ax +
        881.952221241769) *
        ax +
        1712.0476126340707) *
        ax +
        2051.0783778260716) *
        ax +
      1230.3393547979972;
    const den =
      (((((((ax + 15.744926110709835) * ax + 117.6939508913125) * ax + 537.1811018620099) * ax + 1621.3895745666903) * ax +
        3290.7992357334597) *
        ax +
        4362.619090143247) *
        ax +
        3439.3676741437216) *
        ax +
      1230.3393548037495;
    r = num / den;
  } else {
    const z = 1 / (ax * ax);
    const num =
      ((((0.016315387137302097 * z + 0.30532663496123236) * z + 0.36034489994980445) * z + 0.12578172611122926) * z +
        0.016083785148742275) *
        z +
      0.0006587491615298378;
    const den =
      ((((z + 2.568520192289822) * z + 1.8729528499234673) * z + 0.5279051029514285) * z + 0.06051834131244132) * z + 0.0023352049762686918;
    r = (0.5641895835477563 - (z * num) / den) / ax;
  }
  const s = Math.trunc(ax * 16) / 16;
  return Math.exp(-s * s) * Math.exp(-(ax - s) * (ax + s)) * r;
}

type Fn1 = (v: number) => number;

function unaryFn(op: UnaryOp, p0: number, p1: number): Fn1 {
  switch (op) {
    case 'neg':
      return (v) => -v;
    case 'exp':
      return Math.exp;
    case 'log':
      return Math.log;
    case 'sqrt':
      return Math.sqrt;
    case 'rsqrt':
      return (v) => 1 / Math.sqrt(v);
    case 'abs':
      return Math.abs;
    case 'sign':
      // sign(NaN) = 0, as PyTorch's (0 < v) − (v < 0).
      return (v) => (v > 0 ? 1 : v < 0 ? -1 : 0);
    case 'tanh':
      return Math.tanh;
    case 'sigmoid':
      // Two branches so that exp never overflows.
      return (v) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
    case 'relu':
      return (v) => (v > 0 ? v : Number.isNaN(v) ? v : 0);
    case 'leakyRelu':
      return (v) => (v > 0 ? v : v * p0);
    case 'elu':
      return (v) => (v > 0 ? v : p0 * Math.expm1(v));
    case 'gelu':
      return (v) => 0.5 * v * (1 + erf(v * SQRT1_2));
    case 'geluTanh':
      return (v) => 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)));
    case 'erf':
      return erf;
    case 'sin':
      return Math.sin;
    case 'cos':
      return Math.cos;
    case 'reciprocal':
      return (v) => 1 / v;
    case 'square':
      return (v) => v * v;
    case 'clamp':
      // min(max(v, lo), hi) as PyTorch: NaN passes through, and lo > hi gives hi everywhere.
      return (v) => {
        const r = v < p0 ? p0 : v;
        return r > p1 ? p1 : r;
      };
    case 'powScalar':
      return (v) => Math.pow(v, p0);
    case 'addScalar':
      return (v) => v + p0;
    case 'mulScalar':
      return (v) => v * p0;
    case 'isnan':
      return (v) => (Number.isNaN(v) ? 1 : 0);
  }
}

export function unary({ op, x, out, p0 = 0, p1 = 0 }: UnaryArgs): void {
  const n = x.length;
  // The hottest ones get their own loops; the rest go through a closure.
  if (op === 'relu') {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      out[i] = v > 0 ? v : v !== v ? v : 0;
    }
    return;
  }
  if (op === 'mulScalar') {
    for (let i = 0; i < n; i++) out[i] = x[i]! * p0;
    return;
  }
  if (op === 'square' && x instanceof Int32Array) {
    // Wrap around like int32 C arithmetic; v·v in doubles would lose the low bits first.
    for (let i = 0; i < n; i++) out[i] = Math.imul(x[i]!, x[i]!);
    return;
  }
  const f = unaryFn(op, p0, p1);
  for (let i = 0; i < n; i++) out[i] = f(x[i]!);
}

/**
 * `out[o + i] = a[ia] op b[ib]` for i < n, ia and ib stepping by `as` and `bs` (0: a repeated
 * value, 1: contiguous). One loop per op, so the op is inlined rather than called per element.
 */
function binaryRun(
  op: BinaryOp,
  integer: boolean,
  a: TypedArray,
  ia: number,
  as: number,
  b: TypedArray,
  ib: number,
  bs: number,
  out: TypedArray,
  o: number,
  n: number,
): void {
  const end = o + n;
  switch (op) {
    case 'add':
      for (; o < end; o++, ia += as, ib += bs) out[o] = a[ia]! + b[ib]!;
      return;
    case 'sub':
      for (; o < end; o++, ia += as, ib += bs) out[o] = a[ia]! - b[ib]!;
      return;
    case 'mul':
      // int32 products wrap like C's; a·b in doubles would lose the low bits beyond 2^53.
      if (integer) for (; o < end; o++, ia += as, ib += bs) out[o] = Math.imul(a[ia]!, b[ib]!);
      else for (; o < end; o++, ia += as, ib += bs) out[o] = a[ia]! * b[ib]!;
      return;
    case 'div':
      // `div` on ints promotes to float before reaching here; an explicit int32 division floors.
      if (integer) for (; o < end; o++, ia += as, ib += bs) out[o] = Math.floor(a[ia]! / b[ib]!);
      else for (; o < end; o++, ia += as, ib += bs) out[o] = a[ia]! / b[ib]!;
      return;
    case 'pow':
      for (; o < end; o++, ia += as, ib += bs) out[o] = Math.pow(a[ia]!, b[ib]!);
      return;
    case 'maximum':
      for (; o < end; o++, ia += as, ib += bs) {
        const x = a[ia]!;
        const y = b[ib]!;
        out[o] = x !== x || y !== y ? NaN : x > y ? x : y;
      }
      return;
    case 'minimum':
      for (; o < end; o++, ia += as, ib += bs) {
        const x = a[ia]!;
        const y = b[ib]!;
        out[o] = x !== x || y !== y ? NaN : x < y ? x : y;
      }
      return;
    case 'eq':
      for (; o < end; o++, ia += as, ib += bs) out[o] = a[ia]! === b[ib]! ? 1 : 0;
      return;
    case 'ne':
      for (; o < end; o++, ia += as, ib += bs) out[o] = a[ia]! !== b[ib]! ? 1 : 0;
      return;
    case 'lt':
      for (; o < end; o++, ia += as, ib += bs) out[o] = a[ia]! < b[ib]! ? 1 : 0;
      return;
    case 'le':
      for (; o < end; o++, ia += as, ib += bs) out[o] = a[ia]! <= b[ib]! ? 1 : 0;
      return;
    case 'gt':
      for (; o < end; o++, ia += as, ib += bs) out[o] = a[ia]! > b[ib]! ? 1 : 0;
      return;
    case 'ge':
      for (; o < end; o++, ia += as, ib += bs) out[o] = a[ia]! >= b[ib]! ? 1 : 0;
      return;
  }
}

export function binary({ op, a, aStrides, b, bStrides, out, shape }: BinaryArgs): void {
  const n = out.length;
  if (n === 0) return;
  const integer = a instanceof Int32Array && b instanceof Int32Array;
  const rank = shape.length;
  const aFull = a.length === n && isContiguous(aStrides, shape);
  const bFull = b.length === n && isContiguous(bStrides, shape);
  // Fast paths: same shapes, or one side a single value.
  if ((aFull || a.length === 1) && (bFull || b.length === 1)) {
    binaryRun(op, integer, a, 0, aFull ? 1 : 0, b, 0, bFull ? 1 : 0, out, 0, n);
    return;
  }
  // General case: an odometer over all but the last axis, a strided run over the last.
  const last = rank - 1;
  const inner = shape[last]!;
  const as = aStrides[last]!;
  const bs = bStrides[last]!;
  const counter = new Array<number>(rank).fill(0);
  let ai = 0;
  let bi = 0;
  for (let o = 0; o < n; o += inner) {
    binaryRun(op, integer, a, ai, as, b, bi, bs, out, o, inner);
    for (let d = last - 1; d >= 0; d--) {
      counter[d]!++;
      ai += aStrides[d]!;
      bi += bStrides[d]!;
      if (counter[d]! < shape[d]!) break;
      ai -= aStrides[d]! * shape[d]!;
      bi -= bStrides[d]! * shape[d]!;
      counter[d] = 0;
    }
  }
}

export function where({ cond, condStrides, a, aStrides, b, bStrides, out, shape }: WhereArgs): void {
  const n = out.length;
  if (n === 0) return;
  if (
    cond.length === n &&
    a.length === n &&
    b.length === n &&
    isContiguous(condStrides, shape) &&
    isContiguous(aStrides, shape) &&
    isContiguous(bStrides, shape)
  ) {
    for (let i = 0; i < n; i++) out[i] = cond[i]! !== 0 ? a[i]! : b[i]!;
    return;
  }
  const rank = shape.length;
  const last = rank - 1;
  const inner = rank === 0 ? 1 : shape[last]!;
  const cs = rank === 0 ? 0 : condStrides[last]!;
  const as = rank === 0 ? 0 : aStrides[last]!;
  const bs = rank === 0 ? 0 : bStrides[last]!;
  const counter = new Array<number>(rank).fill(0);
  let ci = 0;
  let ai = 0;
  let bi = 0;
  for (let o = 0; o < n; o += inner) {
    let ic = ci;
    let ia = ai;
    let ib = bi;
    for (let i = 0; i < inner; i++) {
      out[o + i] = cond[ic]! !== 0 ? a[ia]! : b[ib]!;
      ic += cs;
      ia += as;
      ib += bs;
    }
    for (let d = last - 1; d >= 0; d--) {
      counter[d]!++;
      ci += condStrides[d]!;
      ai += aStrides[d]!;
      bi += bStrides[d]!;
      if (counter[d]! < shape[d]!) break;
      ci -= condStrides[d]! * shape[d]!;
      ai -= aStrides[d]! * shape[d]!;
      bi -= bStrides[d]! * shape[d]!;
      counter[d] = 0;
    }
  }
}

function isContiguous(strides: readonly number[], shape: readonly number[]): boolean {
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== s) return false;
    s *= shape[i]!;
  }
  return true;
}

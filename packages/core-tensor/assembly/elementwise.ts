// Float32 elementwise kernels and the row softmax, four lanes at a time.
//
// Arrays are in the caller's scratch and padded to a multiple of 4 floats, so loops run over whole
// vectors: the lanes past the end compute on padding and land in padding, never copied out.

import { expf4, logf4, madd, sigmoidf4, tanhf4 } from './vmath';

// Op numbers, mirrored in src/backend/wasm/elementwise.ts.
const EXP = 0;
const LOG = 1;
const TANH = 2;
const SIGMOID = 3;
const RELU = 4;
const LEAKY_RELU = 5;
const ELU = 6;
const GELU_TANH = 7;

const ADD = 0;
const SUB = 1;
const MUL = 2;
const DIV = 3;
const MAXIMUM = 4;
const MINIMUM = 5;

@inline function apply1(op: i32, x: v128, p0: v128): v128 {
  switch (op) {
    case EXP:
      return expf4(x);
    case LOG:
      return logf4(x);
    case TANH:
      return tanhf4(x);
    case SIGMOID:
      return sigmoidf4(x);
    case RELU: {
      // x > 0 or NaN keeps x; everything else (−0 included) is +0
      const keep = v128.or(f32x4.gt(x, f32x4.splat(0)), f32x4.ne(x, x));
      return v128.and(x, keep);
    }
    case LEAKY_RELU:
      return v128.bitselect(x, f32x4.mul(x, p0), f32x4.gt(x, f32x4.splat(0)));
    case ELU:
      return v128.bitselect(x, f32x4.mul(p0, f32x4.sub(expf4(x), f32x4.splat(1))), f32x4.gt(x, f32x4.splat(0)));
    case GELU_TANH: {
      // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
      const inner = f32x4.mul(f32x4.splat(0.7978845608028654), madd(f32x4.mul(f32x4.mul(x, x), x), f32x4.splat(0.044715), x));
      return f32x4.mul(f32x4.mul(f32x4.splat(0.5), x), f32x4.add(f32x4.splat(1), tanhf4(inner)));
    }
    default:
      return x;
  }
}

/**
 * out[i] = f(x[i]) for i < n rounded up to a multiple of 16 (the caller pads to 64 bytes); x and
 * out may be the same array. Four vectors per iteration: V8 materialises a v128 constant anew at
 * each use, and four uses share one (measured: exp 1.7 → 0.8 ns an element).
 */
export function unaryF32(op: i32, x: usize, out: usize, n: i32, p0: f32): void {
  const p = f32x4.splat(p0);
  const end = x + ((<usize>(n + 15) & ~15) << 2);
  // One loop per op keeps the switch out of the loop.
  switch (op) {
    case EXP:
      for (; x < end; x += 64, out += 64) unary4(EXP, x, out, p);
      break;
    case LOG:
      for (; x < end; x += 64, out += 64) unary4(LOG, x, out, p);
      break;
    case TANH:
      for (; x < end; x += 64, out += 64) unary4(TANH, x, out, p);
      break;
    case SIGMOID:
      for (; x < end; x += 64, out += 64) unary4(SIGMOID, x, out, p);
      break;
    case RELU:
      for (; x < end; x += 64, out += 64) unary4(RELU, x, out, p);
      break;
    case LEAKY_RELU:
      for (; x < end; x += 64, out += 64) unary4(LEAKY_RELU, x, out, p);
      break;
    case ELU:
      for (; x < end; x += 64, out += 64) unary4(ELU, x, out, p);
      break;
    case GELU_TANH:
      for (; x < end; x += 64, out += 64) unary4(GELU_TANH, x, out, p);
      break;
    default:
      break;
  }
}

@inline function unary4(op: i32, x: usize, out: usize, p: v128): void {
  const a = apply1(op, v128.load(x), p);
  const b = apply1(op, v128.load(x, 16), p);
  const c = apply1(op, v128.load(x, 32), p);
  const d = apply1(op, v128.load(x, 48), p);
  v128.store(out, a);
  v128.store(out, b, 16);
  v128.store(out, c, 32);
  v128.store(out, d, 48);
}

@inline function apply2(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case ADD:
      return f32x4.add(a, b);
    case SUB:
      return f32x4.sub(a, b);
    case MUL:
      return f32x4.mul(a, b);
    case DIV:
      return f32x4.div(a, b);
    case MAXIMUM:
      return f32x4.max(a, b); // NaN-propagating, as PyTorch's maximum
    case MINIMUM:
      return f32x4.min(a, b);
    default:
      return a;
  }
}

/**
 * out = a ∘ b over `rows` rows of `cols` values. `aRow`/`bRow` are 1 when the operand has its own
 * row for every output row and 0 when one row is broadcast to all; `aCol`/`bCol` are 1 for a full
 * row and 0 for a single value broadcast along it. out is contiguous and distinct from a and b.
 */
export function binaryF32(op: i32, a: usize, aRow: i32, aCol: i32, b: usize, bRow: i32, bCol: i32, out: usize, rows: i32, cols: i32): void {
  switch (op) {
    case ADD:
      binaryLoop(ADD, a, aRow, aCol, b, bRow, bCol, out, rows, cols);
      break;
    case SUB:
      binaryLoop(SUB, a, aRow, aCol, b, bRow, bCol, out, rows, cols);
      break;
    case MUL:
      binaryLoop(MUL, a, aRow, aCol, b, bRow, bCol, out, rows, cols);
      break;
    case DIV:
      binaryLoop(DIV, a, aRow, aCol, b, bRow, bCol, out, rows, cols);
      break;
    case MAXIMUM:
      binaryLoop(MAXIMUM, a, aRow, aCol, b, bRow, bCol, out, rows, cols);
      break;
    case MINIMUM:
      binaryLoop(MINIMUM, a, aRow, aCol, b, bRow, bCol, out, rows, cols);
      break;
    default:
      break;
  }
}

@inline function binaryLoop(op: i32, a: usize, aRow: i32, aCol: i32, b: usize, bRow: i32, bCol: i32, out: usize, rows: i32,
    cols: i32): void {
  const rowBytes = <usize>cols << 2;
  const aStep = aCol ? rowBytes : 4;
  const bStep = bCol ? rowBytes : 4;
  if (rows == 1 || (aRow && bRow && aCol && bCol)) {
    // one contiguous run (no row is repeated)
    const n = <usize>rows * cols;
    const end = out + ((n + 3) & ~3) * 4;
    if (aCol && bCol) {
      for (; out < end; out += 16, a += 16, b += 16) v128.store(out, apply2(op, v128.load(a), v128.load(b)));
      return;
    }
    if (aCol) {
      const bv = v128.load32_splat(b);
      for (; out < end; out += 16, a += 16) v128.store(out, apply2(op, v128.load(a), bv));
      return;
    }
    if (bCol) {
      const av = v128.load32_splat(a);
      for (; out < end; out += 16, b += 16) v128.store(out, apply2(op, av, v128.load(b)));
      return;
    }
  }
  // Row by row. A row's last vector may spill into the next output row: that row is written after.
  const vecs = (cols + 3) >> 2;
  for (let r = 0; r < rows; r++) {
    let o = out + <usize>r * rowBytes;
    let pa = a + (aRow ? <usize>r * aStep : 0);
    let pb = b + (bRow ? <usize>r * bStep : 0);
    if (aCol && bCol) {
      for (let v = 0; v < vecs; v++, o += 16, pa += 16, pb += 16) v128.store(o, apply2(op, v128.load(pa), v128.load(pb)));
    } else if (aCol) {
      const bv = v128.load32_splat(pb);
      for (let v = 0; v < vecs; v++, o += 16, pa += 16) v128.store(o, apply2(op, v128.load(pa), bv));
    } else if (bCol) {
      const av = v128.load32_splat(pa);
      for (let v = 0; v < vecs; v++, o += 16, pb += 16) v128.store(o, apply2(op, av, v128.load(pb)));
    } else {
      const value = apply2(op, v128.load32_splat(pa), v128.load32_splat(pb));
      for (let v = 0; v < vecs; v++, o += 16) v128.store(o, value);
    }
  }
}

/** The max of `size` floats at `row`; NaN if any is NaN (f32 max propagates NaN). */
@inline function rowMax(row: usize, size: i32): f32 {
  const end = row + (<usize>(size & ~3) << 2);
  const last = row + (<usize>size << 2);
  let mv = f32x4.splat(-Infinity);
  let p = row;
  for (; p < end; p += 16) mv = f32x4.max(mv, v128.load(p));
  let m = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
  for (; p < last; p += 4) m = max(m, load<f32>(p));
  return m;
}

/** Σ e^(x − m) over `size` floats at `row`, summed in float64; with `keep`, e^(x − m) replaces x. */
@inline function rowSumExp(row: usize, size: i32, m: f32, keep: bool): f64 {
  const end = row + (<usize>(size & ~3) << 2);
  const last = row + (<usize>size << 2);
  const mvec = f32x4.splat(m);
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  let p = row;
  // two vectors an iteration where possible (they share the constants of exp)
  for (; p + 32 <= end; p += 32) {
    const e = expf4(f32x4.sub(v128.load(p), mvec));
    const f = expf4(f32x4.sub(v128.load(p, 16), mvec));
    if (keep) {
      v128.store(p, e);
      v128.store(p, f, 16);
    }
    s0 = f64x2.add(s0, f64x2.add(f64x2.promote_low_f32x4(e), f64x2.promote_low_f32x4(f)));
    s1 = f64x2.add(s1, f64x2.add(f64x2.promote_low_f32x4(v128.shuffle<i32>(e, e, 2, 3, 2, 3)),
        f64x2.promote_low_f32x4(v128.shuffle<i32>(f, f, 2, 3, 2, 3))));
  }
  for (; p < end; p += 16) {
    const e = expf4(f32x4.sub(v128.load(p), mvec));
    if (keep) v128.store(p, e);
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(e));
    s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<i32>(e, e, 2, 3, 2, 3)));
  }
  let s = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1) + (f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1));
  for (; p < last; p += 4) {
    const e = f32x4.extract_lane(expf4(f32x4.splat(load<f32>(p) - m)), 0);
    if (keep) store<f32>(p, e);
    s += <f64>e;
  }
  return s;
}

/** ln s in float32 (an f64 log would bring a lookup table, i.e. a data segment: see the build script). */
@inline function lnf(s: f64): f32 {
  return f32x4.extract_lane(logf4(f32x4.splat(<f32>s)), 0);
}

/**
 * Softmax (or log-softmax) of each of `rows` contiguous rows of `size` values, in place at x (rows
 * are not padded; the buffer is). `−∞` entries give 0; an all-`−∞` row, or one with NaN or +∞,
 * gives NaN, as the js kernel does.
 */
export function softmaxRowsF32(x: usize, rows: i32, size: i32, log: bool): void {
  for (let r = 0; r < rows; r++) {
    const row = x + ((<usize>r * size) << 2);
    const end = row + (<usize>(size & ~3) << 2);
    const last = row + (<usize>size << 2);
    const m = rowMax(row, size);
    const s = rowSumExp(row, size, m, !log);
    let p = row;
    if (log) {
      // (x − m) − ln s: x − m is exact near the max, so large logits cost no precision
      const mvec = f32x4.splat(m);
      const t = lnf(s);
      const ls = f32x4.splat(t);
      for (; p < end; p += 16) v128.store(p, f32x4.sub(f32x4.sub(v128.load(p), mvec), ls));
      for (; p < last; p += 4) store<f32>(p, load<f32>(p) - m - t);
    } else {
      const t = <f32>(1 / s);
      const scale = f32x4.splat(t);
      for (; p < end; p += 16) v128.store(p, f32x4.mul(v128.load(p), scale));
      for (; p < last; p += 4) store<f32>(p, load<f32>(p) * t);
    }
  }
}

/**
 * For each of `rows` rows of `size` logits at x: rowMax[r] = m, logSum[r] = ln Σ e^(x − m)
 * (the statistics of the fused cross-entropy; x is left unchanged).
 */
export function rowLogSumExpF32(x: usize, rows: i32, size: i32, rowMaxOut: usize, logSumOut: usize): void {
  for (let r = 0; r < rows; r++) {
    const row = x + ((<usize>r * size) << 2);
    const m = rowMax(row, size);
    store<f32>(rowMaxOut + (<usize>r << 2), m);
    store<f32>(logSumOut + (<usize>r << 2), lnf(rowSumExp(row, size, m, false)));
  }
}

/**
 * out[r, c] = scale[r]·(e^((x − rowMax[r]) − logSum[r])·mass[r] − smooth[c]) over rows × size
 * (smooth = 0 for a null pointer): the cross-entropy gradient before the target's own term.
 */
export function crossEntropyGradF32(x: usize, rows: i32, size: i32, rowMaxIn: usize, logSumIn: usize, scaleIn: usize, massIn: usize,
    smooth: usize, out: usize): void {
  const whole = size & ~3;
  for (let r = 0; r < rows; r++) {
    const at = (<usize>r * size) << 2;
    const m = f32x4.splat(load<f32>(rowMaxIn + (<usize>r << 2)));
    const ls = f32x4.splat(load<f32>(logSumIn + (<usize>r << 2)));
    const scale = f32x4.splat(load<f32>(scaleIn + (<usize>r << 2)));
    const mass = f32x4.splat(load<f32>(massIn + (<usize>r << 2)));
    let c = 0;
    for (; c + 8 <= whole; c += 8) {
      const o = <usize>c << 2;
      const p0 = f32x4.mul(expf4(f32x4.sub(f32x4.sub(v128.load(x + at + o), m), ls)), mass);
      const p1 = f32x4.mul(expf4(f32x4.sub(f32x4.sub(v128.load(x + at + o, 16), m), ls)), mass);
      v128.store(out + at + o, f32x4.mul(scale, smooth ? f32x4.sub(p0, v128.load(smooth + o)) : p0));
      v128.store(out + at + o, f32x4.mul(scale, smooth ? f32x4.sub(p1, v128.load(smooth + o, 16)) : p1), 16);
    }
    for (; c < size; c += 4) {
      const o = <usize>c << 2;
      const p = f32x4.mul(expf4(f32x4.sub(f32x4.sub(v128.load(x + at + o), m), ls)), mass);
      const g = f32x4.mul(scale, smooth ? f32x4.sub(p, v128.load(smooth + o)) : p);
      if (c < whole) v128.store(out + at + o, g);
      else {
        // the row's last values, lane by lane (the next row starts right after)
        store<f32>(out + at + o, f32x4.extract_lane(g, 0));
        if (size - c > 1) store<f32>(out + at + o, f32x4.extract_lane(g, 1), 4);
        if (size - c > 2) store<f32>(out + at + o, f32x4.extract_lane(g, 2), 8);
      }
    }
  }
}

// ---- reductions over the middle axis of [outer, size, inner] ----------------------------------

const SUM = 0;
const MAX = 1;
const MIN = 2;

@inline function combine(op: i32, a: v128, b: v128): v128 {
  return op == MAX ? f32x4.max(a, b) : f32x4.min(a, b);
}

/**
 * out[o, i] = reduce_k x[o, k, i] for op SUM (accumulated in float64), MAX or MIN (NaN-propagating:
 * a NaN anywhere makes the result NaN). `acc` is scratch for `inner` float64 values (padded).
 * Empty sums are 0, empty max −∞, empty min +∞.
 */
export function reduceF32(op: i32, x: usize, outer: i32, size: i32, inner: i32, out: usize, acc: usize): void {
  if (inner == 1) {
    for (let o = 0; o < outer; o++) store<f32>(out + (<usize>o << 2), reduceRow(op, x + ((<usize>o * size) << 2), size));
    return;
  }
  const vecs = (inner + 3) >> 2;
  const rowBytes = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    const slice = x + <usize>o * size * rowBytes;
    if (op == SUM) {
      for (let v = 0; v < vecs; v++) {
        v128.store(acc + (<usize>v << 5), f64x2.splat(0));
        v128.store(acc + (<usize>v << 5), f64x2.splat(0), 16);
      }
      for (let k = 0; k < size; k++) {
        let p = slice + <usize>k * rowBytes;
        let q = acc;
        for (let v = 0; v < vecs; v++, p += 16, q += 32) {
          const e = v128.load(p);
          v128.store(q, f64x2.add(v128.load(q), f64x2.promote_low_f32x4(e)));
          v128.store(q, f64x2.add(v128.load(q, 16), f64x2.promote_low_f32x4(v128.shuffle<i32>(e, e, 2, 3, 2, 3))), 16);
        }
      }
      for (let i = 0; i < inner; i++) store<f32>(out + ((<usize>(o * inner + i)) << 2), <f32>load<f64>(acc + (<usize>i << 3)));
      continue;
    }
    const start = f32x4.splat(op == MAX ? -Infinity : Infinity);
    for (let v = 0; v < vecs; v++) v128.store(acc + (<usize>v << 4), start);
    for (let k = 0; k < size; k++) {
      let p = slice + <usize>k * rowBytes;
      let q = acc;
      if (op == MAX) {
        for (let v = 0; v < vecs; v++, p += 16, q += 16) v128.store(q, combine(MAX, v128.load(q), v128.load(p)));
      } else {
        for (let v = 0; v < vecs; v++, p += 16, q += 16) v128.store(q, combine(MIN, v128.load(q), v128.load(p)));
      }
    }
    memory.copy(out + (<usize>(o * inner) << 2), acc, rowBytes);
  }
}

/** The sum of `size` contiguous floats at `row`, in float64. */
@inline function rowSum(row: usize, size: i32): f64 {
  const end = row + (<usize>(size & ~3) << 2);
  const last = row + (<usize>size << 2);
  let p = row;
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  for (; p < end; p += 16) {
    const e = v128.load(p);
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(e));
    s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<i32>(e, e, 2, 3, 2, 3)));
  }
  let s = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1) + (f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1));
  for (; p < last; p += 4) s += <f64>load<f32>(p);
  return s;
}

/**
 * acc[i] = acc[i] ∘ (reduce_k x[k, i]) over a block of `size` rows of `inner` floats, for op SUM,
 * MAX or MIN (NaN-propagating), with `acc` float64 [inner] padded to a multiple of 4 (the lanes past
 * `inner` gather what lies past each row and are never read). The caller fills acc with 0, −∞ or
 * +∞ before the first block: a reduction over more rows than the scratch holds, block by block.
 */
export function reduceAccF32(op: i32, x: usize, size: i32, inner: i32, acc: usize): void {
  if (inner == 1) {
    const prev = load<f64>(acc);
    if (op == SUM) store<f64>(acc, prev + rowSum(x, size));
    else if (op == MAX) store<f64>(acc, max(prev, <f64>rowMax(x, size)));
    else store<f64>(acc, min(prev, <f64>reduceRow(MIN, x, size)));
    return;
  }
  const vecs = (inner + 3) >> 2;
  const rowBytes = <usize>inner << 2;
  for (let k = 0; k < size; k++) {
    let p = x + <usize>k * rowBytes;
    let q = acc;
    for (let v = 0; v < vecs; v++, p += 16, q += 32) {
      const e = v128.load(p);
      const lo = f64x2.promote_low_f32x4(e);
      const hi = f64x2.promote_low_f32x4(v128.shuffle<i32>(e, e, 2, 3, 2, 3));
      if (op == SUM) {
        v128.store(q, f64x2.add(v128.load(q), lo));
        v128.store(q, f64x2.add(v128.load(q, 16), hi), 16);
      } else if (op == MAX) {
        v128.store(q, f64x2.max(v128.load(q), lo));
        v128.store(q, f64x2.max(v128.load(q, 16), hi), 16);
      } else {
        v128.store(q, f64x2.min(v128.load(q), lo));
        v128.store(q, f64x2.min(v128.load(q, 16), hi), 16);
      }
    }
  }
}

/** One contiguous row reduced (sums in float64). */
@inline function reduceRow(op: i32, row: usize, size: i32): f32 {
  const end = row + (<usize>(size & ~3) << 2);
  const last = row + (<usize>size << 2);
  let p = row;
  if (op == SUM) return <f32>rowSum(row, size);
  if (op == MAX) return rowMax(row, size);
  let mv = f32x4.splat(Infinity);
  for (; p < end; p += 16) mv = f32x4.min(mv, v128.load(p));
  let m = min(min(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), min(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
  for (; p < last; p += 4) m = min(m, load<f32>(p));
  return m;
}

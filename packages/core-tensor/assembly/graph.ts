// Float32 graph kernels of the wasm backend: gathers, scatters, the segment softmax and the sampled
// dense-dense product of attention layers (contracts on Backend in src/backend/backend.ts), and the
// fused gradient of the piecewise activations those layers apply to scores and features.
//
// Every operand lives at an address the TypeScript side (src/backend/wasm/graph*.ts) reserved and
// copied into; the caller pads each float array to a multiple of 16 floats, so the activation kernel
// may run whole vectors past n. The other kernels never touch memory past their operands. Sums are
// float32, so results differ from the js kernels (which sum in doubles) in the last bits.

import { expf4, madd } from './vmath';

/** The sum of the four lanes of v. */
@inline function lanes(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

@inline function at(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

/**
 * out[k] = a[r, :] · b[colIndex[k], :] for every entry k of every row r < rows. rowPtr [rows + 1]
 * and colIndex i32; a [rows, feat], b [cols, feat] and out [nnz] f32.
 */
export function sddmmCsrF32(rowPtr: usize, colIndex: usize, a: usize, b: usize, rows: i32, feat: i32, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const aRow = a + ((<usize>r * <usize>feat) << 2);
    const end = load<i32>(at(rowPtr, r + 1));
    for (let k = load<i32>(at(rowPtr, r)); k < end; k++) {
      const bRow = b + ((<usize>load<i32>(at(colIndex, k)) * <usize>feat) << 2);
      // Two accumulators: one would wait on the previous multiply-add every step.
      let s0 = f32x4.splat(0);
      let s1 = f32x4.splat(0);
      let f = 0;
      for (; f + 8 <= feat; f += 8) {
        s0 = madd(v128.load(at(aRow, f)), v128.load(at(bRow, f)), s0);
        s1 = madd(v128.load(at(aRow, f), 16), v128.load(at(bRow, f), 16), s1);
      }
      if (f + 4 <= feat) {
        s0 = madd(v128.load(at(aRow, f)), v128.load(at(bRow, f)), s0);
        f += 4;
      }
      let s = lanes(f32x4.add(s0, s1));
      for (; f < feat; f++) s += load<f32>(at(aRow, f)) * load<f32>(at(bRow, f));
      store<f32>(at(out, k), s);
    }
  }
}

/**
 * Softmax over the entries sharing an index, per column (see `Backend.segmentSoftmax`): src and out
 * [entries, inner], index i32 [entries], segMax and segSum [size, inner], all written. out is
 * padded to a multiple of 4 floats (the exp pass runs whole vectors).
 */
export function segmentSoftmaxF32(
  src: usize,
  index: usize,
  entries: i32,
  size: i32,
  inner: i32,
  out: usize,
  segMax: usize,
  segSum: usize,
): void {
  if ((inner & 3) == 0) {
    segmentSoftmaxLanes(src, index, entries, size, inner, out, segMax, segSum);
    return;
  }
  const n = size * inner;
  for (let p = 0; p < n; p++) {
    store<f32>(at(segMax, p), -Infinity);
    store<f32>(at(segSum, p), 0);
  }
  // The max of each segment and column; a NaN replaces anything and stays (as the js kernel).
  for (let e = 0; e < entries; e++) {
    const from = e * inner;
    const to = load<i32>(at(index, e)) * inner;
    for (let i = 0; i < inner; i++) {
      const v = load<f32>(at(src, from + i));
      const m = at(segMax, to + i);
      if (v > load<f32>(m) || v != v) store<f32>(m, v);
    }
  }
  // out = src − max, then exp over the whole contiguous array four lanes at a time.
  for (let e = 0; e < entries; e++) {
    const from = e * inner;
    const to = load<i32>(at(index, e)) * inner;
    for (let i = 0; i < inner; i++) store<f32>(at(out, from + i), load<f32>(at(src, from + i)) - load<f32>(at(segMax, to + i)));
  }
  const total = entries * inner;
  for (let p = 0; p < total; p += 4) v128.store(at(out, p), expf4(v128.load(at(out, p))));
  for (let e = 0; e < entries; e++) {
    const from = e * inner;
    const to = load<i32>(at(index, e)) * inner;
    for (let i = 0; i < inner; i++) {
      const s = at(segSum, to + i);
      store<f32>(s, load<f32>(s) + load<f32>(at(out, from + i)));
    }
  }
  for (let e = 0; e < entries; e++) {
    const from = e * inner;
    const to = load<i32>(at(index, e)) * inner;
    for (let i = 0; i < inner; i++) {
      const o = at(out, from + i);
      store<f32>(o, load<f32>(o) / load<f32>(at(segSum, to + i)));
    }
  }
}

/**
 * `segmentSoftmaxF32` for an inner size that is a multiple of 4, four columns at a time, with the
 * exp and the sum in one pass: the same operations in the same order per element, so the same
 * results as the scalar passes.
 */
function segmentSoftmaxLanes(
  src: usize,
  index: usize,
  entries: i32,
  size: i32,
  inner: i32,
  out: usize,
  segMax: usize,
  segSum: usize,
): void {
  const n = size * inner;
  const lowest = f32x4.splat(-Infinity);
  const zero = f32x4.splat(0);
  for (let p = 0; p < n; p += 4) {
    v128.store(at(segMax, p), lowest);
    v128.store(at(segSum, p), zero);
  }
  for (let e = 0; e < entries; e++) {
    const from = e * inner;
    const to = load<i32>(at(index, e)) * inner;
    for (let i = 0; i < inner; i += 4) {
      const v = v128.load(at(src, from + i));
      const m = at(segMax, to + i);
      const old = v128.load(m);
      v128.store(m, v128.bitselect(v, old, v128.or(f32x4.gt(v, old), f32x4.ne(v, v))));
    }
  }
  for (let e = 0; e < entries; e++) {
    const from = e * inner;
    const to = load<i32>(at(index, e)) * inner;
    for (let i = 0; i < inner; i += 4) {
      const y = expf4(f32x4.sub(v128.load(at(src, from + i)), v128.load(at(segMax, to + i))));
      v128.store(at(out, from + i), y);
      const s = at(segSum, to + i);
      v128.store(s, f32x4.add(v128.load(s), y));
    }
  }
  for (let e = 0; e < entries; e++) {
    const from = e * inner;
    const to = load<i32>(at(index, e)) * inner;
    for (let i = 0; i < inner; i += 4) {
      const o = at(out, from + i);
      v128.store(o, f32x4.div(v128.load(o), v128.load(at(segSum, to + i))));
    }
  }
}

/**
 * The gradient of the segment softmax (see `Backend.segmentSoftmaxBackward`): y, g and out
 * [entries, inner], index i32 [entries], dots [size, inner] scratch (zeroed here); out written.
 * Four columns at a time when inner is a multiple of 4. The segment sums are float32.
 */
export function segmentSoftmaxBackwardF32(
  y: usize,
  g: usize,
  index: usize,
  entries: i32,
  size: i32,
  inner: i32,
  out: usize,
  dots: usize,
): void {
  const n = size * inner;
  for (let p = 0; p < n; p++) store<f32>(at(dots, p), 0);
  const lanes = (inner & 3) == 0 ? inner : 0;
  for (let e = 0; e < entries; e++) {
    const from = e * inner;
    const to = load<i32>(at(index, e)) * inner;
    for (let i = 0; i < lanes; i += 4) {
      const d = at(dots, to + i);
      v128.store(d, madd(v128.load(at(g, from + i)), v128.load(at(y, from + i)), v128.load(d)));
    }
    for (let i = lanes; i < inner; i++) {
      const d = at(dots, to + i);
      store<f32>(d, load<f32>(d) + load<f32>(at(g, from + i)) * load<f32>(at(y, from + i)));
    }
  }
  for (let e = 0; e < entries; e++) {
    const from = e * inner;
    const to = load<i32>(at(index, e)) * inner;
    for (let i = 0; i < lanes; i += 4) {
      const grad = f32x4.sub(v128.load(at(g, from + i)), v128.load(at(dots, to + i)));
      v128.store(at(out, from + i), f32x4.mul(v128.load(at(y, from + i)), grad));
    }
    for (let i = lanes; i < inner; i++) {
      store<f32>(at(out, from + i), load<f32>(at(y, from + i)) * (load<f32>(at(g, from + i)) - load<f32>(at(dots, to + i))));
    }
  }
}

/**
 * Scatter max (isMax 1) or min (0) with the first arg position of each extreme (see
 * `Backend.scatterReduce`): src [entries, inner] f32, index i32 [entries]; out f32 and arg i32
 * [size, inner], written (0 and −1 where no entry reaches).
 */
export function scatterReduceF32(isMax: i32, src: usize, index: usize, entries: i32, size: i32, inner: i32, out: usize, arg: usize): void {
  const n = size * inner;
  for (let p = 0; p < n; p++) {
    store<f32>(at(out, p), 0);
    store<i32>(at(arg, p), -1);
  }
  for (let e = 0; e < entries; e++) {
    const from = e * inner;
    const to = load<i32>(at(index, e)) * inner;
    for (let i = 0; i < inner; i++) {
      const v = load<f32>(at(src, from + i));
      const o = at(out, to + i);
      const g = at(arg, to + i);
      if (load<i32>(g) < 0) {
        store<f32>(o, v);
        store<i32>(g, e);
        continue;
      }
      const current = load<f32>(o);
      // A NaN already held stays (the first NaN wins); a new NaN replaces any number.
      if (current != current) continue;
      if (v != v || (isMax ? v > current : v < current)) {
        store<f32>(o, v);
        store<i32>(g, e);
      }
    }
  }
}

/** Copies `inner` floats from `from` to `to` (vectors, then single floats). */
@inline function copyRow(from: usize, to: usize, inner: i32): void {
  let i = 0;
  for (; i + 4 <= inner; i += 4) v128.store(at(to, i), v128.load(at(from, i)));
  for (; i < inner; i++) store<f32>(at(to, i), load<f32>(at(from, i)));
}

/**
 * out[o, j, :] = x[o, index[j], :] for j < count (see `Backend.indexSelect`): x [outer, size,
 * inner], index i32 [count], out [outer, count, inner].
 */
export function indexSelectF32(x: usize, outer: i32, size: i32, inner: i32, index: usize, count: i32, out: usize): void {
  for (let o = 0; o < outer; o++) {
    const xBase = x + ((<usize>o * <usize>size * <usize>inner) << 2);
    const outBase = out + ((<usize>o * <usize>count * <usize>inner) << 2);
    if (inner == 1) {
      for (let j = 0; j < count; j++) store<f32>(at(outBase, j), load<f32>(at(xBase, load<i32>(at(index, j)))));
      continue;
    }
    for (let j = 0; j < count; j++) copyRow(at(xBase, load<i32>(at(index, j)) * inner), at(outBase, j * inner), inner);
  }
}

/**
 * out[o, index[j], :] += src[o, j, :] for j < count (see `Backend.indexAdd`): src [outer, count,
 * inner], index i32 [count], out [outer, size, inner], accumulated into.
 */
export function indexAddF32(src: usize, outer: i32, size: i32, inner: i32, index: usize, count: i32, out: usize): void {
  for (let o = 0; o < outer; o++) {
    const outBase = out + ((<usize>o * <usize>size * <usize>inner) << 2);
    const srcBase = src + ((<usize>o * <usize>count * <usize>inner) << 2);
    for (let j = 0; j < count; j++) {
      const to = at(outBase, load<i32>(at(index, j)) * inner);
      const from = at(srcBase, j * inner);
      let i = 0;
      for (; i + 4 <= inner; i += 4) v128.store(at(to, i), f32x4.add(v128.load(at(to, i)), v128.load(at(from, i))));
      for (; i < inner; i++) store<f32>(at(to, i), load<f32>(at(to, i)) + load<f32>(at(from, i)));
    }
  }
}

const RELU = 0;
const LEAKY_RELU = 1;
const ELU = 2;

/**
 * The gradient of an activation from its input x, output y and incoming gradient g (see
 * `Backend.activationBackward`), n floats rounded up to a multiple of 4 (the arrays are padded):
 * relu (op 0) `y ≤ 0 ? 0 : g`; leakyRelu (1) `x > 0 ? g : p·g`; elu (2) `x ≤ 0 ? g·(y + p) : g`.
 * A NaN compares false, as in the js kernel.
 */
export function activationBackwardF32(op: i32, x: usize, y: usize, g: usize, out: usize, n: i32, p: f32): void {
  const pv = f32x4.splat(p);
  const zero = f32x4.splat(0);
  const end = (n + 3) & ~3;
  if (op == RELU) {
    for (let i = 0; i < end; i += 4) v128.store(at(out, i), v128.andnot(v128.load(at(g, i)), f32x4.le(v128.load(at(y, i)), zero)));
  } else if (op == LEAKY_RELU) {
    for (let i = 0; i < end; i += 4) {
      const gv = v128.load(at(g, i));
      v128.store(at(out, i), v128.bitselect(gv, f32x4.mul(gv, pv), f32x4.gt(v128.load(at(x, i)), zero)));
    }
  } else if (op == ELU) {
    for (let i = 0; i < end; i += 4) {
      const gv = v128.load(at(g, i));
      const neg = f32x4.mul(gv, f32x4.add(v128.load(at(y, i)), pv));
      v128.store(at(out, i), v128.bitselect(neg, gv, f32x4.le(v128.load(at(x, i)), zero)));
    }
  }
}

/**
 * Reduction kernels of the js backend. Every kernel works on a `[outer, size, inner]` view of
 * contiguous storage and reduces (or normalises) along the middle axis. Two loop shapes serve all
 * of them: `inner === 1` walks each row contiguously; `inner > 1` walks the middle axis in the
 * outer loop and the contiguous inner axis in the inner loop, so memory is always read in order.
 * Sums, products and softmax accumulate in float64 scratch, so float32 storage loses nothing
 * beyond the final rounding.
 */
import type { ArgReduceArgs, ReduceArgs, ReduceOp, SoftmaxArgs } from '../backend.js';
import type { TypedArray } from '../../dtype.js';

/** `out[o, i] = reduce_k x[o, k, i]`. Empty sum is 0, empty product 1, empty max −∞, empty min +∞. */
export function reduce({ op, x, outer, size, inner, out }: ReduceArgs): void {
  if (outer * inner === 0) return;
  if (inner === 1) {
    reduceRows(op, x, outer, size, out);
    return;
  }
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * size * inner;
    switch (op) {
      case 'sum': {
        acc.fill(0);
        // Four rows per pass over the accumulator: a quarter of its loads and stores.
        let k = 0;
        for (; k + 3 < size; k += 4) {
          const r0 = base + k * inner;
          const r1 = r0 + inner;
          const r2 = r1 + inner;
          const r3 = r2 + inner;
          for (let i = 0; i < inner; i++) acc[i] = acc[i]! + (x[r0 + i]! + x[r1 + i]! + (x[r2 + i]! + x[r3 + i]!));
        }
        for (; k < size; k++) {
          const row = base + k * inner;
          for (let i = 0; i < inner; i++) acc[i]! += x[row + i]!;
        }
        break;
      }
      case 'prod':
        acc.fill(1);
        for (let k = 0; k < size; k++) {
          const row = base + k * inner;
          for (let i = 0; i < inner; i++) acc[i]! *= x[row + i]!;
        }
        break;
      case 'max':
        acc.fill(-Infinity);
        for (let k = 0; k < size; k++) {
          const row = base + k * inner;
          for (let i = 0; i < inner; i++) {
            const v = x[row + i]!;
            // `v !== v` lets NaN in; once there, nothing compares greater, so NaN stays.
            if (v > acc[i]! || v !== v) acc[i] = v;
          }
        }
        break;
      case 'min':
        acc.fill(Infinity);
        for (let k = 0; k < size; k++) {
          const row = base + k * inner;
          for (let i = 0; i < inner; i++) {
            const v = x[row + i]!;
            if (v < acc[i]! || v !== v) acc[i] = v;
          }
        }
        break;
    }
    out.set(acc, o * inner);
  }
}

function reduceRows(op: ReduceOp, x: TypedArray, outer: number, size: number, out: TypedArray): void {
  switch (op) {
    case 'sum':
      for (let o = 0; o < outer; o++) out[o] = sumRow(x, o * size, size);
      return;
    case 'prod':
      for (let o = 0; o < outer; o++) {
        let p = 1;
        const end = (o + 1) * size;
        for (let j = o * size; j < end; j++) p *= x[j]!;
        out[o] = p;
      }
      return;
    case 'max':
      for (let o = 0; o < outer; o++) out[o] = maxRow(x, o * size, size);
      return;
    case 'min':
      for (let o = 0; o < outer; o++) out[o] = minRow(x, o * size, size);
      return;
  }
}

/** Sum of `x[start, start + n)`, with four accumulators (faster, and a little more accurate). */
function sumRow(x: TypedArray, start: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const end = start + n;
  const end4 = start + (n & ~3);
  let j = start;
  for (; j < end4; j += 4) {
    s0 += x[j]!;
    s1 += x[j + 1]!;
    s2 += x[j + 2]!;
    s3 += x[j + 3]!;
  }
  for (; j < end; j++) s0 += x[j]!;
  return s0 + s1 + (s2 + s3);
}

function maxRow(x: TypedArray, start: number, n: number): number {
  let m = -Infinity;
  const end = start + n;
  for (let j = start; j < end; j++) {
    const v = x[j]!;
    if (v > m) m = v;
    else if (v !== v) return NaN;
  }
  return m;
}

function minRow(x: TypedArray, start: number, n: number): number {
  let m = Infinity;
  const end = start + n;
  for (let j = start; j < end; j++) {
    const v = x[j]!;
    if (v < m) m = v;
    else if (v !== v) return NaN;
  }
  return m;
}

/**
 * Index of the first max (argmax) or min (argmin) along the middle axis. NaN wins over every
 * number for both, as in PyTorch (the first NaN's index is returned). An empty axis writes 0:
 * the op rejects it before calling.
 */
export function argReduce({ op, x, outer, size, inner, out }: ArgReduceArgs): void {
  if (outer * inner === 0) return;
  const isMax = op === 'argmax';
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      const base = o * size;
      let best = size > 0 ? x[base]! : 0;
      let at = 0;
      if (best === best) {
        for (let k = 1; k < size; k++) {
          const v = x[base + k]!;
          if (v !== v) {
            at = k;
            break;
          }
          if (isMax ? v > best : v < best) {
            best = v;
            at = k;
          }
        }
      }
      out[o] = at;
    }
    return;
  }
  const best = new Float64Array(inner);
  const at = new Int32Array(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * size * inner;
    at.fill(0);
    if (size > 0) for (let i = 0; i < inner; i++) best[i] = x[base + i]!;
    for (let k = 1; k < size; k++) {
      const row = base + k * inner;
      for (let i = 0; i < inner; i++) {
        const b = best[i]!;
        if (b !== b) continue; // a NaN already won this column
        const v = x[row + i]!;
        if (v !== v || (isMax ? v > b : v < b)) {
          best[i] = v;
          at[i] = k;
        }
      }
    }
    out.set(at, o * inner);
  }
}

/**
 * Softmax (`log = false`) or log-softmax (`log = true`) along the middle axis, stable by
 * subtracting the maximum: `softmax(x)_k = exp(x_k − m) / Σ_j exp(x_j − m)`,
 * `logSoftmax(x)_k = (x_k − m) − log Σ_j exp(x_j − m)`. `−∞` entries give 0 (log: `−∞`); a slice
 * that is all `−∞` gives NaN, as PyTorch, and any NaN makes its slice NaN.
 */
export function softmax({ x, outer, size, inner, out, log }: SoftmaxArgs): void {
  if (outer * size * inner === 0) return;
  const slice = size * inner;
  // exp values are kept in float64 until the division, so float32 output is rounded only once
  const e = log ? null : new Float64Array(slice);
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      const start = o * size;
      const m = maxRow(x, start, size);
      let s = 0;
      if (e === null) {
        for (let k = 0; k < size; k++) s += Math.exp(x[start + k]! - m);
        const logSum = Math.log(s);
        for (let k = 0; k < size; k++) out[start + k] = x[start + k]! - m - logSum;
      } else {
        for (let k = 0; k < size; k++) {
          const v = Math.exp(x[start + k]! - m);
          e[k] = v;
          s += v;
        }
        const r = 1 / s;
        for (let k = 0; k < size; k++) out[start + k] = e[k]! * r;
      }
    }
    return;
  }
  const m = new Float64Array(inner);
  const s = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * slice;
    m.fill(-Infinity);
    for (let k = 0; k < size; k++) {
      const row = base + k * inner;
      for (let i = 0; i < inner; i++) {
        const v = x[row + i]!;
        if (v > m[i]! || v !== v) m[i] = v;
      }
    }
    s.fill(0);
    if (e === null) {
      for (let k = 0; k < size; k++) {
        const row = base + k * inner;
        for (let i = 0; i < inner; i++) s[i]! += Math.exp(x[row + i]! - m[i]!);
      }
      for (let i = 0; i < inner; i++) s[i] = Math.log(s[i]!);
      for (let k = 0; k < size; k++) {
        const row = base + k * inner;
        for (let i = 0; i < inner; i++) out[row + i] = x[row + i]! - m[i]! - s[i]!;
      }
    } else {
      for (let k = 0; k < size; k++) {
        const row = base + k * inner;
        const local = k * inner;
        for (let i = 0; i < inner; i++) {
          const v = Math.exp(x[row + i]! - m[i]!);
          e[local + i] = v;
          s[i]! += v;
        }
      }
      for (let i = 0; i < inner; i++) s[i] = 1 / s[i]!;
      for (let k = 0; k < size; k++) {
        const row = base + k * inner;
        const local = k * inner;
        for (let i = 0; i < inner; i++) out[row + i] = e[local + i]! * s[i]!;
      }
    }
  }
}

import type { CopyArgs } from '../backend.js';

// Below this many elements a plain loop beats creating a subarray view for `set`.
const SET_THRESHOLD = 32;

/**
 * Strided copy: for every index `idx` of `shape`,
 * `dst[dstOffset + idx·dstStrides] = src[srcOffset + idx·srcStrides]`.
 *
 * Size-1 axes are dropped and neighbouring axes that are contiguous on both sides are merged first,
 * so a copy of a contiguous block (concat along axis 0, a narrow of the outer axis) becomes one
 * `set`, and the inner run of a slice becomes a `set` per row. Values convert on write as typed
 * arrays convert them (float → int32 truncates).
 *
 * @example copy(x, 0, [1, 3], out, 0, [2, 1], [3, 2])  // a [2, 3] → [3, 2] transpose
 */
export function copy({ src, srcOffset, srcStrides, dst, dstOffset, dstStrides, shape }: CopyArgs): void {
  const dims: number[] = [];
  const ss: number[] = [];
  const ds: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    const n = shape[i]!;
    if (n === 0) return;
    if (n === 1) continue;
    const s = srcStrides[i]!;
    const d = dstStrides[i]!;
    const last = dims.length - 1;
    // The outer axis steps over exactly one run of this one on both sides: merge them.
    if (last >= 0 && ss[last] === s * n && ds[last] === d * n) {
      dims[last]! *= n;
      ss[last] = s;
      ds[last] = d;
    } else {
      dims.push(n);
      ss.push(s);
      ds.push(d);
    }
  }
  const rank = dims.length;
  if (rank === 0) {
    dst[dstOffset] = src[srcOffset]!;
    return;
  }

  const lastAxis = rank - 1;
  const inner = dims[lastAxis]!;
  const si = ss[lastAxis]!;
  const di = ds[lastAxis]!;
  const useSet = si === 1 && di === 1 && inner >= SET_THRESHOLD;
  let outer = 1;
  for (let d = 0; d < lastAxis; d++) outer *= dims[d]!;

  const counter = new Array<number>(rank).fill(0);
  let s0 = srcOffset;
  let d0 = dstOffset;
  for (let o = 0; o < outer; o++) {
    if (useSet) {
      dst.set(src.subarray(s0, s0 + inner), d0);
    } else if (si === 1 && di === 1) {
      for (let i = 0; i < inner; i++) dst[d0 + i] = src[s0 + i]!;
    } else {
      let s = s0;
      let d = d0;
      for (let i = 0; i < inner; i++) {
        dst[d] = src[s]!;
        s += si;
        d += di;
      }
    }
    // Odometer over the outer axes.
    for (let a = lastAxis - 1; a >= 0; a--) {
      counter[a]!++;
      s0 += ss[a]!;
      d0 += ds[a]!;
      if (counter[a]! < dims[a]!) break;
      s0 -= ss[a]! * dims[a]!;
      d0 -= ds[a]! * dims[a]!;
      counter[a] = 0;
    }
  }
}

import type { GatherArgs, IndexAddArgs, IndexSelectArgs, ScatterAddArgs } from '../backend.js';
/**
 * Index kernels over an `[outer, size, inner]` view of the indexed axis. The ops validate every
 * index before calling, so these loops trust them.
 */

// Rows at least this long are moved with `set`/`subarray` instead of an element loop.
const ROW_THRESHOLD = 32;

/** `out[o, j, i] = x[o, index[j], i]`; `out` is [outer, index.length, inner]. */
export function indexSelect({ x, outer, size, inner, index, out }: IndexSelectArgs): void {
  const count = index.length;
  for (let o = 0; o < outer; o++) {
    const xBase = o * size * inner;
    const outBase = o * count * inner;
    for (let j = 0; j < count; j++) {
      const from = xBase + index[j]! * inner;
      const to = outBase + j * inner;
      if (inner >= ROW_THRESHOLD) out.set(x.subarray(from, from + inner), to);
      else for (let i = 0; i < inner; i++) out[to + i] = x[from + i]!;
    }
  }
}

/** `out[o, index[j], i] += src[o, j, i]`; `out` is [outer, size, inner], accumulated into. */
export function indexAdd({ src, outer, size, inner, index, out }: IndexAddArgs): void {
  const count = index.length;
  for (let o = 0; o < outer; o++) {
    const outBase = o * size * inner;
    const srcBase = o * count * inner;
    for (let j = 0; j < count; j++) {
      const to = outBase + index[j]! * inner;
      const from = srcBase + j * inner;
      for (let i = 0; i < inner; i++) out[to + i]! += src[from + i]!;
    }
  }
}

/**
 * torch.gather along the middle axis: `out[o, j, i] = x[o, index[o, j, i], i]`, where x is
 * [outer, size, inner] and index / out are [outer, indexSize, inner].
 */
export function gather({ x, outer, size, inner, index, indexSize, out }: GatherArgs): void {
  for (let o = 0; o < outer; o++) {
    const xBase = o * size * inner;
    for (let j = 0; j < indexSize; j++) {
      const row = (o * indexSize + j) * inner;
      for (let i = 0; i < inner; i++) out[row + i] = x[xBase + index[row + i]! * inner + i]!;
    }
  }
}

/** torch.scatter_add_ along the middle axis: `out[o, index[o, j, i], i] += src[o, j, i]`. */
export function scatterAdd({ src, outer, size, inner, index, indexSize, out }: ScatterAddArgs): void {
  for (let o = 0; o < outer; o++) {
    const outBase = o * size * inner;
    for (let j = 0; j < indexSize; j++) {
      const row = (o * indexSize + j) * inner;
      for (let i = 0; i < inner; i++) out[outBase + index[row + i]! * inner + i]! += src[row + i]!;
    }
  }
}

// Float32 sparse (CSR) times dense, the aggregation of graph convolutions (the contract is
// `spmmCsr` on Backend in src/backend/backend.ts).
//
// A row of the result is built a block of columns at a time, in v128 accumulators held across the
// row's entries, so each entry costs one splat of its value and one multiply-add per vector, and
// out is written once. Blocks are 32 columns (8 accumulators), then 16, then 4.
//
// Rows are feat floats long and need not be a multiple of 4: a vector past the end of a row of x
// reads the next row (or the caller's padding), and one past the end of a row of out lands in the
// next row, which is written after it (or in the padding). Rows run in order, on one thread.

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** The weight of entry k as a vector: values[k] in every lane, or 1 when `values` is 0. */
@inline function weight(values: usize, k: i32): v128 {
  return values == 0 ? f32x4.splat(1) : v128.load32_splat(values + (<usize>k << 2));
}

/** Columns [f, f + 32) of the row made of entries [start, end). */
@inline function block32(colIndex: usize, values: usize, x: usize, feat: i32, start: i32, end: i32, f: i32, to: usize): void {
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let a2 = f32x4.splat(0);
  let a3 = f32x4.splat(0);
  let a4 = f32x4.splat(0);
  let a5 = f32x4.splat(0);
  let a6 = f32x4.splat(0);
  let a7 = f32x4.splat(0);
  for (let k = start; k < end; k++) {
    const v = weight(values, k);
    const p = x + ((<usize>(load<i32>(colIndex + (<usize>k << 2)) * feat + f)) << 2);
    a0 = madd(v128.load(p), v, a0);
    a1 = madd(v128.load(p, 16), v, a1);
    a2 = madd(v128.load(p, 32), v, a2);
    a3 = madd(v128.load(p, 48), v, a3);
    a4 = madd(v128.load(p, 64), v, a4);
    a5 = madd(v128.load(p, 80), v, a5);
    a6 = madd(v128.load(p, 96), v, a6);
    a7 = madd(v128.load(p, 112), v, a7);
  }
  v128.store(to, a0);
  v128.store(to, a1, 16);
  v128.store(to, a2, 32);
  v128.store(to, a3, 48);
  v128.store(to, a4, 64);
  v128.store(to, a5, 80);
  v128.store(to, a6, 96);
  v128.store(to, a7, 112);
}

/** Columns [f, f + 16). */
@inline function block16(colIndex: usize, values: usize, x: usize, feat: i32, start: i32, end: i32, f: i32, to: usize): void {
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let a2 = f32x4.splat(0);
  let a3 = f32x4.splat(0);
  for (let k = start; k < end; k++) {
    const v = weight(values, k);
    const p = x + ((<usize>(load<i32>(colIndex + (<usize>k << 2)) * feat + f)) << 2);
    a0 = madd(v128.load(p), v, a0);
    a1 = madd(v128.load(p, 16), v, a1);
    a2 = madd(v128.load(p, 32), v, a2);
    a3 = madd(v128.load(p, 48), v, a3);
  }
  v128.store(to, a0);
  v128.store(to, a1, 16);
  v128.store(to, a2, 32);
  v128.store(to, a3, 48);
}

/** Columns [f, f + 4). */
@inline function block4(colIndex: usize, values: usize, x: usize, feat: i32, start: i32, end: i32, f: i32, to: usize): void {
  let a0 = f32x4.splat(0);
  for (let k = start; k < end; k++) {
    const v = weight(values, k);
    const p = x + ((<usize>(load<i32>(colIndex + (<usize>k << 2)) * feat + f)) << 2);
    a0 = madd(v128.load(p), v, a0);
  }
  v128.store(to, a0);
}

/**
 * out[r, :] = Σ_{k ∈ row r} values[k]·x[colIndex[k], :] for r < rows (values 0: all ones).
 * rowPtr [rows + 1] and colIndex [nnz] i32; x [cols, feat] and out [rows, feat] f32, both padded
 * by 16 bytes past their end.
 */
export function spmmCsrF32(rowPtr: usize, colIndex: usize, values: usize, x: usize, rows: i32, feat: i32, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const start = load<i32>(rowPtr + (<usize>r << 2));
    const end = load<i32>(rowPtr + (<usize>(r + 1) << 2));
    const row = out + ((<usize>r * <usize>feat) << 2);
    let f = 0;
    for (; f + 32 <= feat; f += 32) block32(colIndex, values, x, feat, start, end, f, row + (<usize>f << 2));
    if (f + 16 <= feat) {
      block16(colIndex, values, x, feat, start, end, f, row + (<usize>f << 2));
      f += 16;
    }
    for (; f < feat; f += 4) block4(colIndex, values, x, feat, start, end, f, row + (<usize>f << 2));
  }
}

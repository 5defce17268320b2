// Single-precision GEMM for WebAssembly SIMD: C = op(A) · op(B), the BLIS scheme.
//
// - The columns of op(B) are cut into panels of NC, the shared dimension into blocks of KC, the
//   rows of op(A) into blocks of MC. Each KC × NC block of op(B) is packed into 8-wide
//   micro-panels, each MC × KC block of op(A) into 4-tall micro-panels. Packing absorbs the
//   transpose flags: op(X)[i, p] = x[i·row + p·col] with (row, col) = (ld, 1) or (1, ld), and the
//   packers have a SIMD path for each of the two (a contiguous copy, or 4 × 4 transposes).
// - A 4 × 8 micro-kernel keeps C's tile in 8 f32x4 accumulators for the whole KC loop: per step
//   it loads 2 B vectors and broadcasts 4 A values, 8 multiply-adds. Larger tiles spill: V8 keeps
//   about 15 xmm registers live.
// - With relaxed SIMD enabled at compile time the multiply-add is `f32x4.relaxed_madd` (one FMA
//   on x86 with FMA3); otherwise a multiply and an add.
// - Thin products (n ≤ IN_PLACE_MAX_N: a GCN layer's 2708×1433 · 1433×16) read A in place
//   instead of packing it: each A value is used by so few tiles that packing costs more than it
//   saves.
//
// Nothing here allocates or keeps state in globals: every call gets the addresses of its operands
// and of its own scratch (`work`, WORK_BYTES long), so one module can run on several threads over
// one shared memory, each thread on its own scratch.

const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 128;
const NC: i32 = 1024;
const IN_PLACE_MAX_N: i32 = 32;

/** Packed B block, then packed A block, then one spilled tile. */
const PACK_B_BYTES: i32 = KC * NC * 4;
const PACK_A_BYTES: i32 = MC * KC * 4;
const TILE_BYTES: i32 = MR * NR * 4;

/** Bytes of scratch one `gemm` call needs at `work` (16-byte aligned is best). */
export const WORK_BYTES: i32 = PACK_B_BYTES + PACK_A_BYTES + TILE_BYTES;

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

@inline function min(a: i32, b: i32): i32 {
  return a < b ? a : b;
}

/**
 * `count` products C_t = op(A_t) · op(B_t): C_t[i, j] = Σ_p op(A_t)[i, p] · op(B_t)[p, j] for
 * i < m, j < n, with op(A_t)[i, p] at a + 4·(t·aBatch + i·aRow + p·aCol), op(B_t)[p, j] at
 * b + 4·(t·bBatch + p·bRow + j·bCol) and C_t[i, j] at c + 4·(t·cBatch + i·ldc + j). C is written,
 * not accumulated; k = 0 writes zeros. With bit 1 of `flags` (2) the products are added to C
 * instead (k = 0 leaves C as it is): a product too large for the scratch runs as a sum of products
 * over blocks of k. `work` is this call's scratch (WORK_BYTES).
 *
 * The work is cut into units: each product's columns in blocks of `unit` (with bit 0 of `flags`
 * (1), its rows). With `counter` = 0 this call does every unit; otherwise several threads run the
 * same call at once (each with its own `work`) and take units from the shared int32 at `counter`
 * (zero before the call) until none is left: a thread that starts late or runs slow simply takes
 * fewer. (Bit 0 alone is the former `byRows` argument, so callers passing 0 or 1 are unchanged.)
 */
export function gemm(a: usize, aRow: i32, aCol: i32, aBatch: i32, b: usize, bRow: i32, bCol: i32, bBatch: i32, c: usize, ldc: i32,
    cBatch: i32, m: i32, n: i32, k: i32, count: i32, work: usize, counter: usize, unit: i32, flags: i32): void {
  if (m <= 0 || n <= 0 || count <= 0) return;
  const byRows = flags & 1;
  const accumulate = (flags & 2) != 0;
  if (unit <= 0) unit = byRows ? m : n;
  const perProduct = byRows ? (m + unit - 1) / unit : (n + unit - 1) / unit;
  const total = count * perProduct;
  let next = 0;
  for (;;) {
    let u = next++;
    if (counter != 0) u = takeUnit(counter);
    if (u >= total) return;
    const t = u / perProduct;
    const first = (u - t * perProduct) * unit;
    const ta = a + ((<usize>t * aBatch) << 2);
    const tb = b + ((<usize>t * bBatch) << 2);
    const tc = c + ((<usize>t * cBatch) << 2);
    if (byRows) {
      gemmOne(ta + ((<usize>first * aRow) << 2), aRow, aCol, tb, bRow, bCol, tc + ((<usize>first * ldc) << 2), ldc, min(unit, m - first),
          n, k, work, accumulate);
    } else {
      gemmOne(ta, aRow, aCol, tb + ((<usize>first * bCol) << 2), bRow, bCol, tc + (<usize>first << 2), ldc, m, min(unit, n - first), k,
          work, accumulate);
    }
  }
}

// ---- products of operands packed once (the recurrent sequences: one W_hh for every step) ---------
//
// gemmPackB packs a whole k × n op(B) (k · npad floats, npad = n rounded up to NR) depth block by
// depth block: block pc (KC deep, the last one shorter) starts at float pc·npad and holds the
// 8-column micro-panels of packB, panel q at q·8·kc. gemmPackA packs op(A) [m, k] the same way
// (k · mpad floats, mpad = m rounded up to MR; 4-row micro-panels, panel r of block pc at
// pc·mpad + r·4·kc). gemmPacked multiplies the two with no packing of its own: a sequence packs
// W_hh once for all its steps, and each step packs only its small [B, k] operand.
// (Reading that operand in place, as kernelInPlace does, measured ~10% slower here than packing it.)

/** Packs op(B) [k, n] (op(B)[p, j] at b + 4·(p·bRow + j·bCol)) for gemmPacked into dst. */
export function gemmPackB(b: usize, bRow: i32, bCol: i32, k: i32, n: i32, dst: usize): void {
  const npad = ((n + NR - 1) / NR) * NR;
  for (let pc = 0; pc < k; pc += KC) {
    packB(b + ((<usize>pc * bRow) << 2), bRow, bCol, min(KC, k - pc), n, dst + ((<usize>pc * npad) << 2));
  }
}

/** Packs op(A) [m, k] (op(A)[i, p] at a + 4·(i·aRow + p·aCol)) for gemmPacked into dst. */
export function gemmPackA(a: usize, aRow: i32, aCol: i32, m: i32, k: i32, dst: usize): void {
  const mpad = ((m + MR - 1) / MR) * MR;
  for (let pc = 0; pc < k; pc += KC) {
    packA(a + ((<usize>pc * aCol) << 2), aRow, aCol, m, min(KC, k - pc), dst + ((<usize>pc * mpad) << 2));
  }
}

/**
 * C = A · B for A packed by gemmPackA (m × k) and B by gemmPackB (k × n): C[i, j] at
 * c + 4·(i·ldc + j), written, not accumulated (k = 0 writes zeros). `tile` is 128 bytes of
 * scratch for a tile at C's edges.
 */
export function gemmPacked(pa: usize, pb: usize, c: usize, ldc: i32, m: i32, n: i32, k: i32, tile: usize): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    for (let i = 0; i < m; i++) memory.fill(c + ((<usize>i * ldc) << 2), 0, <usize>n << 2);
    return;
  }
  const npad = ((n + NR - 1) / NR) * NR;
  const mpad = ((m + MR - 1) / MR) * MR;
  for (let ic = 0; ic < m; ic += MC) {
    const mc = min(MC, m - ic);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const aBlock = pa + ((<usize>pc * mpad + <usize>ic * kc) << 2);
      const bBlock = pb + ((<usize>pc * npad) << 2);
      for (let jr = 0; jr < n; jr += NR) {
        const panel = bBlock + ((<usize>jr * kc) << 2);
        const cCols = c + ((<usize>ic * ldc + jr) << 2);
        // The B panel (kc × 8) stays in L1 while the row panels of the A block pass over it.
        for (let ir = 0; ir < mc; ir += MR) {
          kernelPacked(kc, aBlock + ((<usize>ir * kc) << 2), panel, cCols + ((<usize>ir * ldc) << 2), ldc, min(MR, mc - ir), min(NR,
              n - jr), pc == 0, tile);
        }
      }
    }
  }
}

/** The next unit number from the shared counter. */
@inline function takeUnit(counter: usize): i32 {
  if (ASC_FEATURE_THREADS) return atomic.add<i32>(counter, 1);
  // Without threads (a plain memory) there is no other thread to share with.
  const u = load<i32>(counter);
  store<i32>(counter, u + 1);
  return u;
}

function gemmOne(a: usize, aRow: i32, aCol: i32, b: usize, bRow: i32, bCol: i32, c: usize, ldc: i32, m: i32, n: i32, k: i32,
    work: usize, accumulate: bool): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (accumulate) return;
    for (let i = 0; i < m; i++) memory.fill(c + ((<usize>i * ldc) << 2), 0, <usize>n << 2);
    return;
  }
  const pb = work;
  const pa = work + PACK_B_BYTES;
  const tile = pa + PACK_A_BYTES;
  const inPlace = n <= IN_PLACE_MAX_N;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const first = pc == 0 && !accumulate;
      packB(b + ((<usize>pc * bRow + <usize>jc * bCol) << 2), bRow, bCol, kc, nc, pb);
      const cBlock = c + (<usize>jc << 2);
      if (inPlace) {
        blockInPlace(a + ((<usize>pc * aCol) << 2), aRow, aCol, m, kc, nc, pb, cBlock, ldc, first, tile);
        continue;
      }
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA(a + ((<usize>ic * aRow + <usize>pc * aCol) << 2), aRow, aCol, mc, kc, pa);
        const cRows = cBlock + ((<usize>ic * ldc) << 2);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const bPanel = pb + ((<usize>jr * kc) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            kernelPacked(kc, pa + ((<usize>ir * kc) << 2), bPanel, cRows + ((<usize>ir * ldc + jr) << 2), ldc, mr, nr, first, tile);
          }
        }
      }
    }
  }
}

/**
 * The packed B block times op(A) read in place: for each band of 4 rows, every B micro-panel.
 * A row band stays in L1 across the (few) panels. Rows past m repeat the last row, whose sums are
 * then dropped, so nothing is read outside op(A).
 */
function blockInPlace(a: usize, aRow: i32, aCol: i32, m: i32, kc: i32, nc: i32, pb: usize, c: usize, ldc: i32, first: bool,
    tile: usize): void {
  const rowStep = <usize>aRow << 2;
  const colStep = <usize>aCol << 2;
  for (let ir = 0; ir < m; ir += MR) {
    const mr = min(MR, m - ir);
    const a0 = a + <usize>ir * rowStep;
    const a1 = mr > 1 ? a0 + rowStep : a0;
    const a2 = mr > 2 ? a0 + 2 * rowStep : a1;
    const a3 = mr > 3 ? a0 + 3 * rowStep : a2;
    for (let jr = 0; jr < nc; jr += NR) {
      const nr = min(NR, nc - jr);
      kernelInPlace(kc, a0, a1, a2, a3, colStep, pb + ((<usize>jr * kc) << 2), c + ((<usize>ir * ldc + jr) << 2), ldc, mr, nr, first, tile);
    }
  }
}

/** 4 × 8 tile from a packed A micro-panel (4 values per step) and a packed B micro-panel (8 per step). */
function kernelPacked(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, mr: i32, nr: i32, first: bool, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const end = pb + ((<usize>kc * NR) << 2);
  while (pb < end) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let x = v128.load32_splat(pa);
    c00 = madd(x, b0, c00);
    c01 = madd(x, b1, c01);
    x = v128.load32_splat(pa, 4);
    c10 = madd(x, b0, c10);
    c11 = madd(x, b1, c11);
    x = v128.load32_splat(pa, 8);
    c20 = madd(x, b0, c20);
    c21 = madd(x, b1, c21);
    x = v128.load32_splat(pa, 12);
    c30 = madd(x, b0, c30);
    c31 = madd(x, b1, c31);
    pa += 16;
    pb += 32;
  }
  storeTile(c, ldc, mr, nr, first, tile, c00, c01, c10, c11, c20, c21, c30, c31);
}

/** 4 × 8 tile reading op(A) in place (four row pointers, `colStep` bytes per step). */
function kernelInPlace(kc: i32, a0: usize, a1: usize, a2: usize, a3: usize, colStep: usize, pb: usize, c: usize, ldc: i32, mr: i32,
    nr: i32, first: bool, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const end = pb + ((<usize>kc * NR) << 2);
  while (pb < end) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let x = v128.load32_splat(a0);
    c00 = madd(x, b0, c00);
    c01 = madd(x, b1, c01);
    x = v128.load32_splat(a1);
    c10 = madd(x, b0, c10);
    c11 = madd(x, b1, c11);
    x = v128.load32_splat(a2);
    c20 = madd(x, b0, c20);
    c21 = madd(x, b1, c21);
    x = v128.load32_splat(a3);
    c30 = madd(x, b0, c30);
    c31 = madd(x, b1, c31);
    a0 += colStep;
    a1 += colStep;
    a2 += colStep;
    a3 += colStep;
    pb += 32;
  }
  storeTile(c, ldc, mr, nr, first, tile, c00, c01, c10, c11, c20, c21, c30, c31);
}

/** Writes (first k block) or adds the live mr × nr part of a 4 × 8 tile into C. */
@inline function storeTile(c: usize, ldc: i32, mr: i32, nr: i32, first: bool, tile: usize, c00: v128, c01: v128, c10: v128, c11: v128,
    c20: v128, c21: v128, c30: v128, c31: v128): void {
  const rowBytes = <usize>ldc << 2;
  if (mr == MR && nr == NR) {
    const r1 = c + rowBytes;
    const r2 = r1 + rowBytes;
    const r3 = r2 + rowBytes;
    if (first) {
      v128.store(c, c00);
      v128.store(c, c01, 16);
      v128.store(r1, c10);
      v128.store(r1, c11, 16);
      v128.store(r2, c20);
      v128.store(r2, c21, 16);
      v128.store(r3, c30);
      v128.store(r3, c31, 16);
    } else {
      v128.store(c, f32x4.add(v128.load(c), c00));
      v128.store(c, f32x4.add(v128.load(c, 16), c01), 16);
      v128.store(r1, f32x4.add(v128.load(r1), c10));
      v128.store(r1, f32x4.add(v128.load(r1, 16), c11), 16);
      v128.store(r2, f32x4.add(v128.load(r2), c20));
      v128.store(r2, f32x4.add(v128.load(r2, 16), c21), 16);
      v128.store(r3, f32x4.add(v128.load(r3), c30));
      v128.store(r3, f32x4.add(v128.load(r3, 16), c31), 16);
    }
    return;
  }
  v128.store(tile, c00);
  v128.store(tile, c01, 16);
  v128.store(tile, c10, 32);
  v128.store(tile, c11, 48);
  v128.store(tile, c20, 64);
  v128.store(tile, c21, 80);
  v128.store(tile, c30, 96);
  v128.store(tile, c31, 112);
  for (let i = 0; i < mr; i++) {
    const src = tile + ((<usize>i * NR) << 2);
    const dst = c + <usize>i * rowBytes;
    for (let j = 0; j < nr; j++) {
      const at = dst + (<usize>j << 2);
      const v = load<f32>(src + (<usize>j << 2));
      store<f32>(at, first ? v : load<f32>(at) + v);
    }
  }
}

// ---- packing -------------------------------------------------------------------------------------

/** Transposes the 4 × 4 block whose rows are r0..r3 and stores its columns 16·stride bytes apart. */
@inline function storeTransposed(dst: usize, stride: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  const t0 = v128.shuffle<i32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<i32>(r0, r1, 2, 6, 3, 7);
  const t2 = v128.shuffle<i32>(r2, r3, 0, 4, 1, 5);
  const t3 = v128.shuffle<i32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<i32>(t0, t2, 0, 1, 4, 5));
  v128.store(dst + stride, v128.shuffle<i32>(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * stride, v128.shuffle<i32>(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * stride, v128.shuffle<i32>(t1, t3, 2, 3, 6, 7));
}

/**
 * Packs `rows × depth` of op(A) (op(A)[i, p] at a + 4·(i·aRow + p·aCol)) into 4-row micro-panels:
 * panel r holds, for each p, rows 4r..4r+3 at p (zero past the last row).
 */
function packA(a: usize, aRow: i32, aCol: i32, rows: i32, depth: i32, dst: usize): void {
  const rowStep = <usize>aRow << 2;
  const colStep = <usize>aCol << 2;
  for (let r = 0; r < rows; r += MR) {
    const live = min(MR, rows - r);
    const src = a + <usize>r * rowStep;
    let p = 0;
    if (live == MR && aCol == 1) {
      // rows contiguous along p: 4 × 4 transposes
      for (; p + 3 < depth; p += 4) {
        const s = src + (<usize>p << 2);
        storeTransposed(dst, 16, v128.load(s), v128.load(s + rowStep), v128.load(s + 2 * rowStep), v128.load(s + 3 * rowStep));
        dst += 64;
      }
    } else if (live == MR && aRow == 1) {
      // the 4 rows at one p are contiguous
      for (; p < depth; p++) {
        v128.store(dst, v128.load(src + <usize>p * colStep));
        dst += 16;
      }
    }
    for (; p < depth; p++) {
      const s = src + <usize>p * colStep;
      for (let i = 0; i < MR; i++) store<f32>(dst + (<usize>i << 2), i < live ? load<f32>(s + <usize>i * rowStep) : 0);
      dst += 16;
    }
  }
}

/**
 * Packs `depth × cols` of op(B) (op(B)[p, j] at b + 4·(p·bRow + j·bCol)) into 8-column
 * micro-panels: panel q holds, for each p, columns 8q..8q+7 at p (zero past the last column).
 */
function packB(b: usize, bRow: i32, bCol: i32, depth: i32, cols: i32, dst: usize): void {
  const rowStep = <usize>bRow << 2;
  const colStep = <usize>bCol << 2;
  for (let q = 0; q < cols; q += NR) {
    const live = min(NR, cols - q);
    const src = b + <usize>q * colStep;
    let p = 0;
    if (live == NR && bCol == 1) {
      // a row of op(B) is contiguous: copy 8 values per step
      for (; p < depth; p++) {
        const s = src + <usize>p * rowStep;
        v128.store(dst, v128.load(s));
        v128.store(dst, v128.load(s, 16), 16);
        dst += 32;
      }
    } else if (live == NR && bRow == 1) {
      // columns of op(B) are contiguous along p (B stored transposed): two 4 × 4 transposes per 4 steps
      const s4 = src + 4 * colStep;
      for (; p + 3 < depth; p += 4) {
        const o = <usize>p << 2;
        storeTransposed(dst, 32, v128.load(src + o), v128.load(src + colStep + o), v128.load(src + 2 * colStep + o),
            v128.load(src + 3 * colStep + o));
        storeTransposed(dst + 16, 32, v128.load(s4 + o), v128.load(s4 + colStep + o), v128.load(s4 + 2 * colStep + o),
            v128.load(s4 + 3 * colStep + o));
        dst += 128;
      }
    }
    for (; p < depth; p++) {
      const s = src + <usize>p * rowStep;
      for (let j = 0; j < NR; j++) store<f32>(dst + (<usize>j << 2), j < live ? load<f32>(s + <usize>j * colStep) : 0);
      dst += 32;
    }
  }
}

/**
 * The js backend's GEMM: a register-blocked, cache-blocked matrix multiply in plain TypeScript.
 *
 * Layout (the GotoBLAS / BLIS scheme, scaled to what V8 can keep in registers):
 * - the columns of op(B) are cut into panels of `NC`, the shared dimension into blocks of `KC`, and
 *   the rows of op(A) into blocks of `MC`;
 * - each `KC × NC` block of op(B) is packed into `NR`-wide micro-panels, each `MC × KC` block of
 *   op(A) into `MR`-tall micro-panels, both as contiguous Float64Array scratch. Packing is where a
 *   transpose flag is absorbed: it only changes the read pattern, the operands are never copied
 *   whole or transposed;
 * - a 4 × 4 micro-kernel keeps its 16 partial sums in local variables across the `KC` loop, so the
 *   innermost loop does 8 loads for 32 flops.
 *
 * Sums are accumulated in doubles. A float32 result is accumulated in a float64 scratch tile and
 * rounded once when written out, so it is `fround` of a double-precision dot product.
 * Products thinner than a micro-tile (matrix-vector, fewer than 4 rows or columns) take direct
 * loops: they are memory-bound, and packing would only add traffic.
 * Scratch buffers live at module level and grow on demand: a call allocates nothing once warm.
 */
import type { FloatArray } from '../../dtype.js';
import type { MatmulArgs } from '../backend.js';

/**
 * Micro-tile rows and columns. 2×4 … 8×4 tiles measured within a few percent of each other in
 * Node 20 (V8 spills some sums either way); 4 × 4 keeps edge tiles small.
 */
const MR = 4;
const NR = 4;
/** Depth of a packed block: a 4-row A micro-panel (8 KiB) and a B micro-panel stay in L1. */
const KC = 256;
/** Rows of op(A) packed at a time: MC × KC doubles = 128 KiB, within L2. */
const MC = 64;
/** Columns of op(B) packed at a time: KC × NC doubles = 2 MiB, within L3. */
const NC = 1024;
/** Rows of the float32 accumulation tile: ACC_ROWS × NC doubles = 4 MiB at most. */
const ACC_ROWS = 512;

let packA = new Float64Array(MC * KC);
let packB = new Float64Array(KC * MR);
let accTile = new Float64Array(0);
let rowAcc = new Float64Array(0);
/** Holds an edge tile's 16 sums before the valid part is stored. */
const edgeTile = new Float64Array(MR * NR);

/**
 * Batched GEMM (see `Backend.matmul`): for each batch `t`, `C_t = op(A_t) · op(B_t)` with
 * `A_t = a[t·aBatchStride …]`, `B_t = b[t·bBatchStride …]` (stride 0 broadcasts one matrix) and
 * `C_t = out[t·m·n …]`, written, not accumulated. op(A) is `[m, k]` (stored `[k, m]` when
 * `transA`), op(B) is `[k, n]` (stored `[n, k]` when `transB`).
 * @example matmul(a, b, out, { batch: 1, m: 2, n: 2, k: 3, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 })
 */
export function matmul({ a, b, out, ...params }: MatmulArgs): void {
  const { batch, m, n, k, transA, transB, aBatchStride, bBatchStride } = params;
  if (batch <= 0 || m === 0 || n === 0) return;
  const outStride = m * n;
  if (k === 0) {
    out.fill(0, 0, batch * outStride);
    return;
  }
  // A stack of row-major A's times one shared B is a single product with batch·m rows.
  if (batch > 1 && !transA && bBatchStride === 0 && aBatchStride === m * k) {
    gemm(a, 0, b, 0, out, 0, batch * m, n, k, false, transB);
    return;
  }
  for (let t = 0; t < batch; t++) {
    gemm(a, t * aBatchStride, b, t * bBatchStride, out, t * outStride, m, n, k, transA, transB);
  }
}

/** One product `C = op(A) · op(B)` with m, n, k ≥ 1, C contiguous `[m, n]` at `cOff`. */
function gemm(
  a: FloatArray,
  aOff: number,
  b: FloatArray,
  bOff: number,
  out: FloatArray,
  cOff: number,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
): void {
  // The blocked path wins from 4 × 4 × 4 up (measured); thinner products than one micro-tile
  // (matrix-vector, a handful of rows or columns) are memory-bound and take a direct loop.
  if (m >= MR && n >= NR) {
    blocked(a, aOff, b, bOff, out, cOff, m, n, k, transA, transB);
    return;
  }
  // A vector is stored the same way transposed or not: drop flags that change nothing.
  if (m === 1) transA = false;
  if (n === 1) transB = false;
  const aRow = transA ? 1 : k;
  const aCol = transA ? m : 1;
  if (m < MR) {
    if (transB) dotProducts(a, aOff, aRow, aCol, b, bOff, 1, k, out, cOff, m, n, k);
    else rowCombinations(a, aOff, aRow, aCol, b, bOff, out, cOff, m, n, k);
  } else if (transA && !transB) {
    outerProducts(a, aOff, b, bOff, out, cOff, m, n, k);
  } else {
    dotProducts(a, aOff, aRow, aCol, b, bOff, transB ? 1 : n, transB ? k : 1, out, cOff, m, n, k);
  }
}

// ---- the blocked path ------------------------------------------------------------------------

function blocked(
  a: FloatArray,
  aOff: number,
  b: FloatArray,
  bOff: number,
  out: FloatArray,
  cOff: number,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
): void {
  // op(A)[i, p] = a[aOff + i·aRow + p·aCol]; op(B)[p, j] = b[bOff + p·bRow + j·bCol]
  const aRow = transA ? 1 : k;
  const aCol = transA ? m : 1;
  const bRow = transB ? 1 : n;
  const bCol = transB ? k : 1;
  // float64 results accumulate in place, and so does anything with a single k block (each element
  // is stored once); otherwise float32 sums wait in a double tile, rounded once, a band of rows at a time.
  const direct = out instanceof Float64Array || k <= KC;
  const rowBand = direct ? m : ACC_ROWS;
  for (let r = 0; r < m; r += rowBand) {
    const rows = Math.min(rowBand, m - r);
    blockedBand(a, aOff + r * aRow, aRow, aCol, b, bOff, bRow, bCol, out, cOff + r * n, rows, n, k, direct);
  }
}

/** `rows` rows of the blocked product (see `blocked`), into `out` directly or through `accTile`. */
function blockedBand(
  a: FloatArray,
  aOff: number,
  aRow: number,
  aCol: number,
  b: FloatArray,
  bOff: number,
  bRow: number,
  bCol: number,
  out: FloatArray,
  cOff: number,
  m: number,
  n: number,
  k: number,
  direct: boolean,
): void {
  const ncMax = Math.min(NC, n);
  if (!direct && accTile.length < m * ncMax) accTile = new Float64Array(m * ncMax);
  const kcMax = Math.min(KC, k);
  if (packB.length < kcMax * roundUp(ncMax, NR)) packB = new Float64Array(kcMax * roundUp(ncMax, NR));
  if (packA.length < kcMax * roundUp(Math.min(MC, m), MR)) packA = new Float64Array(kcMax * roundUp(Math.min(MC, m), MR));
  const pa = packA;
  const pb = packB;
  const c = direct ? out : accTile;

  for (let jc = 0; jc < n; jc += ncMax) {
    const nc = Math.min(ncMax, n - jc);
    // Where C[i, jc + j] lives in `c`.
    const cBase = direct ? cOff + jc : 0;
    const ldc = direct ? n : nc;
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packPanels(b, bOff + pc * bRow + jc * bCol, bCol, bRow, nc, kc, NR, pb);
      const accumulate = pc > 0;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packPanels(a, aOff + ic * aRow + pc * aCol, aRow, aCol, mc, kc, MR, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = Math.min(MR, mc - ir);
            microKernel(kc, pa, ir * kc, pb, jr * kc, c, cBase + (ic + ir) * ldc + jr, ldc, mr, nr, accumulate);
          }
        }
      }
    }
    if (!direct) {
      for (let i = 0; i < m; i++) {
        const src = i * nc;
        const dst = cOff + i * n + jc;
        for (let j = 0; j < nc; j++) out[dst + j] = accTile[src + j]!;
      }
    }
  }
}

/**
 * Packs `rows × depth` values into micro-panels `width` rows tall: panel `r` holds, for each `p`,
 * the `width` values `x[start + (r·width + i)·rowStep + p·depthStep]` (zero past the last row).
 * For A the rows are rows of op(A); for B they are columns of op(B). A transposed operand only
 * swaps the two steps.
 */
function packPanels(
  x: FloatArray,
  start: number,
  rowStep: number,
  depthStep: number,
  rows: number,
  depth: number,
  width: number,
  dst: Float64Array,
): void {
  let q = 0;
  for (let r = 0; r < rows; r += width) {
    const live = Math.min(width, rows - r);
    const base = start + r * rowStep;
    if (live === 4 && width === 4) {
      const r0 = base;
      const r1 = base + rowStep;
      const r2 = base + 2 * rowStep;
      const r3 = base + 3 * rowStep;
      for (let p = 0, s = 0; p < depth; p++, s += depthStep) {
        dst[q] = x[r0 + s]!;
        dst[q + 1] = x[r1 + s]!;
        dst[q + 2] = x[r2 + s]!;
        dst[q + 3] = x[r3 + s]!;
        q += 4;
      }
    } else {
      for (let p = 0; p < depth; p++) {
        const s = base + p * depthStep;
        for (let i = 0; i < live; i++) dst[q + i] = x[s + i * rowStep]!;
        for (let i = live; i < width; i++) dst[q + i] = 0;
        q += width;
      }
    }
  }
}

/**
 * `C[0:mr, 0:nr] (+)= Ap · Bp` over `kc` packed steps. The 16 sums stay in locals for the whole
 * loop; an edge tile computes the full 4 × 4 (padding is zero) and stores only its live part.
 */
function microKernel(
  kc: number,
  ap: Float64Array,
  ai: number,
  bp: Float64Array,
  bi: number,
  c: FloatArray,
  ci: number,
  ldc: number,
  mr: number,
  nr: number,
  accumulate: boolean,
): void {
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0;
  let c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0;
  let c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  // `| 0` keeps the index arithmetic in int32 without overflow checks (about 5% in Node 20).
  const end = (ai + 4 * kc) | 0;
  for (; ai < end; ai = (ai + 4) | 0, bi = (bi + 4) | 0) {
    const a0 = ap[ai]!;
    const a1 = ap[(ai + 1) | 0]!;
    const a2 = ap[(ai + 2) | 0]!;
    const a3 = ap[(ai + 3) | 0]!;
    const b0 = bp[bi]!;
    c00 += a0 * b0;
    c10 += a1 * b0;
    c20 += a2 * b0;
    c30 += a3 * b0;
    const b1 = bp[(bi + 1) | 0]!;
    c01 += a0 * b1;
    c11 += a1 * b1;
    c21 += a2 * b1;
    c31 += a3 * b1;
    const b2 = bp[(bi + 2) | 0]!;
    c02 += a0 * b2;
    c12 += a1 * b2;
    c22 += a2 * b2;
    c32 += a3 * b2;
    const b3 = bp[(bi + 3) | 0]!;
    c03 += a0 * b3;
    c13 += a1 * b3;
    c23 += a2 * b3;
    c33 += a3 * b3;
  }
  if (mr === 4 && nr === 4) {
    const r1 = ci + ldc;
    const r2 = r1 + ldc;
    const r3 = r2 + ldc;
    if (accumulate) {
      c[ci] = c[ci]! + c00;
      c[ci + 1] = c[ci + 1]! + c01;
      c[ci + 2] = c[ci + 2]! + c02;
      c[ci + 3] = c[ci + 3]! + c03;
      c[r1] = c[r1]! + c10;
      c[r1 + 1] = c[r1 + 1]! + c11;
      c[r1 + 2] = c[r1 + 2]! + c12;
      c[r1 + 3] = c[r1 + 3]! + c13;
      c[r2] = c[r2]! + c20;
      c[r2 + 1] = c[r2 + 1]! + c21;
      c[r2 + 2] = c[r2 + 2]! + c22;
      c[r2 + 3] = c[r2 + 3]! + c23;
      c[r3] = c[r3]! + c30;
      c[r3 + 1] = c[r3 + 1]! + c31;
      c[r3 + 2] = c[r3 + 2]! + c32;
      c[r3 + 3] = c[r3 + 3]! + c33;
    } else {
      c[ci] = c00;
      c[ci + 1] = c01;
      c[ci + 2] = c02;
      c[ci + 3] = c03;
      c[r1] = c10;
      c[r1 + 1] = c11;
      c[r1 + 2] = c12;
      c[r1 + 3] = c13;
      c[r2] = c20;
      c[r2 + 1] = c21;
      c[r2 + 2] = c22;
      c[r2 + 3] = c23;
      c[r3] = c30;
      c[r3 + 1] = c31;
      c[r3 + 2] = c32;
      c[r3 + 3] = c33;
    }
    return;
  }
  const t = edgeTile;
  t[0] = c00;
  t[1] = c01;
  t[2] = c02;
  t[3] = c03;
  t[4] = c10;
  t[5] = c11;
  t[6] = c12;
  t[7] = c13;
  t[8] = c20;
  t[9] = c21;
  t[10] = c22;
  t[11] = c23;
  t[12] = c30;
  t[13] = c31;
  t[14] = c32;
  t[15] = c33;
  for (let i = 0; i < mr; i++) {
    const row = ci + i * ldc;
    for (let j = 0; j < nr; j++) c[row + j] = accumulate ? c[row + j]! + t[i * NR + j]! : t[i * NR + j]!;
  }
}

// ---- the direct paths (tiny products, matrix-vector shapes) -----------------------------------

/**
 * `C[i, j] = Σ_p op(A)[i, p] · op(B)[p, j]` as one dot product per output, with
 * op(A)[i, p] = `a[aOff + i·aRow + p·aCol]` and op(B)[p, j] = `b[bOff + p·bRow + j·bCol]`.
 * Four partial sums break the add latency chain.
 */
function dotProducts(
  a: FloatArray,
  aOff: number,
  aRow: number,
  aCol: number,
  b: FloatArray,
  bOff: number,
  bRow: number,
  bCol: number,
  out: FloatArray,
  cOff: number,
  m: number,
  n: number,
  k: number,
): void {
  const k4 = k - (k % 4);
  const contiguous = aCol === 1 && bRow === 1;
  for (let i = 0; i < m; i++) {
    const ai = aOff + i * aRow;
    for (let j = 0; j < n; j++) {
      const bj = bOff + j * bCol;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let p = 0;
      if (contiguous) {
        for (; p < k4; p += 4) {
          s0 += a[ai + p]! * b[bj + p]!;
          s1 += a[ai + p + 1]! * b[bj + p + 1]!;
          s2 += a[ai + p + 2]! * b[bj + p + 2]!;
          s3 += a[ai + p + 3]! * b[bj + p + 3]!;
        }
      } else {
        for (let ap = ai, bp = bj; p < k4; p += 4, ap += 4 * aCol, bp += 4 * bRow) {
          s0 += a[ap]! * b[bp]!;
          s1 += a[ap + aCol]! * b[bp + bRow]!;
          s2 += a[ap + 2 * aCol]! * b[bp + 2 * bRow]!;
          s3 += a[ap + 3 * aCol]! * b[bp + 3 * bRow]!;
        }
      }
      for (; p < k; p++) s0 += a[ai + p * aCol]! * b[bj + p * bRow]!;
      out[cOff + i * n + j] = s0 + s1 + (s2 + s3);
    }
  }
}

/**
 * Plain B, few rows: each output row is a combination of B's rows,
 * `C[i, :] = Σ_p op(A)[i, p] · B[p, :]`, four rows of B per pass over a double accumulator row.
 */
function rowCombinations(
  a: FloatArray,
  aOff: number,
  aRow: number,
  aCol: number,
  b: FloatArray,
  bOff: number,
  out: FloatArray,
  cOff: number,
  m: number,
  n: number,
  k: number,
): void {
  if (rowAcc.length < n) rowAcc = new Float64Array(n);
  const acc = rowAcc;
  for (let i = 0; i < m; i++) {
    acc.fill(0, 0, n);
    const ai = aOff + i * aRow;
    let p = 0;
    for (; p + 3 < k; p += 4) {
      const a0 = a[ai + p * aCol]!;
      const a1 = a[ai + (p + 1) * aCol]!;
      const a2 = a[ai + (p + 2) * aCol]!;
      const a3 = a[ai + (p + 3) * aCol]!;
      const b0 = bOff + p * n;
      const b1 = b0 + n;
      const b2 = b1 + n;
      const b3 = b2 + n;
      for (let j = 0; j < n; j++) acc[j] = acc[j]! + (a0 * b[b0 + j]! + a1 * b[b1 + j]!) + (a2 * b[b2 + j]! + a3 * b[b3 + j]!);
    }
    for (; p < k; p++) {
      const av = a[ai + p * aCol]!;
      const bp = bOff + p * n;
      for (let j = 0; j < n; j++) acc[j] = acc[j]! + av * b[bp + j]!;
    }
    const ci = cOff + i * n;
    for (let j = 0; j < n; j++) out[ci + j] = acc[j]!;
  }
}

/**
 * Aᵀ (stored `[k, m]`) times plain B with few columns: rank-1 updates `C += A[p, :]ᵀ · B[p, :]`
 * that read both operands row by row, into a double accumulator kept column by column so the
 * inner loop runs along A's rows.
 */
function outerProducts(
  a: FloatArray,
  aOff: number,
  b: FloatArray,
  bOff: number,
  out: FloatArray,
  cOff: number,
  m: number,
  n: number,
  k: number,
): void {
  const size = m * n;
  if (rowAcc.length < size) rowAcc = new Float64Array(size);
  const acc = rowAcc;
  acc.fill(0, 0, size);
  for (let j = 0; j < n; j++) {
    const cj = j * m;
    let p = 0;
    for (; p + 1 < k; p += 2) {
      const a0 = aOff + p * m;
      const a1 = a0 + m;
      const b0 = b[bOff + p * n + j]!;
      const b1 = b[bOff + (p + 1) * n + j]!;
      for (let i = 0; i < m; i++) acc[cj + i] = acc[cj + i]! + (a[a0 + i]! * b0 + a[a1 + i]! * b1);
    }
    for (; p < k; p++) {
      const a0 = aOff + p * m;
      const b0 = b[bOff + p * n + j]!;
      for (let i = 0; i < m; i++) acc[cj + i] = acc[cj + i]! + a[a0 + i]! * b0;
    }
  }
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[cOff + i * n + j] = acc[j * m + i]!;
}

function roundUp(x: number, multiple: number): number {
  return Math.ceil(x / multiple) * multiple;
}

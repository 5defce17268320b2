// The float32 LSTM stepper (Backend.createLstmStepper; src/backend/wasm/stepper.ts lays out its
// region): one call runs a whole step of a token model — every layer's gates, cells and the head —
// on weights packed once, with the state kept in the region between calls.
//
// The plan is a block of i32 words in the region (addresses are bytes; PLAN_* below name them). The
// state h of every row is laid out [h⁰ | h¹ | … | h^(L−1)] (row stride L·H), so layer k ≥ 1 reads
// [hᵏ⁻¹ (new) | hᵏ (old)], 2H contiguous floats, against one weight [W_ihᵏ | W_hhᵏ] of [4H, 2H]: one
// product per layer. Layer 0 reads h⁰ against W_hh⁰ and adds the table row of the token.
//
// Products: with few rows (`mode` 0), a matrix–vector product per row on weights packed in panels
// of 32 output rows (for each input p, the panel's 32 weights at p: one splat of x[p] and eight
// multiply-adds per p, read front to back); with more rows, the GEMM of gemm.ts on weights packed
// by gemmPackB and the rows packed by gemmPackA each step. The GEMM path may share a step's rows
// between threads (lstmStepperRowsF32): a row's layers and head depend on that row only.

import { gemmPackA, gemmPacked } from './gemm';
import { sigmoid, storeLanes, tanh } from './cell';
import { madd } from './vmath';

/** Output rows per panel of the matrix–vector layout. */
const PANEL: i32 = 32;

// Words of the plan.
const PLAN_LAYERS = 0;
const PLAN_HIDDEN = 1;
const PLAN_ROWS = 2;
const PLAN_OUTPUTS = 3;
const PLAN_MODE = 4;
const PLAN_TABLE = 5;
const PLAN_TOKENS = 6;
const PLAN_H = 7;
const PLAN_C = 8;
const PLAN_GATES = 9;
const PLAN_GATE_STRIDE = 10;
const PLAN_PACK_A = 11;
const PLAN_TILE = 12;
const PLAN_HEAD_WEIGHT = 13;
const PLAN_HEAD_BIAS = 14;
const PLAN_LOGITS = 15;
const PLAN_HEAD_TMP = 16;
/** Layer k's packed weight, bias (0 = none) and depth K at words FIRST_LAYER + 3k, + 1, + 2. */
const PLAN_FIRST_LAYER = 20;

@inline function word(plan: usize, index: i32): i32 {
  return load<i32>(plan + (<usize>index << 2));
}

/**
 * out[j] = Σ_p x[p]·W[j, p] for j < roundUp(n, 32), W packed in panels (panel q: for each p < k,
 * W[32q … 32q + 31, p]; rows past n zero). x is k floats; out is written.
 */
function matvecPanels(w: usize, x: usize, k: i32, n: i32, out: usize): void {
  const panelBytes = <usize>k * PANEL * 4;
  for (let q = 0; q < n; q += PANEL) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
    let p = w;
    const end = w + panelBytes;
    let xp = x;
    while (p < end) {
      const s = v128.load32_splat(xp);
      a0 = madd(s, v128.load(p), a0);
      a1 = madd(s, v128.load(p, 16), a1);
      a2 = madd(s, v128.load(p, 32), a2);
      a3 = madd(s, v128.load(p, 48), a3);
      a4 = madd(s, v128.load(p, 64), a4);
      a5 = madd(s, v128.load(p, 80), a5);
      a6 = madd(s, v128.load(p, 96), a6);
      a7 = madd(s, v128.load(p, 112), a7);
      p += 128;
      xp += 4;
    }
    v128.store(out, a0);
    v128.store(out, a1, 16);
    v128.store(out, a2, 32);
    v128.store(out, a3, 48);
    v128.store(out, a4, 64);
    v128.store(out, a5, 80);
    v128.store(out, a6, 96);
    v128.store(out, a7, 112);
    out += 128;
    w += panelBytes;
  }
}

// σ and tanh are cell.ts's (one exp and one division each, absolute errors of a few 1e−8): at textgen's
// default model, batch 64, the cells took ~130 µs of a 650 µs step with vmath's sigmoidf4 and tanhf4,
// ~90 µs with these.

/**
 * The cell of one row: gates (4H, packed i, f, g, o) + add (4H: a table row or the bias; 0 = none),
 * then c = σf·c + σi·tanh g and h = σo·tanh c, c updated in place, h written. Two passes, as in
 * recurrent.ts: the four independent gate activations first (σi·tanh g, σf and σo stored back over
 * the row's gates, the step's scratch), then the dependent c → tanh c → h chain.
 */
function cellRow(gates: usize, add: usize, hidden: i32, h: usize, c: usize): void {
  const block = <usize>hidden << 2;
  for (let j = 0; j < hidden; j += 4) {
    const o = <usize>j << 2;
    let gi = v128.load(gates + o);
    let gf = v128.load(gates + block + o);
    let gg = v128.load(gates + 2 * block + o);
    let go = v128.load(gates + 3 * block + o);
    if (add != 0) {
      gi = f32x4.add(gi, v128.load(add + o));
      gf = f32x4.add(gf, v128.load(add + block + o));
      gg = f32x4.add(gg, v128.load(add + 2 * block + o));
      go = f32x4.add(go, v128.load(add + 3 * block + o));
    }
    // Lane by lane at a block's end: a whole vector would overwrite the next block's first activations.
    const lanes = hidden - j;
    storeLanes(gates + o, f32x4.mul(sigmoid(gi), tanh(gg)), lanes);
    storeLanes(gates + block + o, sigmoid(gf), lanes);
    storeLanes(gates + 3 * block + o, sigmoid(go), lanes);
  }
  for (let j = 0; j < hidden; j += 4) {
    const o = <usize>j << 2;
    const cv = madd(v128.load(gates + block + o), v128.load(c + o), v128.load(gates + o));
    const lanes = hidden - j;
    // Lane by lane at the end: c and h of the next layer (or row) follow directly.
    storeLanes(c + o, cv, lanes);
    storeLanes(h + o, f32x4.mul(v128.load(gates + 3 * block + o), tanh(cv)), lanes);
  }
}

/** Bytes of the panel layout of a [n, k] weight (n rounded up to 32). */
export function stepperPanelBytes(n: i32, k: i32): i32 {
  return ((n + PANEL - 1) / PANEL) * PANEL * k * 4;
}

/**
 * Packs W [n, k] (row j at w + 4·j·ld, its k floats contiguous) into panels at dst (see
 * matvecPanels); rows past n are zeros.
 */
export function stepperPackPanels(w: usize, ld: i32, n: i32, k: i32, dst: usize): void {
  for (let q = 0; q < n; q += PANEL) {
    for (let i = 0; i < PANEL; i++) {
      const row = q + i;
      let d = dst + (<usize>i << 2);
      const src = w + ((<usize>row * ld) << 2);
      for (let p = 0; p < k; p++) {
        store<f32>(d, row < n ? load<f32>(src + (<usize>p << 2)) : 0);
        d += PANEL * 4;
      }
    }
    dst += <usize>k * PANEL * 4;
  }
}

/** One step of the stepper whose plan is at `plan` (see the file comment), every row on this thread. */
export function lstmStepperStepF32(plan: usize): void {
  const rows = word(plan, PLAN_ROWS);
  if (word(plan, PLAN_MODE) == 0) stepRowsMatvec(plan);
  else stepRowsGemm(plan, 0, rows);
}

/**
 * One step (GEMM mode) with the rows shared by threads: each takes chunks of `chunk` rows (a
 * multiple of 4) from the shared int32 at `counter` (0 = this call runs every chunk) and runs
 * them through every layer and the head. Rows never mix within a step, so the chunks need no
 * synchronisation; each packs its rows at its own place of the packed operand and spills its
 * edge tiles in its own 128 bytes (both sized for every row by the TS side).
 */
export function lstmStepperRowsF32(plan: usize, counter: usize, chunk: i32): void {
  const rows = word(plan, PLAN_ROWS);
  let local = 0;
  for (;;) {
    const u = takeChunk(counter, local++);
    const first = u * chunk;
    if (first >= rows) return;
    stepRowsGemm(plan, first, min(rows, first + chunk));
  }
}

/** The next chunk: from the shared counter (atomically with threads), else the local sequence. */
@inline function takeChunk(counter: usize, local: i32): i32 {
  if (counter == 0) return local;
  if (ASC_FEATURE_THREADS) return atomic.add<i32>(counter, 1);
  const u = load<i32>(counter);
  store<i32>(counter, u + 1);
  return u;
}

/**
 * Rows [first, end) of a step through the GEMM: every layer's gates and cells, then the head. The
 * packed operand of the rows starts at packA + 4·first·K_max (K_max = the deepest layer's depth;
 * first is a multiple of 4), their spill tile at tile + 32·first.
 */
function stepRowsGemm(plan: usize, first: i32, end: i32): void {
  const layers = word(plan, PLAN_LAYERS);
  const hidden = word(plan, PLAN_HIDDEN);
  const outputs = word(plan, PLAN_OUTPUTS);
  const table = <usize>word(plan, PLAN_TABLE);
  const gateStride = <usize>word(plan, PLAN_GATE_STRIDE) << 2;
  const rowBytes = <usize>(layers * hidden) << 2;
  const block = <usize>hidden << 2;
  const n4 = 4 * hidden;
  const m = end - first;
  const tokens = <usize>word(plan, PLAN_TOKENS) + (<usize>first << 2);
  const hAll = <usize>word(plan, PLAN_H) + <usize>first * rowBytes;
  const cAll = <usize>word(plan, PLAN_C) + <usize>first * rowBytes;
  const gates = <usize>word(plan, PLAN_GATES) + <usize>first * gateStride;
  const kMax = word(plan, PLAN_FIRST_LAYER + 3 * (layers - 1) + 2);
  const packA = <usize>word(plan, PLAN_PACK_A) + ((<usize>first * kMax) << 2);
  const tile = <usize>word(plan, PLAN_TILE) + (<usize>first << 5);
  for (let l = 0; l < layers; l++) {
    const w = <usize>word(plan, PLAN_FIRST_LAYER + 3 * l);
    const bias = <usize>word(plan, PLAN_FIRST_LAYER + 3 * l + 1);
    const k = word(plan, PLAN_FIRST_LAYER + 3 * l + 2);
    // Layer 0 reads h⁰; layer l ≥ 1 reads [hˡ⁻¹ | hˡ].
    const input = hAll + (l == 0 ? 0 : <usize>(l - 1) * block);
    gemmPackA(input, layers * hidden, 1, m, k, packA);
    gemmPacked(packA, w, gates, <i32>(gateStride >> 2), m, n4, k, tile);
    for (let r = 0; r < m; r++) {
      const add = l == 0 ? table + <usize>load<i32>(tokens + (<usize>r << 2)) * 4 * block : bias;
      const state = <usize>r * rowBytes + <usize>l * block;
      cellRow(gates + <usize>r * gateStride, add, hidden, hAll + state, cAll + state);
    }
  }
  // The head: logits [rows, outputs] = h^(L−1)·Wᵀ + b.
  const headW = <usize>word(plan, PLAN_HEAD_WEIGHT);
  const headB = <usize>word(plan, PLAN_HEAD_BIAS);
  const outBytes = <usize>outputs << 2;
  const logits = <usize>word(plan, PLAN_LOGITS) + <usize>first * outBytes;
  const top = hAll + <usize>(layers - 1) * block;
  gemmPackA(top, layers * hidden, 1, m, hidden, packA);
  gemmPacked(packA, headW, logits, outputs, m, outputs, hidden, tile);
  if (headB == 0) return;
  for (let r = 0; r < m; r++) {
    const o = logits + <usize>r * outBytes;
    for (let j = 0; j < outputs; j++) {
      const at = <usize>j << 2;
      store<f32>(o + at, load<f32>(o + at) + load<f32>(headB + at));
    }
  }
}

/** Every row of a step as matrix–vector products on panel-packed weights (mode 0). */
function stepRowsMatvec(plan: usize): void {
  const layers = word(plan, PLAN_LAYERS);
  const hidden = word(plan, PLAN_HIDDEN);
  const rows = word(plan, PLAN_ROWS);
  const outputs = word(plan, PLAN_OUTPUTS);
  const table = <usize>word(plan, PLAN_TABLE);
  const tokens = <usize>word(plan, PLAN_TOKENS);
  const hAll = <usize>word(plan, PLAN_H);
  const cAll = <usize>word(plan, PLAN_C);
  const gates = <usize>word(plan, PLAN_GATES);
  const gateStride = <usize>word(plan, PLAN_GATE_STRIDE) << 2;
  const rowBytes = <usize>(layers * hidden) << 2;
  const block = <usize>hidden << 2;
  const n4 = 4 * hidden;
  for (let l = 0; l < layers; l++) {
    const w = <usize>word(plan, PLAN_FIRST_LAYER + 3 * l);
    const bias = <usize>word(plan, PLAN_FIRST_LAYER + 3 * l + 1);
    const k = word(plan, PLAN_FIRST_LAYER + 3 * l + 2);
    const input = hAll + (l == 0 ? 0 : <usize>(l - 1) * block);
    for (let r = 0; r < rows; r++) matvecPanels(w, input + <usize>r * rowBytes, k, n4, gates + <usize>r * gateStride);
    for (let r = 0; r < rows; r++) {
      const add = l == 0 ? table + <usize>load<i32>(tokens + (<usize>r << 2)) * 4 * block : bias;
      const state = <usize>r * rowBytes + <usize>l * block;
      cellRow(gates + <usize>r * gateStride, add, hidden, hAll + state, cAll + state);
    }
  }
  const headW = <usize>word(plan, PLAN_HEAD_WEIGHT);
  const headB = <usize>word(plan, PLAN_HEAD_BIAS);
  const logits = <usize>word(plan, PLAN_LOGITS);
  const top = hAll + <usize>(layers - 1) * block;
  const outBytes = <usize>outputs << 2;
  const tmp = <usize>word(plan, PLAN_HEAD_TMP);
  for (let r = 0; r < rows; r++) {
    matvecPanels(headW, top + <usize>r * rowBytes, hidden, outputs, tmp);
    const o = logits + <usize>r * outBytes;
    if (headB == 0) {
      memory.copy(o, tmp, outBytes);
      continue;
    }
    let j = 0;
    for (; j + 4 <= outputs; j += 4) {
      const at = <usize>j << 2;
      v128.store(o + at, f32x4.add(v128.load(tmp + at), v128.load(headB + at)));
    }
    for (; j < outputs; j++) store<f32>(o + (<usize>j << 2), load<f32>(tmp + (<usize>j << 2)) + load<f32>(headB + (<usize>j << 2)));
  }
}

// Float32 forward steps of the fused LSTM and GRU cells (the contracts are on Backend in
// src/backend/backend.ts): all the sigmoids and tanhs of a step, four lanes at a time.
//
// Rows are H long and their blocks sit next to each other, so a vector past the end of a block
// would spill into the next block, which has already been written: the last (H mod 4) columns are
// stored lane by lane. Loads past the end are harmless (the caller pads the buffers).

import { gemmPackA, gemmPacked } from './gemm';
import { lstmRow, sigmoid, storeLanes, tanh } from './cell';
import { madd, sigmoidf4, tanhf4 } from './vmath';

/**
 * LSTM: gates [rows, 4H] packed i, f, g, o; cPrev, h, c [rows, H]; saved [rows, 5H] or 0:
 * c = σ(f)·cPrev + σ(i)·tanh(g), h = σ(o)·tanh(c), saved = σi, σf, tanh g, σo, tanh c. Without
 * saved, `gates` is overwritten with the activations (the caller's scratch copy).
 */
export function lstmForwardF32(gates: usize, cPrev: usize, rows: i32, hidden: i32, h: usize, c: usize, saved: usize): void {
  const blockBytes = <usize>hidden << 2;
  for (let r = 0; r < rows; r++) {
    const g0 = gates + <usize>r * 4 * blockBytes;
    const s0 = <usize>r * blockBytes;
    const v0 = saved + <usize>r * 5 * blockBytes;
    lstmRow(0, g0, 0, cPrev + s0, hidden, h + s0, c + s0, saved != 0 ? v0 : g0, saved != 0 ? v0 + 4 * blockBytes : 0);
  }
}

/**
 * GRU (PyTorch's step): xProj, hProj [rows, 3H] packed r, z, n; hPrev, h [rows, H]; saved
 * [rows, 3H] or 0: r = σ(x_r + h_r), z = σ(x_z + h_z), n = tanh(x_n + r·h_n), h = n + z·(hPrev − n).
 */
export function gruForwardF32(xProj: usize, hProj: usize, hPrev: usize, rows: i32, hidden: i32, h: usize, saved: usize): void {
  const blockBytes = <usize>hidden << 2;
  for (let row = 0; row < rows; row++) {
    const gRow = <usize>row * 3 * blockBytes;
    const sRow = <usize>row * blockBytes;
    for (let j = 0; j < hidden; j += 4) {
      const lanes = hidden - j;
      const o = <usize>j << 2;
      const x0 = xProj + gRow + o;
      const h0 = hProj + gRow + o;
      const r = sigmoidf4(f32x4.add(v128.load(x0), v128.load(h0)));
      const z = sigmoidf4(f32x4.add(v128.load(x0 + blockBytes), v128.load(h0 + blockBytes)));
      const n = tanhf4(f32x4.add(v128.load(x0 + 2 * blockBytes), f32x4.mul(r, v128.load(h0 + 2 * blockBytes))));
      const hv = f32x4.add(n, f32x4.mul(z, f32x4.sub(v128.load(hPrev + sRow + o), n)));
      storeLanes(h + sRow + o, hv, lanes);
      if (saved != 0) {
        const s0 = saved + gRow + o;
        storeLanes(s0, r, lanes);
        storeLanes(s0 + blockBytes, z, lanes);
        storeLanes(s0 + 2 * blockBytes, n, lanes);
      }
    }
  }
}

// ---- the steps of the fused sequences (src/backend/wasm/sequence.ts) and the LSTM backward -------
// A sequence step gets the recurrent product h·W_hhᵀ from the GEMM as its own operand (the GEMM
// writes C, it does not accumulate), and b_hh as a third (0 = none).

/**
 * One LSTM step of a sequence: gates = xProj + hProj + bias (bias [4H] or 0), then as
 * lstmForwardF32. xProj, hProj [rows, 4H]; cPrev, h, c [rows, H]; saved [rows, 5H] or 0. Without
 * saved, hProj is overwritten with the activations (it is the step's scratch).
 */
export function lstmStepF32(xProj: usize, hProj: usize, bias: usize, cPrev: usize, rows: i32, hidden: i32, h: usize, c: usize,
    saved: usize): void {
  const blockBytes = <usize>hidden << 2;
  for (let r = 0; r < rows; r++) {
    const gRow = <usize>r * 4 * blockBytes;
    const s0 = <usize>r * blockBytes;
    const v0 = saved + <usize>r * 5 * blockBytes;
    lstmRow(xProj + gRow, hProj + gRow, bias, cPrev + s0, hidden, h + s0, c + s0, saved != 0 ? v0 : hProj + gRow,
        saved != 0 ? v0 + 4 * blockBytes : 0);
  }
}

/**
 * The LSTM step's gradient (Backend.lstmCellBackward) from saved [rows, 5H] = σi, σf, tanh g, σo,
 * tanh c, with dh = dh + dhExtra (either 0 = none) and dc 0 = zeros:
 * dcTotal = dc + dh·σo·(1 − tanh²c); dGates [rows, 4H] = (dcTotal·tanh g·σi(1−σi),
 * dcTotal·cPrev·σf(1−σf), dcTotal·σi·(1 − tanh²g), dh·tanh c·σo(1−σo)); dcPrev = dcTotal·σf.
 * dcPrev may be dc (each vector is read before it is written).
 */
export function lstmBackwardF32(saved: usize, cPrev: usize, dh: usize, dhExtra: usize, dc: usize, rows: i32, hidden: i32, dGates: usize,
    dcPrev: usize): void {
  const blockBytes = <usize>hidden << 2;
  const one = f32x4.splat(1);
  for (let r = 0; r < rows; r++) {
    const v0 = saved + <usize>r * 5 * blockBytes;
    const g0 = dGates + <usize>r * 4 * blockBytes;
    const s0 = <usize>r * blockBytes;
    for (let j = 0; j < hidden; j += 4) {
      const lanes = hidden - j;
      const o = <usize>j << 2;
      const i = v128.load(v0 + o);
      const f = v128.load(v0 + blockBytes + o);
      const g = v128.load(v0 + 2 * blockBytes + o);
      const og = v128.load(v0 + 3 * blockBytes + o);
      const tc = v128.load(v0 + 4 * blockBytes + o);
      let dhv = dh != 0 ? v128.load(dh + s0 + o) : f32x4.splat(0);
      if (dhExtra != 0) dhv = f32x4.add(dhv, v128.load(dhExtra + s0 + o));
      let dcv = f32x4.mul(f32x4.mul(dhv, og), f32x4.sub(one, f32x4.mul(tc, tc)));
      if (dc != 0) dcv = f32x4.add(v128.load(dc + s0 + o), dcv);
      storeLanes(g0 + o, f32x4.mul(f32x4.mul(dcv, g), f32x4.mul(i, f32x4.sub(one, i))), lanes);
      storeLanes(g0 + blockBytes + o, f32x4.mul(f32x4.mul(dcv, v128.load(cPrev + s0 + o)), f32x4.mul(f, f32x4.sub(one, f))), lanes);
      storeLanes(g0 + 2 * blockBytes + o, f32x4.mul(f32x4.mul(dcv, i), f32x4.sub(one, f32x4.mul(g, g))), lanes);
      storeLanes(g0 + 3 * blockBytes + o, f32x4.mul(f32x4.mul(dhv, tc), f32x4.mul(og, f32x4.sub(one, og))), lanes);
      storeLanes(dcPrev + s0 + o, f32x4.mul(dcv, f), lanes);
    }
  }
}

/**
 * One GRU step of a sequence (PyTorch's): hProj [rows, 3H] holds h·W_hhᵀ from the GEMM and gets
 * biasHH added in place (saved that way for the backward pass); xProj [rows, 3H] gets biasIH
 * (either bias [3H] or 0 = none). Then r = σ(x_r + h_r), z = σ(x_z + h_z), n = tanh(x_n + r·h_n),
 * h = n + z·(hPrev − n); saved [rows, 3H] = r, z, n, or 0 (then hProj is the step's scratch and
 * its r and z blocks end up holding r and z).
 *
 * Two passes per row, as the LSTM step: r and z first (independent chains), then n and h.
 */
export function gruStepF32(xProj: usize, hProj: usize, biasIH: usize, biasHH: usize, hPrev: usize, rows: i32, hidden: i32, h: usize,
    saved: usize): void {
  const blockBytes = <usize>hidden << 2;
  for (let row = 0; row < rows; row++) {
    const gRow = <usize>row * 3 * blockBytes;
    const sRow = <usize>row * blockBytes;
    const x0 = xProj + gRow;
    const h0 = hProj + gRow;
    const act = saved != 0 ? saved + gRow : h0;
    for (let j = 0; j < hidden; j += 4) {
      const lanes = hidden - j;
      const o = <usize>j << 2;
      let hr = v128.load(h0 + o);
      let hz = v128.load(h0 + blockBytes + o);
      if (biasHH != 0) {
        hr = f32x4.add(hr, v128.load(biasHH + o));
        hz = f32x4.add(hz, v128.load(biasHH + blockBytes + o));
        if (saved != 0) {
          storeLanes(h0 + o, hr, lanes);
          storeLanes(h0 + blockBytes + o, hz, lanes);
        }
      }
      let xr = v128.load(x0 + o);
      let xz = v128.load(x0 + blockBytes + o);
      if (biasIH != 0) {
        xr = f32x4.add(xr, v128.load(biasIH + o));
        xz = f32x4.add(xz, v128.load(biasIH + blockBytes + o));
      }
      // Lane by lane at a block's end (act may be hProj: see lstmRow).
      storeLanes(act + o, sigmoid(f32x4.add(xr, hr)), lanes);
      storeLanes(act + blockBytes + o, sigmoid(f32x4.add(xz, hz)), lanes);
    }
    for (let j = 0; j < hidden; j += 4) {
      const lanes = hidden - j;
      const o = <usize>j << 2;
      let hn = v128.load(h0 + 2 * blockBytes + o);
      if (biasHH != 0) {
        hn = f32x4.add(hn, v128.load(biasHH + 2 * blockBytes + o));
        if (saved != 0) storeLanes(h0 + 2 * blockBytes + o, hn, lanes);
      }
      let xn = v128.load(x0 + 2 * blockBytes + o);
      if (biasIH != 0) xn = f32x4.add(xn, v128.load(biasIH + 2 * blockBytes + o));
      const n = tanh(madd(v128.load(act + o), hn, xn));
      const z = v128.load(act + blockBytes + o);
      storeLanes(h + sRow + o, madd(z, f32x4.sub(v128.load(hPrev + sRow + o), n), n), lanes);
      if (saved != 0) storeLanes(act + 2 * blockBytes + o, n, lanes);
    }
  }
}

/**
 * The GRU step's gradient with dh = dh + dhExtra + dhDirect (0 = none for either extra):
 * saved [rows, 3H] = r, z, n; hProj [rows, 3H] (its n block h_n is read); dn = dh(1 − z)(1 − n²),
 * dr = dn·h_n·r(1 − r), dz = dh(hPrev − n)·z(1 − z); writes dxProj = (dr, dz, dn),
 * dhProj = (dr, dz, dn·r) and dhPrev = dh·z (the direct term). dhPrev may be dhDirect.
 */
export function gruBackwardF32(saved: usize, hProj: usize, hPrev: usize, dh: usize, dhExtra: usize, dhDirect: usize, rows: i32,
    hidden: i32, dxProj: usize, dhProj: usize, dhPrev: usize): void {
  const blockBytes = <usize>hidden << 2;
  const one = f32x4.splat(1);
  for (let row = 0; row < rows; row++) {
    const gRow = <usize>row * 3 * blockBytes;
    const sRow = <usize>row * blockBytes;
    for (let j = 0; j < hidden; j += 4) {
      const lanes = hidden - j;
      const o = <usize>j << 2;
      const s = saved + gRow + o;
      const r = v128.load(s);
      const z = v128.load(s + blockBytes);
      const n = v128.load(s + 2 * blockBytes);
      let g = dh != 0 ? v128.load(dh + sRow + o) : f32x4.splat(0);
      if (dhExtra != 0) g = f32x4.add(g, v128.load(dhExtra + sRow + o));
      if (dhDirect != 0) g = f32x4.add(g, v128.load(dhDirect + sRow + o));
      const dn = f32x4.mul(f32x4.mul(g, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(n, n)));
      const dr = f32x4.mul(f32x4.mul(dn, v128.load(hProj + gRow + 2 * blockBytes + o)), f32x4.mul(r, f32x4.sub(one, r)));
      const dz = f32x4.mul(f32x4.mul(g, f32x4.sub(v128.load(hPrev + sRow + o), n)), f32x4.mul(z, f32x4.sub(one, z)));
      const x0 = dxProj + gRow + o;
      const p0 = dhProj + gRow + o;
      storeLanes(x0, dr, lanes);
      storeLanes(x0 + blockBytes, dz, lanes);
      storeLanes(x0 + 2 * blockBytes, dn, lanes);
      storeLanes(p0, dr, lanes);
      storeLanes(p0 + blockBytes, dz, lanes);
      storeLanes(p0 + 2 * blockBytes, f32x4.mul(dn, r), lanes);
      storeLanes(dhPrev + sRow + o, f32x4.mul(g, z), lanes);
    }
  }
}

// ---- whole sequences (src/backend/wasm/sequence.ts) ---------------------------------------------
// A layer-direction's recurrence in one call: every step's recurrent product on the packed W_hh
// (h·W_hhᵀ forward, dGates·W_hh backward; gemmPacked) and the fused step kernel above. Batch rows
// never mix in a recurrence, so the rows are cut into chunks of `chunk` that run the whole
// sequence on their own: threads take chunks from the shared int32 at `counter` (0 = this call
// runs every chunk) and never wait for each other between steps. Time-major [T, B, ·] storage: the
// rows of a chunk at step t are contiguous, from row t·B + first.
//
// `scratch` is this thread's (sequenceScratchBytes): the chunk's gate rows [chunk, width] (forward
// products), then the chunk's packed GEMM operand, then a spilled GEMM tile.

@inline function align64(bytes: usize): usize {
  return (bytes + 63) & ~(<usize>63);
}

/**
 * Bytes of one thread's scratch for a sequence call: gate rows [chunk, width] (width 0 = none), the packed [chunk, depth] GEMM
 * operand, a tile.
 */
export function sequenceScratchBytes(chunk: i32, width: i32, depth: i32): i32 {
  return <i32>(align64(<usize>chunk * width * 4) + align64(<usize>depth * (((chunk + 3) >> 2) << 2) * 4) + 128);
}

@inline function packedOperand(scratch: usize, chunk: i32, width: i32): usize {
  return scratch + align64(<usize>chunk * width * 4);
}

@inline function spillTile(scratch: usize, chunk: i32, width: i32, depth: i32): usize {
  return packedOperand(scratch, chunk, width) + align64(<usize>depth * (((chunk + 3) >> 2) << 2) * 4);
}

/** The next chunk: from the shared counter (atomically with threads), else the local sequence. */
@inline function takeChunk(counter: usize, local: i32): i32 {
  if (counter == 0) return local;
  if (ASC_FEATURE_THREADS) return atomic.add<i32>(counter, 1);
  const u = load<i32>(counter);
  store<i32>(counter, u + 1);
  return u;
}

/** C [m, n] = op(A)·W for a W packed by gemmPackB ([k, n]): packs op(A) [m, k] (A row-major, `lda`) into the scratch first. */
@inline function recurrentProduct(a: usize, lda: i32, packedW: usize, c: usize, m: i32, n: i32, k: i32, packedA: usize, tile: usize): void {
  gemmPackA(a, lda, 1, m, k, packedA);
  gemmPacked(packedA, packedW, c, n, m, n, k, tile);
}

/**
 * The step of a sequence's forward: as lstmStepF32, but saved [rows, 4H] holds σi, σf, tanh g, σo
 * only (the backward takes tanh c from the cells the sequence keeps anyway: a fifth less memory).
 */
@inline function lstmSequenceStep(xProj: usize, hProj: usize, bias: usize, cPrev: usize, rows: i32, hidden: i32, h: usize, c: usize,
    saved: usize): void {
  const blockBytes = <usize>hidden << 2;
  for (let r = 0; r < rows; r++) {
    const gRow = <usize>r * 4 * blockBytes;
    const s0 = <usize>r * blockBytes;
    lstmRow(xProj + gRow, hProj + gRow, bias, cPrev + s0, hidden, h + s0, c + s0, saved != 0 ? saved + gRow : hProj + gRow, 0);
  }
}

/**
 * The step of a sequence's backward: lstmBackwardF32 from saved [rows, 4H] (σi, σf, tanh g, σo)
 * and the step's cell c [rows, H], tanh c computed again (the forward's own function on the same
 * value, so the same bits); dh = dh + dhExtra (either 0 = none); dc [rows, H] is read and
 * overwritten with dcPrev.
 */
@inline function lstmSequenceBackStep(saved: usize, cPrev: usize, c: usize, dh: usize, dhExtra: usize, dc: usize, rows: i32, hidden: i32,
    dGates: usize): void {
  const blockBytes = <usize>hidden << 2;
  const one = f32x4.splat(1);
  for (let r = 0; r < rows; r++) {
    const v0 = saved + <usize>r * 4 * blockBytes;
    const g0 = dGates + <usize>r * 4 * blockBytes;
    const s0 = <usize>r * blockBytes;
    for (let j = 0; j < hidden; j += 4) {
      const lanes = hidden - j;
      const o = <usize>j << 2;
      const i = v128.load(v0 + o);
      const f = v128.load(v0 + blockBytes + o);
      const g = v128.load(v0 + 2 * blockBytes + o);
      const og = v128.load(v0 + 3 * blockBytes + o);
      const tc = tanh(v128.load(c + s0 + o));
      let dhv = dh != 0 ? v128.load(dh + s0 + o) : f32x4.splat(0);
      if (dhExtra != 0) dhv = f32x4.add(dhv, v128.load(dhExtra + s0 + o));
      const dcv = f32x4.add(v128.load(dc + s0 + o), f32x4.mul(f32x4.mul(dhv, og), f32x4.sub(one, f32x4.mul(tc, tc))));
      storeLanes(g0 + o, f32x4.mul(f32x4.mul(dcv, g), f32x4.mul(i, f32x4.sub(one, i))), lanes);
      storeLanes(g0 + blockBytes + o, f32x4.mul(f32x4.mul(dcv, v128.load(cPrev + s0 + o)), f32x4.mul(f, f32x4.sub(one, f))), lanes);
      storeLanes(g0 + 2 * blockBytes + o, f32x4.mul(f32x4.mul(dcv, i), f32x4.sub(one, f32x4.mul(g, g))), lanes);
      storeLanes(g0 + 3 * blockBytes + o, f32x4.mul(f32x4.mul(dhv, tc), f32x4.mul(og, f32x4.sub(one, og))), lanes);
      storeLanes(dc + s0 + o, f32x4.mul(dcv, f), lanes);
    }
  }
}

/**
 * lstmSequenceForward (Backend) for every chunk taken, steps k in [kFrom, kTo) of the processing
 * order: xProj [T, B, 4H] from time `tBase` on (the steps of the span), h0, c0 [B, H], W_hhᵀ packed
 * ([H, 4H]), bias [4H] or 0; writes hs, cs [T, B, H] and saved [T, B, 4H] (0 = none). A span after
 * the first starts from the states the span before wrote into hs and cs.
 */
export function lstmSequenceForwardF32(x: usize, h0: usize, c0: usize, packedW: usize, bias: usize, hs: usize, cs: usize, saved: usize,
    steps: i32, rows: i32, hidden: i32, reverse: i32, kFrom: i32, kTo: i32, tBase: i32, scratch: usize, counter: usize,
    chunk: i32): void {
  const width = 4 * hidden;
  const gates = scratch;
  const packedA = packedOperand(scratch, chunk, width);
  const tile = spillTile(scratch, chunk, width, hidden);
  const hBytes = <usize>hidden << 2;
  const chunks = (rows + chunk - 1) / chunk;
  for (let local = 0; ; local++) {
    const u = takeChunk(counter, local);
    if (u >= chunks) return;
    const first = u * chunk;
    const m = min(chunk, rows - first);
    const before = <usize>((reverse ? steps - kFrom : kFrom - 1) * rows + first) * hBytes;
    let hPrev = kFrom == 0 ? h0 + <usize>first * hBytes : hs + before;
    let cPrev = kFrom == 0 ? c0 + <usize>first * hBytes : cs + before;
    for (let k = kFrom; k < kTo; k++) {
      const t = reverse ? steps - 1 - k : k;
      const at = <usize>(t * rows + first);
      recurrentProduct(hPrev, hidden, packedW, gates, m, width, hidden, packedA, tile);
      const h = hs + at * hBytes;
      const c = cs + at * hBytes;
      const xAt = x + <usize>((t - tBase) * rows + first) * 4 * hBytes;
      lstmSequenceStep(xAt, gates, bias, cPrev, m, hidden, h, c, saved != 0 ? saved + at * 4 * hBytes : 0);
      hPrev = h;
      cPrev = c;
    }
  }
}

/**
 * lstmSequenceBackward (Backend) for every chunk taken, steps k from kTo − 1 down to kFrom of the
 * processing order: W_hh packed ([4H, H]), saved [T, B, 4H], c0 [B, H], cs [T, B, H], dHs (the
 * span's steps, from time `tBase` on) / dhLast [B, H] (0 = zeros); `dc` [B, H] holds dcLast (or
 * zeros) and is carried back through the steps, ending as dc0; `dhRec` [B, H] carries the
 * recurrent gradient dGates·W_hh of the step after, ending as dh0; writes dX (the span's [·, B, 4H]
 * from time `tBase` on). Spans run from the last one down, carrying dc and dhRec.
 */
export function lstmSequenceBackwardF32(packedW: usize, saved: usize, c0: usize, cs: usize, dHs: usize, dhLast: usize, dc: usize,
    dhRec: usize, dX: usize, steps: i32, rows: i32, hidden: i32, reverse: i32, kFrom: i32, kTo: i32, tBase: i32, scratch: usize,
    counter: usize, chunk: i32): void {
  const width = 4 * hidden;
  const packedA = packedOperand(scratch, chunk, 0);
  const tile = spillTile(scratch, chunk, 0, width);
  const hBytes = <usize>hidden << 2;
  const chunks = (rows + chunk - 1) / chunk;
  for (let local = 0; ; local++) {
    const u = takeChunk(counter, local);
    if (u >= chunks) return;
    const first = u * chunk;
    const m = min(chunk, rows - first);
    const rowOffset = <usize>first * hBytes;
    for (let k = kTo - 1; k >= kFrom; k--) {
      const t = reverse ? steps - 1 - k : k;
      const at = <usize>(t * rows + first);
      const slot = <usize>((t - tBase) * rows + first);
      // The previous state: c0, or the c the step before (in processing order) wrote.
      const cPrev = k == 0 ? c0 + rowOffset : cs + <usize>((reverse ? t + 1 : t - 1) * rows + first) * hBytes;
      const extra = k == steps - 1 ? (dhLast != 0 ? dhLast + rowOffset : 0) : dhRec + rowOffset;
      const dGates = dX + slot * 4 * hBytes;
      lstmSequenceBackStep(saved + at * 4 * hBytes, cPrev, cs + at * hBytes, dHs != 0 ? dHs + slot * hBytes : 0, extra, dc + rowOffset, m,
          hidden, dGates);
      recurrentProduct(dGates, width, packedW, dhRec + rowOffset, m, hidden, width, packedA, tile);
    }
  }
}

/** out[j] += Σ_r x[r·ld + j] for j < cols: the column sums of x [rows, cols] (row stride `ld` floats), added to out. */
export function columnSumF32(x: usize, rows: i32, cols: i32, ld: i32, out: usize): void {
  const vectorCols = cols & ~3;
  const rowBytes = <usize>ld << 2;
  // Four rows at a time: one load and store of out per four rows' values.
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const r0 = x + <usize>r * rowBytes;
    for (let j = 0; j < vectorCols; j += 4) {
      const o = <usize>j << 2;
      const pair0 = f32x4.add(v128.load(r0 + o), v128.load(r0 + rowBytes + o));
      const pair1 = f32x4.add(v128.load(r0 + 2 * rowBytes + o), v128.load(r0 + 3 * rowBytes + o));
      v128.store(out + o, f32x4.add(v128.load(out + o), f32x4.add(pair0, pair1)));
    }
    for (let j = vectorCols; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(out + o, load<f32>(out + o) + load<f32>(r0 + o) + load<f32>(r0 + rowBytes + o) + load<f32>(r0 + 2 * rowBytes + o) +
          load<f32>(r0 + 3 * rowBytes + o));
    }
  }
  for (; r < rows; r++) {
    const r0 = x + <usize>r * rowBytes;
    for (let j = 0; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(out + o, load<f32>(out + o) + load<f32>(r0 + o));
    }
  }
}

/**
 * gruSequenceForward (Backend) for every chunk taken: xProj [T, B, 3H], h0 [B, H], W_hhᵀ packed
 * ([H, 3H]), biasIH, biasHH [3H] or 0; writes hs [T, B, H], and saved and hProj [T, B, 3H] unless
 * 0 (then the step's hProj rows sit in the scratch).
 */
export function gruSequenceForwardF32(x: usize, h0: usize, packedW: usize, biasIH: usize, biasHH: usize, hs: usize, saved: usize,
    hProj: usize, steps: i32, rows: i32, hidden: i32, reverse: i32, scratch: usize, counter: usize, chunk: i32): void {
  const width = 3 * hidden;
  // The step's hProj rows need the scratch only when hProj is not kept.
  const gateRows = hProj != 0 ? 0 : width;
  const packedA = packedOperand(scratch, chunk, gateRows);
  const tile = spillTile(scratch, chunk, gateRows, hidden);
  const hBytes = <usize>hidden << 2;
  const chunks = (rows + chunk - 1) / chunk;
  for (let local = 0; ; local++) {
    const u = takeChunk(counter, local);
    if (u >= chunks) return;
    const first = u * chunk;
    const m = min(chunk, rows - first);
    let hPrev = h0 + <usize>first * hBytes;
    for (let k = 0; k < steps; k++) {
      const at = <usize>((reverse ? steps - 1 - k : k) * rows + first);
      const hp = hProj != 0 ? hProj + at * 3 * hBytes : scratch;
      recurrentProduct(hPrev, hidden, packedW, hp, m, width, hidden, packedA, tile);
      const h = hs + at * hBytes;
      gruStepF32(x + at * 3 * hBytes, hp, biasIH, biasHH, hPrev, m, hidden, h, saved != 0 ? saved + at * 3 * hBytes : 0);
      hPrev = h;
    }
  }
}

/**
 * gruSequenceBackward (Backend) for every chunk taken: W_hh packed ([3H, H]), saved and hProj
 * [T, B, 3H], h0 [B, H], hs [T, B, H], dHs [T, B, H] / dhLast [B, H] (0 = zeros); `direct` and
 * `dhRec` [B, H] carry the direct (z ⊙ dh) and recurrent (dHProj·W_hh) gradients of the step
 * after, ending as the two terms of dh0; writes dX and dHProj [T, B, 3H].
 */
export function gruSequenceBackwardF32(packedW: usize, saved: usize, hProj: usize, h0: usize, hs: usize, dHs: usize, dhLast: usize,
    direct: usize, dhRec: usize, dX: usize, dHProj: usize, steps: i32, rows: i32, hidden: i32, reverse: i32,
    scratch: usize, counter: usize, chunk: i32): void {
  const width = 3 * hidden;
  const packedA = packedOperand(scratch, chunk, 0);
  const tile = spillTile(scratch, chunk, 0, width);
  const hBytes = <usize>hidden << 2;
  const chunks = (rows + chunk - 1) / chunk;
  for (let local = 0; ; local++) {
    const u = takeChunk(counter, local);
    if (u >= chunks) return;
    const first = u * chunk;
    const m = min(chunk, rows - first);
    const rowOffset = <usize>first * hBytes;
    for (let k = steps - 1; k >= 0; k--) {
      const t = reverse ? steps - 1 - k : k;
      const at = <usize>(t * rows + first);
      const last = k == steps - 1;
      const hPrev = k == 0 ? h0 + rowOffset : hs + <usize>((reverse ? t + 1 : t - 1) * rows + first) * hBytes;
      const dhp = dHProj + at * 3 * hBytes;
      gruBackwardF32(
        saved + at * 3 * hBytes,
        hProj + at * 3 * hBytes,
        hPrev,
        dHs != 0 ? dHs + at * hBytes : 0,
        last ? (dhLast != 0 ? dhLast + rowOffset : 0) : dhRec + rowOffset,
        last ? 0 : direct + rowOffset,
        m,
        hidden,
        dX + at * 3 * hBytes,
        dhp,
        direct + rowOffset,
      );
      recurrentProduct(dhp, width, packedW, dhRec + rowOffset, m, hidden, width, packedA, tile);
    }
  }
}


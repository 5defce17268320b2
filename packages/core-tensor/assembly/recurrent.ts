// Float32 forward steps of the fused LSTM and GRU cells (the contracts are on Backend in
// src/backend/backend.ts): all the sigmoids and tanhs of a step, four lanes at a time.
//
// Rows are H long and their blocks sit next to each other, so a vector past the end of a block
// would spill into the next block, which has already been written: the last (H mod 4) columns are
// stored lane by lane. Loads past the end are harmless (the caller pads the buffers).

import { sigmoidf4, tanhf4 } from './vmath';

/** Stores the first `lanes` (1…4) lanes of v at p. */
@inline function storeLanes(p: usize, v: v128, lanes: i32): void {
  if (lanes >= 4) {
    v128.store(p, v);
    return;
  }
  v128.store32_lane(p, v, 0);
  if (lanes > 1) v128.store32_lane(p, v, 1, 4);
  if (lanes > 2) v128.store32_lane(p, v, 2, 8);
}

/**
 * LSTM: gates [rows, 4H] packed i, f, g, o; cPrev, h, c [rows, H]; saved [rows, 5H] or 0:
 * c = σ(f)·cPrev + σ(i)·tanh(g), h = σ(o)·tanh(c), saved = σi, σf, tanh g, σo, tanh c.
 */
export function lstmForwardF32(gates: usize, cPrev: usize, rows: i32, hidden: i32, h: usize, c: usize, saved: usize): void {
  const blockBytes = <usize>hidden << 2;
  for (let r = 0; r < rows; r++) {
    const g0 = gates + <usize>r * 4 * blockBytes;
    const s0 = <usize>r * blockBytes;
    const v0 = saved + <usize>r * 5 * blockBytes;
    for (let j = 0; j < hidden; j += 4) {
      const lanes = hidden - j;
      const o = <usize>j << 2;
      const si = sigmoidf4(v128.load(g0 + o));
      const sf = sigmoidf4(v128.load(g0 + blockBytes + o));
      const tg = tanhf4(v128.load(g0 + 2 * blockBytes + o));
      const so = sigmoidf4(v128.load(g0 + 3 * blockBytes + o));
      const cv = f32x4.add(f32x4.mul(sf, v128.load(cPrev + s0 + o)), f32x4.mul(si, tg));
      const tc = tanhf4(cv);
      storeLanes(c + s0 + o, cv, lanes);
      storeLanes(h + s0 + o, f32x4.mul(so, tc), lanes);
      if (saved != 0) {
        storeLanes(v0 + o, si, lanes);
        storeLanes(v0 + blockBytes + o, sf, lanes);
        storeLanes(v0 + 2 * blockBytes + o, tg, lanes);
        storeLanes(v0 + 3 * blockBytes + o, so, lanes);
        storeLanes(v0 + 4 * blockBytes + o, tc, lanes);
      }
    }
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

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

// ---- the steps of the fused sequences (src/backend/wasm/sequence.ts) and the LSTM backward -------
// A sequence step gets the recurrent product h·W_hhᵀ from the GEMM as its own operand (the GEMM
// writes C, it does not accumulate), and b_hh as a third (0 = none).

/** xProj + hProj (+ bias) at byte offset `o` of a row's block, bias at `bo` of the bias vector. */
@inline function preActivation(x: usize, hp: usize, bias: usize, o: usize, bo: usize): v128 {
  const v = f32x4.add(v128.load(x + o), v128.load(hp + o));
  return bias != 0 ? f32x4.add(v, v128.load(bias + bo)) : v;
}

/**
 * One LSTM step of a sequence: gates = xProj + hProj + bias (bias [4H] or 0), then as
 * lstmForwardF32. xProj, hProj [rows, 4H]; cPrev, h, c [rows, H]; saved [rows, 5H] or 0.
 */
export function lstmStepF32(xProj: usize, hProj: usize, bias: usize, cPrev: usize, rows: i32, hidden: i32, h: usize, c: usize, saved: usize): void {
  const blockBytes = <usize>hidden << 2;
  for (let r = 0; r < rows; r++) {
    const gRow = <usize>r * 4 * blockBytes;
    const x0 = xProj + gRow;
    const h0 = hProj + gRow;
    const s0 = <usize>r * blockBytes;
    const v0 = saved + <usize>r * 5 * blockBytes;
    for (let j = 0; j < hidden; j += 4) {
      const lanes = hidden - j;
      const o = <usize>j << 2;
      const si = sigmoidf4(preActivation(x0, h0, bias, o, o));
      const sf = sigmoidf4(preActivation(x0, h0, bias, blockBytes + o, blockBytes + o));
      const tg = tanhf4(preActivation(x0, h0, bias, 2 * blockBytes + o, 2 * blockBytes + o));
      const so = sigmoidf4(preActivation(x0, h0, bias, 3 * blockBytes + o, 3 * blockBytes + o));
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
 * The LSTM step's gradient (Backend.lstmCellBackward) from saved [rows, 5H] = σi, σf, tanh g, σo,
 * tanh c, with dh = dh + dhExtra (dhExtra 0 = none) and dc 0 = zeros:
 * dcTotal = dc + dh·σo·(1 − tanh²c); dGates [rows, 4H] = (dcTotal·tanh g·σi(1−σi),
 * dcTotal·cPrev·σf(1−σf), dcTotal·σi·(1 − tanh²g), dh·tanh c·σo(1−σo)); dcPrev = dcTotal·σf.
 * dcPrev may be dc (each vector is read before it is written).
 */
export function lstmBackwardF32(saved: usize, cPrev: usize, dh: usize, dhExtra: usize, dc: usize, rows: i32, hidden: i32, dGates: usize, dcPrev: usize): void {
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
      let dhv = v128.load(dh + s0 + o);
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
 * h = n + z·(hPrev − n); saved [rows, 3H] = r, z, n, or 0.
 */
export function gruStepF32(xProj: usize, hProj: usize, biasIH: usize, biasHH: usize, hPrev: usize, rows: i32, hidden: i32, h: usize, saved: usize): void {
  const blockBytes = <usize>hidden << 2;
  for (let row = 0; row < rows; row++) {
    const gRow = <usize>row * 3 * blockBytes;
    const sRow = <usize>row * blockBytes;
    for (let j = 0; j < hidden; j += 4) {
      const lanes = hidden - j;
      const o = <usize>j << 2;
      const x0 = xProj + gRow + o;
      const h0 = hProj + gRow + o;
      let hr = v128.load(h0);
      let hz = v128.load(h0 + blockBytes);
      let hn = v128.load(h0 + 2 * blockBytes);
      if (biasHH != 0) {
        hr = f32x4.add(hr, v128.load(biasHH + o));
        hz = f32x4.add(hz, v128.load(biasHH + blockBytes + o));
        hn = f32x4.add(hn, v128.load(biasHH + 2 * blockBytes + o));
        storeLanes(h0, hr, lanes);
        storeLanes(h0 + blockBytes, hz, lanes);
        storeLanes(h0 + 2 * blockBytes, hn, lanes);
      }
      let xr = v128.load(x0);
      let xz = v128.load(x0 + blockBytes);
      let xn = v128.load(x0 + 2 * blockBytes);
      if (biasIH != 0) {
        xr = f32x4.add(xr, v128.load(biasIH + o));
        xz = f32x4.add(xz, v128.load(biasIH + blockBytes + o));
        xn = f32x4.add(xn, v128.load(biasIH + 2 * blockBytes + o));
      }
      const r = sigmoidf4(f32x4.add(xr, hr));
      const z = sigmoidf4(f32x4.add(xz, hz));
      const n = tanhf4(f32x4.add(xn, f32x4.mul(r, hn)));
      storeLanes(h + sRow + o, f32x4.add(n, f32x4.mul(z, f32x4.sub(v128.load(hPrev + sRow + o), n))), lanes);
      if (saved != 0) {
        const s0 = saved + gRow + o;
        storeLanes(s0, r, lanes);
        storeLanes(s0 + blockBytes, z, lanes);
        storeLanes(s0 + 2 * blockBytes, n, lanes);
      }
    }
  }
}

/**
 * The GRU step's gradient with dh = dh + dhExtra + dhDirect (0 = none for either extra):
 * saved [rows, 3H] = r, z, n; hProj [rows, 3H] (its n block h_n is read); dn = dh(1 − z)(1 − n²),
 * dr = dn·h_n·r(1 − r), dz = dh(hPrev − n)·z(1 − z); writes dxProj = (dr, dz, dn),
 * dhProj = (dr, dz, dn·r) and dhPrev = dh·z (the direct term). dhPrev may be dhDirect.
 */
export function gruBackwardF32(saved: usize, hProj: usize, hPrev: usize, dh: usize, dhExtra: usize, dhDirect: usize, rows: i32, hidden: i32, dxProj: usize, dhProj: usize, dhPrev: usize): void {
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

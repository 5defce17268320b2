// The cell arithmetic shared by the step kernels of recurrent.ts: σ and tanh four lanes at a time,
// partial stores at a row's end, and one row of the LSTM step. Not an entry file: nothing here is a
// module export.

import { madd } from './vmath';

/** Stores the first `lanes` (1…4) lanes of v at p. */
@inline export function storeLanes(p: usize, v: v128, lanes: i32): void {
  if (lanes >= 4) {
    v128.store(p, v);
    return;
  }
  v128.store32_lane(p, v, 0);
  if (lanes > 1) v128.store32_lane(p, v, 1, 4);
  if (lanes > 2) v128.store32_lane(p, v, 2, 8);
}

// ---- σ and tanh of the LSTM and GRU steps -------------------------------------------------------
// Latency, not arithmetic, bounds a step: the LSTM's chain σ → c → tanh c → h (the GRU's σ r →
// tanh n → h) is some 60 dependent operations, longer than the out-of-order window can hide when
// all of it sits in one loop. So a row takes two passes: the gate activations that do not depend
// on each other first, stored, then the rest from them while they are still in L1. σ and tanh here
// use one exp and one division each (tanh x = 1 − 2 / (1 + e^2x)), with absolute errors of a few
// 1e−8: what a cell needs (vmath's tanhf4 adds a polynomial near 0 for the relative error).
// Measured on the benchmark's step ([64, 128]): LSTM 1.7×, GRU 1.25× faster than one pass with
// vmath's functions. (Reading the constants from a table in memory instead of v128.const made the
// LSTM step slower, though not a plain σ loop.)

/**
 * e^x for lanes clamped to [−87, 88] (NaN kept): x = n·ln 2 + r, e^r by Cephes' polynomial, 2^n written into the exponent field (n
 * in [−126, 127]).
 */
@inline function expClamped(x: v128): v128 {
  // pmin / pmax return their first operand when the comparison fails, so NaN lanes stay NaN.
  x = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-87)), f32x4.splat(88));
  // n = round(x·log₂e) by the 1.5·2²³ trick (n sits in the low mantissa bits of `shifted`).
  const shifted = madd(x, f32x4.splat(1.44269504088896341), f32x4.splat(12582912));
  const n = f32x4.sub(shifted, f32x4.splat(12582912));
  let r = madd(n, f32x4.splat(-0.693359375), x);
  r = madd(n, f32x4.splat(2.12194440e-4), r);
  let p = f32x4.splat(1.9875691500e-4);
  p = madd(p, r, f32x4.splat(1.3981999507e-3));
  p = madd(p, r, f32x4.splat(8.3334519073e-3));
  p = madd(p, r, f32x4.splat(4.1665795894e-2));
  p = madd(p, r, f32x4.splat(1.6666665459e-1));
  p = madd(p, r, f32x4.splat(5.0000001201e-1));
  const y = f32x4.add(madd(f32x4.mul(p, r), r, r), f32x4.splat(1));
  // 2^n = (n + 127) << 23, with n = bits(shifted) − bits(1.5·2²³).
  return f32x4.mul(y, i32x4.shl(i32x4.add(shifted, i32x4.splat(127 - 0x4b400000)), 23));
}

/** σ(x) = 1 / (1 + e^−x): 1 from x ≈ 17 on, ~6e−39 below −87; NaN stays NaN. */
@inline export function sigmoid(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, expClamped(f32x4.neg(x))));
}

/** tanh x = 1 − 2 / (1 + e^2x): ±1 beyond |x| ≈ 9; NaN stays NaN. */
@inline export function tanh(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.sub(one, f32x4.div(f32x4.splat(2), f32x4.add(one, expClamped(f32x4.add(x, x)))));
}

// ---- LSTM ----------------------------------------------------------------------------------------

/** The pre-activation at byte offset `o` of a row's gate blocks: hp (+ x) (+ bias at `o`); 0 = no x or bias. */
@inline function preActivation(x: usize, hp: usize, bias: usize, o: usize): v128 {
  let v = v128.load(hp + o);
  if (x != 0) v = f32x4.add(v, v128.load(x + o));
  return bias != 0 ? f32x4.add(v, v128.load(bias + o)) : v;
}

/**
 * One row of the LSTM step. Gate pre-activations: `hp` (+ `x`) (+ `bias`), [4H] each, packed
 * i, f, g, o. The activations σi, σf, tanh g, σo go to `act` (4 blocks of H), which may be `hp`
 * itself; tanh c to `tanhC` (0 = not kept).
 */
@inline export function lstmRow(x: usize, hp: usize, bias: usize, cPrev: usize, hidden: i32, h: usize, c: usize, act: usize, tanhC: usize): void {
  const blockBytes = <usize>hidden << 2;
  for (let j = 0; j < hidden; j += 4) {
    const lanes = hidden - j;
    const o = <usize>j << 2;
    const vi = sigmoid(preActivation(x, hp, bias, o));
    const vf = sigmoid(preActivation(x, hp, bias, blockBytes + o));
    const vg = tanh(preActivation(x, hp, bias, 2 * blockBytes + o));
    const vo = sigmoid(preActivation(x, hp, bias, 3 * blockBytes + o));
    // Lane by lane at a block's end: a whole vector would overwrite the next block's first
    // pre-activations when act is hp (loads past the end only read lanes that are dropped).
    storeLanes(act + o, vi, lanes);
    storeLanes(act + blockBytes + o, vf, lanes);
    storeLanes(act + 2 * blockBytes + o, vg, lanes);
    storeLanes(act + 3 * blockBytes + o, vo, lanes);
  }
  for (let j = 0; j < hidden; j += 4) {
    const lanes = hidden - j;
    const o = <usize>j << 2;
    const cv = madd(v128.load(act + blockBytes + o), v128.load(cPrev + o), f32x4.mul(v128.load(act + o),
        v128.load(act + 2 * blockBytes + o)));
    const tc = tanh(cv);
    storeLanes(c + o, cv, lanes);
    storeLanes(h + o, f32x4.mul(v128.load(act + 3 * blockBytes + o), tc), lanes);
    if (tanhC != 0) storeLanes(tanhC + o, tc, lanes);
  }
}

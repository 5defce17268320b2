/**
 * Whole-array Bernoulli kernels over the xoshiro128** stream of a `Generator`, with its four state
 * words held in locals: `fillBernoulli` (a mask) and `scaleByBernoulli` (dropout's mask applied as
 * it is drawn). Each draw is exactly `Generator.nextUint32`'s, so the values a given state gives do
 * not depend on which loop runs.
 *
 * Why one loop per array type, and no branch on the draw: V8 compiles `out[i] = …` for the array
 * types a loop has seen, so a loop shared by Float32Array, Float64Array and plain arrays is slower
 * than one per type; and `u < t ? a : b` on a random u is a branch the CPU mispredicts on about
 * min(keep, 1 − keep) of the elements. The keep test is arithmetic instead:
 * `⌊(u − t)·2⁻³²⌋` is −1 when u < t and 0 otherwise (|u − t| < 2³², and the subtraction is exact in
 * its sign). Measured in Node 20 on a 2-core AMD EPYC (load 2–3) over Cora's [2708, 1433] float32
 * features at keep 0.4: the former branchy mask fill plus a separate multiply 32.5 ms, this fused
 * loop 10.5 ms, and 5.0–6.3 ms on Cora's own features (1.3% non-zero: the sparse loop below,
 * which skips the draw's output function on zeros and only advances the state). A branch-free
 * AssemblyScript kernel of the same stream measured 10.5 ms with its copies in and out (level with
 * this loop) and 2.9 ms for stepping the state alone, which cannot pay for copying 15.5 MB in and
 * out on sparse inputs; a jump-ahead table (the state is linear over GF(2), so 64 steps are one
 * table product) measured 11.4 ms against 5.0 ms for stepping. So there is no wasm kernel.
 */
import type { FloatArray } from '../dtype.js';

/** 2⁻³². */
const INV_2_32 = 2.3283064365386963e-10;

/** How many elements the sparse-or-dense choice of {@link scaleByBernoulli} samples. */
const DENSITY_SAMPLES = 256;

/** A loop of `scaleByBernoulli`: the words are read and written back advanced by x.length draws. */
type ScaleLoop = (words: Int32Array, x: FloatArray, out: FloatArray, threshold: number, scale: number) => void;

/**
 * `out[i] = x[i] · (u_i < keep·2³² ? scale : 0)` for i < x.length, u_i the i-th draw of the stream
 * whose state is `words` (s0..s3, advanced in place by x.length draws). The product is the one a
 * mask multiply gives (x·0 keeps NaN, and −0 for a negative x; float32 storage rounds once, as a
 * float32 multiply). `out` must be zero-filled (as `alloc` gives it): where x is sparse (under 1/8
 * of a sample of its elements non-zero) only its non-zero elements are written. x and out have
 * one dtype and length.
 */
export function scaleByBernoulli(words: Int32Array, x: FloatArray, out: FloatArray, keep: number, scale: number): void {
  const threshold = keep * 4294967296;
  let loop: ScaleLoop = scaleGeneric;
  if (x instanceof Float32Array && out instanceof Float32Array) loop = isSparse(x) ? scaleSparseF32 : scaleDenseF32;
  else if (x instanceof Float64Array && out instanceof Float64Array) loop = scaleDenseF64;
  loop(words, x, out, threshold, x instanceof Float32Array ? Math.fround(scale) : scale);
}

/** Whether under 1/8 of an even sample of x's elements are non-zero (−0 and NaN count as non-zero). */
function isSparse(x: Float32Array): boolean {
  const n = x.length;
  if (n < 8 * DENSITY_SAMPLES) return false;
  const bits = new Int32Array(x.buffer, x.byteOffset, n);
  const step = Math.floor(n / DENSITY_SAMPLES);
  let nonZero = 0;
  for (let i = 0; i < n; i += step) if (bits[i] !== 0) nonZero++;
  return nonZero * 8 < DENSITY_SAMPLES;
}

// The loops below repeat the xoshiro128** step of Generator.nextUint32 (result = rotl(s1·5, 7)·9,
// then the state update) on purpose: each is monomorphic in its arrays.

function scaleDenseF32(words: Int32Array, x: FloatArray, out: FloatArray, threshold: number, scale: number): void {
  const xs = x as Float32Array;
  const target = out as Float32Array;
  let s0 = words[0]!;
  let s1 = words[1]!;
  let s2 = words[2]!;
  let s3 = words[3]!;
  const n = xs.length;
  for (let i = 0; i < n; i++) {
    const a = Math.imul(s1, 5);
    const u = Math.imul((a << 7) | (a >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    // 0 − ⌊…⌋ is +1 (kept) or +0 (dropped): never −0, so a dropped positive x gives +0 as x·0 does.
    target[i] = xs[i]! * (scale * (0 - Math.floor((u - threshold) * INV_2_32)));
  }
  words[0] = s0;
  words[1] = s1;
  words[2] = s2;
  words[3] = s3;
}

function scaleSparseF32(words: Int32Array, x: FloatArray, out: FloatArray, threshold: number, scale: number): void {
  const xs = x as Float32Array;
  const bits = new Int32Array(xs.buffer, xs.byteOffset, xs.length);
  const target = out as Float32Array;
  let s0 = words[0]!;
  let s1 = words[1]!;
  let s2 = words[2]!;
  let s3 = words[3]!;
  const n = xs.length;
  let i = 0;
  while (i < n) {
    // A run of +0 (already in out) only advances the state: the draw itself is not needed.
    while (i < n && bits[i] === 0) {
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      i++;
    }
    if (i === n) break;
    // Any other value (−0 and NaN have bits set) is multiplied, as in the dense loop.
    const a = Math.imul(s1, 5);
    const u = Math.imul((a << 7) | (a >>> 25), 9) >>> 0;
    target[i] = xs[i]! * (scale * (0 - Math.floor((u - threshold) * INV_2_32)));
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    i++;
  }
  words[0] = s0;
  words[1] = s1;
  words[2] = s2;
  words[3] = s3;
}

function scaleDenseF64(words: Int32Array, x: FloatArray, out: FloatArray, threshold: number, scale: number): void {
  const xs = x as Float64Array;
  const target = out as Float64Array;
  let s0 = words[0]!;
  let s1 = words[1]!;
  let s2 = words[2]!;
  let s3 = words[3]!;
  const n = xs.length;
  for (let i = 0; i < n; i++) {
    const a = Math.imul(s1, 5);
    const u = Math.imul((a << 7) | (a >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    target[i] = xs[i]! * (scale * (0 - Math.floor((u - threshold) * INV_2_32)));
  }
  words[0] = s0;
  words[1] = s1;
  words[2] = s2;
  words[3] = s3;
}

/** Mixed array types (not reached from ops, which pass one dtype): the dense formula, any arrays. */
function scaleGeneric(words: Int32Array, x: FloatArray, out: FloatArray, threshold: number, scale: number): void {
  const draws = new Uint32Array(x.length);
  drawUint32(words, draws);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! * (draws[i]! < threshold ? scale : 0);
}

/**
 * `out[i] = u_i < keep·2³² ? value : 0` for i < out.length, from the stream whose state is `words`
 * (advanced in place by out.length draws). Float32Array and Float64Array run a branch-free loop
 * each; anything else with a length and numeric indices the loop over `nextUint32`'s draws.
 */
export function fillBernoulli(words: Int32Array, out: { length: number; [i: number]: number }, keep: number, value: number): void {
  const threshold = keep * 4294967296;
  if (out instanceof Float32Array) fillF32(words, out, threshold, value);
  else if (out instanceof Float64Array) fillF64(words, out, threshold, value);
  else {
    const draws = new Uint32Array(out.length);
    drawUint32(words, draws);
    for (let i = 0; i < out.length; i++) out[i] = draws[i]! < threshold ? value : 0;
  }
}

function fillF32(words: Int32Array, out: Float32Array, threshold: number, value: number): void {
  // Index 0 is kept (u < threshold), 1 dropped: a load, not a branch.
  const choice = new Float32Array([value, 0]);
  let s0 = words[0]!;
  let s1 = words[1]!;
  let s2 = words[2]!;
  let s3 = words[3]!;
  const n = out.length;
  for (let i = 0; i < n; i++) {
    const a = Math.imul(s1, 5);
    const u = Math.imul((a << 7) | (a >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    out[i] = choice[(1 + Math.floor((u - threshold) * INV_2_32)) | 0]!;
  }
  words[0] = s0;
  words[1] = s1;
  words[2] = s2;
  words[3] = s3;
}

function fillF64(words: Int32Array, out: Float64Array, threshold: number, value: number): void {
  const choice = new Float64Array([value, 0]);
  let s0 = words[0]!;
  let s1 = words[1]!;
  let s2 = words[2]!;
  let s3 = words[3]!;
  const n = out.length;
  for (let i = 0; i < n; i++) {
    const a = Math.imul(s1, 5);
    const u = Math.imul((a << 7) | (a >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    out[i] = choice[(1 + Math.floor((u - threshold) * INV_2_32)) | 0]!;
  }
  words[0] = s0;
  words[1] = s1;
  words[2] = s2;
  words[3] = s3;
}

/** `draws[i]` = the i-th 32-bit draw of the stream whose state is `words` (advanced in place). */
export function drawUint32(words: Int32Array, draws: Uint32Array): void {
  let s0 = words[0]!;
  let s1 = words[1]!;
  let s2 = words[2]!;
  let s3 = words[3]!;
  const n = draws.length;
  for (let i = 0; i < n; i++) {
    const a = Math.imul(s1, 5);
    draws[i] = Math.imul((a << 7) | (a >>> 25), 9);
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
  }
  words[0] = s0;
  words[1] = s1;
  words[2] = s2;
  words[3] = s3;
}

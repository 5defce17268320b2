// Four-lane float32 exp, log and tanh, after Cephes (S. L. Moshier): a range reduction to a small
// interval and a minimax polynomial there. Errors stay within ~2 ulp of the float32 result over
// the whole range; NaN propagates, ±Infinity and ±0 give the IEEE results.

// madd(a, b, c) = a·b + c: one FMA with relaxed SIMD, a multiply and an add otherwise.
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

@inline function splat(x: f32): v128 {
  return f32x4.splat(x);
}

/** 2^n for integer lanes n in [−127, 128], as the product of two in-range powers (no overflow in the exponent field). */
@inline function scaleByPow2(y: v128, n: v128): v128 {
  const half = i32x4.shr_s(n, 1);
  const rest = i32x4.sub(n, half);
  const bias = i32x4.splat(127);
  const s1 = i32x4.shl(i32x4.add(half, bias), 23);
  const s2 = i32x4.shl(i32x4.add(rest, bias), 23);
  return f32x4.mul(f32x4.mul(y, s1), s2);
}

/**
 * e^x: x = n·ln 2 + r with |r| ≤ ln 2 / 2 (ln 2 split in two for an exact product), e^r by a
 * degree-6 polynomial, then scaled by 2^n. Overflows to +∞ above ~88.72, underflows through the
 * subnormals to 0 below ~−103.9.
 */
@inline export function expf4(x: v128): v128 {
  // pmin / pmax keep NaN lanes NaN (they return the first operand when the comparison fails).
  x = f32x4.pmin(f32x4.pmax(x, splat(-104)), splat(89));
  // n = round(x·log₂e) by the 1.5·2²³ trick: adding it leaves n in the low mantissa bits (rounded
  // to nearest even), so n is read from the bits, with no float-to-int conversion (slow in V8).
  const shifted = madd(x, splat(1.44269504088896341), splat(12582912));
  const n = f32x4.sub(shifted, splat(12582912));
  let r = madd(n, splat(-0.693359375), x);
  r = madd(n, splat(2.12194440e-4), r);
  let p = splat(1.9875691500e-4);
  p = madd(p, r, splat(1.3981999507e-3));
  p = madd(p, r, splat(8.3334519073e-3));
  p = madd(p, r, splat(4.1665795894e-2));
  p = madd(p, r, splat(1.6666665459e-1));
  p = madd(p, r, splat(5.0000001201e-1));
  const y = f32x4.add(madd(f32x4.mul(p, r), r, r), splat(1));
  return scaleByPow2(y, i32x4.sub(shifted, i32x4.splat(0x4b400000)));
}

/**
 * ln x: x = m·2^e with m in [√½, √2), ln m by a degree-9 polynomial in m − 1. Subnormal inputs
 * are scaled by 2^23 first. ln 0 = −∞, ln x<0 = NaN, ln ∞ = ∞.
 */
@inline export function logf4(x: v128): v128 {
  const input = x;
  const tiny = f32x4.lt(x, splat(1.17549435e-38));
  x = v128.bitselect(f32x4.mul(x, splat(8388608)), x, tiny);
  let e = i32x4.sub(i32x4.shr_u(x, 23), v128.bitselect(i32x4.splat(127 + 23), i32x4.splat(127), tiny));
  // mantissa in [1, 2), then folded into [√½, √2)
  let m = v128.or(v128.and(x, i32x4.splat(0x007fffff)), i32x4.splat(0x3f800000));
  const big = f32x4.gt(m, splat(1.41421356237));
  m = v128.bitselect(f32x4.mul(m, splat(0.5)), m, big);
  e = i32x4.sub(e, big); // big lanes are −1: e + 1
  const ef = f32x4.convert_i32x4_s(e);
  const z = f32x4.sub(m, splat(1));
  const z2 = f32x4.mul(z, z);
  let p = splat(7.0376836292e-2);
  p = madd(p, z, splat(-1.1514610310e-1));
  p = madd(p, z, splat(1.1676998740e-1));
  p = madd(p, z, splat(-1.2420140846e-1));
  p = madd(p, z, splat(1.4249322787e-1));
  p = madd(p, z, splat(-1.6668057665e-1));
  p = madd(p, z, splat(2.0000714765e-1));
  p = madd(p, z, splat(-2.4999993993e-1));
  p = madd(p, z, splat(3.3333331174e-1));
  let y = f32x4.mul(f32x4.mul(p, z), z2);
  y = madd(ef, splat(-2.12194440e-4), y);
  y = madd(z2, splat(-0.5), y);
  let r = f32x4.add(z, y);
  r = madd(ef, splat(0.693359375), r);
  // specials: NaN and x < 0 → NaN; 0 → −∞; +∞ → +∞
  r = v128.bitselect(splat(-Infinity), r, f32x4.eq(input, splat(0)));
  r = v128.bitselect(input, r, f32x4.eq(input, splat(Infinity)));
  r = v128.bitselect(splat(NaN), r, v128.or(f32x4.lt(input, splat(0)), f32x4.ne(input, input)));
  return r;
}

/**
 * tanh x: an odd polynomial on |x| < 0.625, 1 − 2 / (e^(2|x|) + 1) with x's sign beyond (no
 * cancellation there). NaN stays NaN, ±∞ gives ±1, −0 gives −0.
 */
@inline export function tanhf4(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = splat(-5.70498872745e-3);
  p = madd(p, z, splat(2.06390887954e-2));
  p = madd(p, z, splat(-5.37397155531e-2));
  p = madd(p, z, splat(1.33314422036e-1));
  p = madd(p, z, splat(-3.33332819422e-1));
  const small = madd(f32x4.mul(p, z), x, x);
  const e = expf4(f32x4.add(ax, ax));
  let large = f32x4.sub(splat(1), f32x4.div(splat(2), f32x4.add(e, splat(1))));
  // copy x's sign (NaN lanes keep the NaN from e)
  large = v128.or(large, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, large, f32x4.lt(ax, splat(0.625)));
}

/** 1 / (1 + e^−x): 0 at −∞ (e^∞ = ∞), 1 at +∞, NaN for NaN. */
@inline export function sigmoidf4(x: v128): v128 {
  return f32x4.div(splat(1), f32x4.add(splat(1), expf4(f32x4.neg(x))));
}

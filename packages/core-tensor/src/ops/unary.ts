/**
 * Elementwise maths of one tensor: exp, log, sqrt, rsqrt, abs, sign, square, reciprocal, sin, cos,
 * erf. Transcendental ops take int32 and give float32, as PyTorch does; abs, sign and square keep
 * int32. Each gradient is written with public ops next to its forward.
 */
import { record } from '../autograd.js';
import type { UnaryOp } from '../backend/backend.js';
import type { Tensor } from '../tensor.js';
import { castData, unaryKernel } from './helpers.js';
import { div, mul, neg } from './arithmetic.js';
import { zerosLike } from './creation.js';

/** Runs a float-valued kernel; an int32 input is first converted to float32. Not recorded. */
function floatKernel(op: UnaryOp, x: Tensor): Tensor {
  return unaryKernel(op, x.dtype === 'int32' ? castData(x, 'float32') : x);
}

/**
 * `eˣ`, elementwise. Gradient: `g·eˣ` (the output itself).
 *
 * Shape: any → same. int32 → float32.
 * @example exp(tensor([0, 1]))  // [1, 2.7183]
 */
export function exp(x: Tensor): Tensor {
  const out = floatKernel('exp', x);
  return record(out, 'exp', [x], (g) => [mul(g, out)]);
}

/**
 * Natural logarithm `ln x`, elementwise (−∞ at 0, NaN below 0). Gradient: `g / x`.
 *
 * Shape: any → same. int32 → float32.
 * @example log(tensor([1, Math.E]))  // [0, 1]
 */
export function log(x: Tensor): Tensor {
  const out = floatKernel('log', x);
  return record(out, 'log', [x], (g) => [div(g, x)]);
}

/**
 * `√x`, elementwise (NaN below 0). Gradient: `g / (2·√x)`.
 *
 * Shape: any → same. int32 → float32.
 * @example sqrt(tensor([4, 9]))  // [2, 3]
 */
export function sqrt(x: Tensor): Tensor {
  const out = floatKernel('sqrt', x);
  return record(out, 'sqrt', [x], (g) => [div(g, mul(out, 2))]);
}

/**
 * `1/√x`, elementwise. Gradient: `−g·y³/2` where `y = 1/√x`.
 *
 * Shape: any → same. int32 → float32.
 * @example rsqrt(tensor([4, 16]))  // [0.5, 0.25]
 */
export function rsqrt(x: Tensor): Tensor {
  const out = floatKernel('rsqrt', x);
  return record(out, 'rsqrt', [x], (g) => [mul(g, mul(mul(out, out), mul(out, -0.5)))]);
}

/**
 * `|x|`, elementwise; int32 stays int32. Gradient: `g·sign(x)`, so 0 at x = 0 (as PyTorch).
 *
 * Shape: any → same.
 * @example abs(tensor([-2, 0, 3]))  // [2, 0, 3]
 */
export function abs(x: Tensor): Tensor {
  const out = unaryKernel('abs', x);
  return record(out, 'abs', [x], (g) => [mul(g, sign(x))]);
}

/**
 * The sign: −1, 0 or 1, elementwise; int32 stays int32. NaN gives 0, as PyTorch's
 * `(0 < x) − (x < 0)`. The gradient is zero everywhere.
 *
 * Shape: any → same.
 * @example sign(tensor([-2, 0, 3]))  // [-1, 0, 1]
 */
export function sign(x: Tensor): Tensor {
  const out = unaryKernel('sign', x);
  return record(out, 'sign', [x], () => [zerosLike(x)]);
}

/**
 * `x²`, elementwise; int32 stays int32 (and wraps on overflow, as C). Gradient: `2x·g`.
 *
 * Shape: any → same.
 * @example square(tensor([-3, 2]))  // [9, 4]
 */
export function square(x: Tensor): Tensor {
  const out = unaryKernel('square', x);
  return record(out, 'square', [x], (g) => [mul(g, mul(x, 2))]);
}

/**
 * `1/x`, elementwise (±∞ at ±0). Gradient: `−g/x² = −g·y²`.
 *
 * Shape: any → same. int32 → float32.
 * @example reciprocal(tensor([2, -4]))  // [0.5, -0.25]
 */
export function reciprocal(x: Tensor): Tensor {
  const out = floatKernel('reciprocal', x);
  return record(out, 'reciprocal', [x], (g) => [neg(mul(g, mul(out, out)))]);
}

/**
 * `sin x` (radians), elementwise. Gradient: `g·cos x`.
 *
 * Shape: any → same. int32 → float32.
 * @example sin(tensor([0, Math.PI / 2]))  // [0, 1]
 */
export function sin(x: Tensor): Tensor {
  const out = floatKernel('sin', x);
  return record(out, 'sin', [x], (g) => [mul(g, cos(x))]);
}

/**
 * `cos x` (radians), elementwise. Gradient: `−g·sin x`.
 *
 * Shape: any → same. int32 → float32.
 * @example cos(tensor([0, Math.PI]))  // [1, -1]
 */
export function cos(x: Tensor): Tensor {
  const out = floatKernel('cos', x);
  return record(out, 'cos', [x], (g) => [neg(mul(g, sin(x)))]);
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * The error function `erf x = (2/√π)·∫₀ˣ e^(−t²) dt`, elementwise, to float64 precision.
 * Gradient: `g·(2/√π)·e^(−x²)`.
 *
 * Shape: any → same. int32 → float32.
 * @example erf(tensor([0, 1]))  // [0, 0.8427]
 */
export function erf(x: Tensor): Tensor {
  const out = floatKernel('erf', x);
  return record(out, 'erf', [x], (g) => [mul(g, mul(exp(neg(mul(x, x))), TWO_OVER_SQRT_PI))]);
}

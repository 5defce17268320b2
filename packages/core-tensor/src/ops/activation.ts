/**
 * Activation functions: tanh, sigmoid, relu, leakyRelu, elu, gelu, softplus, silu. Same formulas,
 * defaults and dtype rules as `torch.nn.functional`: tanh and sigmoid turn int32 into float32, relu
 * keeps int32, the others take float tensors only. Gradients are written with public ops.
 */
import { noGrad, record } from '../autograd.js';
import type { ActivationBackwardOp } from '../backend/backend.js';
import { getBackend } from '../backend/registry.js';
import { isFloatDType, type FloatArray } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { ValueError } from '../errors.js';
import { assertFloat, castData, unaryKernel } from './helpers.js';
import { add, div, mul, sub } from './arithmetic.js';
import { abs, erf, exp, log } from './unary.js';
import { eq, gt, le, where } from './compare.js';

/**
 * Hyperbolic tangent, elementwise. Gradient: `g·(1 − y²)`.
 *
 * Shape: any → same. int32 → float32.
 * @example tanh(tensor([0, 1]))  // [0, 0.7616]
 */
export function tanh(x: Tensor): Tensor {
  const out = unaryKernel('tanh', x.dtype === 'int32' ? castData(x, 'float32') : x);
  return record(out, 'tanh', [x], (g) => [mul(g, sub(1, mul(out, out)))]);
}

/**
 * The logistic sigmoid `σ(x) = 1 / (1 + e^(−x))`, elementwise, computed without overflow for any x.
 * Gradient: `g·y·(1 − y)`.
 *
 * Shape: any → same. int32 → float32.
 * @example sigmoid(tensor([0]))  // [0.5]
 */
export function sigmoid(x: Tensor): Tensor {
  const out = unaryKernel('sigmoid', x.dtype === 'int32' ? castData(x, 'float32') : x);
  return record(out, 'sigmoid', [x], (g) => [mul(g, mul(out, sub(1, out)))]);
}

/**
 * `max(x, 0)`, elementwise; NaN passes through and int32 stays int32. Gradient: `g` where the
 * output is positive (or NaN), else 0 — PyTorch's rule, so 0 at x = 0.
 *
 * Shape: any → same.
 * @example relu(tensor([-1, 0, 2]))  // [0, 0, 2]
 */
export function relu(x: Tensor): Tensor {
  const out = unaryKernel('relu', x);
  return record(out, 'relu', [x], (g) => [activationGrad('relu', x, out, g, 0) ?? where(le(out, 0), 0, g)]);
}

/**
 * Leaky ReLU: `x` for x > 0, else `negativeSlope·x`. Float tensors only.
 * Gradient: `g` for x > 0, else `negativeSlope·g`.
 *
 * @param negativeSlope - slope for x ≤ 0. Default 0.01 (as PyTorch).
 * Shape: any → same.
 * @example leakyRelu(tensor([-2, 3]), 0.1)  // [-0.2, 3]
 */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  assertFloat('leakyRelu', x);
  const out = unaryKernel('leakyRelu', x, negativeSlope);
  return record(out, 'leakyRelu', [x], (g) => [activationGrad('leakyRelu', x, out, g, negativeSlope)]);
}

/**
 * ELU: `x` for x > 0, else `alpha·(eˣ − 1)`. Float tensors only.
 * Gradient: `g` for x > 0, else `g·(y + alpha)` (= `g·alpha·eˣ`).
 *
 * @param alpha - the saturation value for x → −∞ is −alpha. Default 1.
 * Shape: any → same.
 * @example elu(tensor([-1, 2]))  // [-0.6321, 2]
 */
export function elu(x: Tensor, alpha = 1): Tensor {
  assertFloat('elu', x);
  const out = unaryKernel('elu', x, alpha);
  return record(out, 'elu', [x], (g) => [activationGrad('elu', x, out, g, alpha)]);
}

/**
 * The gradient of x through relu, leakyRelu or elu in one backend pass (`Backend.activationBackward`)
 * instead of a compare, a select and a multiply, each with its own temporary. x, y and g share x's
 * float dtype (g is cast if it differs). Returns null for int32 x (relu only), which keeps the
 * composed form. The composed gradients of GAT's leakyRelu scores and elu features were ~10% of a
 * sparse-feature Cora epoch's profile (Node 20, wasm backend).
 */
function activationGrad(op: ActivationBackwardOp, x: Tensor, y: Tensor, g: Tensor, p0: number): Tensor | null;
function activationGrad(op: 'leakyRelu' | 'elu', x: Tensor, y: Tensor, g: Tensor, p0: number): Tensor;
function activationGrad(op: ActivationBackwardOp, x: Tensor, y: Tensor, g: Tensor, p0: number): Tensor | null {
  if (!isFloatDType(x.dtype)) return null;
  const grad = Tensor.empty(x.shape, x.dtype);
  getBackend().activationBackward({
    op,
    x: x.data as FloatArray,
    y: y.data as FloatArray,
    g: castData(g, x.dtype).data as FloatArray,
    out: grad.data as FloatArray,
    p0,
  });
  return grad;
}

export interface GeluOptions {
  /**
   * `'none'` (default): the exact `x·Φ(x)` with the normal CDF `Φ(x) = (1 + erf(x/√2))/2`.
   * `'tanh'`: the approximation `x/2·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`.
   */
  approximate?: 'none' | 'tanh';
}

const INV_SQRT_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_CUBIC = 0.044715;

/**
 * GELU, `x·Φ(x)`, Φ the standard normal CDF. Float tensors only.
 * Gradient (exact): `g·(Φ(x) + x·φ(x))`, φ the normal density. Gradient (tanh form), with
 * `u = √(2/π)·(x + 0.044715·x³)` and `t = tanh u`: `g·(½(1 + t) + ½x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²))`.
 *
 * @param options.approximate - `'none'` (default, exact with erf) or `'tanh'`.
 * Shape: any → same.
 * @example gelu(tensor([1]))  // [0.8413]; gelu(x, { approximate: 'tanh' })
 */
export function gelu(x: Tensor, options: GeluOptions = {}): Tensor {
  const { approximate = 'none' } = options;
  if (approximate !== 'none' && approximate !== 'tanh') {
    throw new ValueError(`gelu: approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
  }
  assertFloat('gelu', x);
  if (approximate === 'tanh') {
    const out = unaryKernel('geluTanh', x);
    return record(out, 'gelu', [x], (g) => {
      const x2 = mul(x, x);
      const t = tanh(mul(mul(x, add(mul(x2, GELU_CUBIC), 1)), SQRT_2_OVER_PI));
      const left = mul(add(t, 1), 0.5);
      const right = mul(mul(mul(x, sub(1, mul(t, t))), 0.5 * SQRT_2_OVER_PI), add(mul(x2, 3 * GELU_CUBIC), 1));
      return [mul(g, add(left, right))];
    });
  }
  const out = unaryKernel('gelu', x);
  return record(out, 'gelu', [x], (g) => {
    const cdf = mul(add(erf(mul(x, INV_SQRT_2)), 1), 0.5);
    const pdf = mul(exp(mul(mul(x, x), -0.5)), INV_SQRT_2PI);
    return [mul(g, add(cdf, mul(x, pdf)))];
  });
}

export interface SoftplusOptions {
  /** Sharpness β of the curve. Default 1. */
  beta?: number;
  /** Above `β·x > threshold` the function is taken as linear (`x`). Default 20. */
  threshold?: number;
}

/**
 * Softplus: `log(1 + e^(βx))/β`, and `x` itself where `βx > threshold` (as PyTorch). Float tensors
 * only. Computed as `max(z, 0) + log1p(e^(−|z|))` with `z = βx`, accurate to the last bits for
 * very negative x. Gradient: `g·σ(βx)`, or `g` above the threshold.
 *
 * @param options.beta - default 1.
 * @param options.threshold - default 20.
 * Shape: any → same.
 * @example softplus(tensor([0]))  // [0.6931]
 */
export function softplus(x: Tensor, options: SoftplusOptions = {}): Tensor {
  const { beta = 1, threshold = 20 } = options;
  assertFloat('softplus', x);
  const z = noGrad(() => mul(x, beta));
  const out = noGrad(() => {
    const e = exp(mul(abs(z), -1));
    const smooth = div(add(unaryKernel('relu', z), log1p(e)), beta);
    return where(gt(z, threshold), x, smooth);
  });
  return record(out, 'softplus', [x], (g) => [where(gt(z, threshold), g, mul(g, sigmoid(z)))]);
}

/**
 * `log(1 + e)` to full precision for small e, by Goldberg's correction `log(u)·e/(u − 1)` with
 * `u = 1 + e` rounded (exact where u rounds to 1: then log1p(e) = e to working precision).
 */
function log1p(e: Tensor): Tensor {
  const u = add(e, 1);
  return where(eq(u, 1), e, div(mul(log(u), e), sub(u, 1)));
}

/**
 * SiLU (swish): `x·σ(x)`. Float tensors only. Built from `mul` and `sigmoid`, so its gradient
 * `σ(x)·(1 + x·(1 − σ(x)))` comes from theirs.
 *
 * Shape: any → same.
 * @example silu(tensor([0, 1]))  // [0, 0.7311]
 */
export function silu(x: Tensor): Tensor {
  assertFloat('silu', x);
  return mul(x, sigmoid(x));
}

/**
 * The softmax family: softmax, logSoftmax (one fused, numerically stable backend kernel each way)
 * and logsumexp. Their gradients are written with public ops.
 */
import { noGrad, record } from '../autograd.js';
import { getBackend } from '../backend/registry.js';
import type { FloatArray } from '../dtype.js';
import { normalizeAxes, normalizeAxis } from '../shape.js';
import { Tensor } from '../tensor.js';
import { add, mul, sub } from './arithmetic.js';
import { cast } from './cast.js';
import { eq, where } from './compare.js';
import { full } from './creation.js';
import { assertFloat } from './helpers.js';
import { max, sum, type ReduceOptions } from './reduce.js';
import { reshape } from './shape.js';
import { abs, exp, log } from './unary.js';

/** `[outer, size, inner]` around one axis (a 0-d tensor is a single element). */
function aroundAxis(x: Tensor, axis: number): { outer: number; size: number; inner: number } {
  if (x.ndim === 0) return { outer: 1, size: 1, inner: 1 };
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= x.shape[i]!;
  for (let i = axis + 1; i < x.ndim; i++) inner *= x.shape[i]!;
  return { outer, size: x.shape[axis]!, inner };
}

function softmaxKernel(op: string, x: Tensor, axis: number, logarithm: boolean): { out: Tensor; axis: number } {
  assertFloat(op, x);
  // A 0-d tensor accepts axis 0 / −1, as in PyTorch.
  const a = normalizeAxis(op, axis, Math.max(x.ndim, 1));
  const { outer, size, inner } = aroundAxis(x, a);
  const out = Tensor.empty(x.shape, x.dtype);
  getBackend().softmax({ x: x.data as FloatArray, outer, size, inner, out: out.data as FloatArray, log: logarithm });
  return { out, axis: a };
}

/**
 * Softmax along `axis` (default −1, the last): `softmax(x)_i = exp(x_i − m) / Σ_j exp(x_j − m)`
 * with `m = max_j x_j`, so large logits never overflow. `−Infinity` entries (masked positions)
 * get probability 0; a slice that is all `−Infinity` gives NaN, as PyTorch. Float tensors only.
 * Gradient: `y ⊙ (g − Σ_axis g ⊙ y)`.
 *
 * Shape: any → same.
 * @example softmax(tensor([[1, 2, 3]]))  // [[0.0900, 0.2447, 0.6652]]
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  const { out, axis: a } = softmaxKernel('softmax', x, axis, false);
  return record(out, 'softmax', [x], (g) => {
    const gy = mul(g, out);
    return [sub(gy, mul(out, sum(gy, a, { keepdim: true })))];
  });
}

/**
 * Log of the softmax along `axis` (default −1), computed in one stable pass:
 * `logSoftmax(x)_i = x_i − m − log Σ_j exp(x_j − m)`. More accurate than `log(softmax(x))`
 * (no `log(0)` for very negative logits). Float tensors only.
 * Gradient: `g − exp(y) · Σ_axis g`.
 *
 * Shape: any → same.
 * @example logSoftmax(tensor([0, 0]))  // [-0.6931, -0.6931]
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const { out, axis: a } = softmaxKernel('logSoftmax', x, axis, true);
  return record(out, 'logSoftmax', [x], (g) => [sub(g, mul(exp(out), sum(g, a, { keepdim: true })))]);
}

/**
 * `log Σ exp(x)` over `axis` (all axes when omitted), stable: the max of each slice is taken out
 * first (`m + log Σ exp(x − m)`), and an infinite max is replaced by 0 so that `±Infinity` inputs
 * give `±Infinity`, not NaN. The sum over an empty axis is `−Infinity`. int32 input is computed
 * in float32 (as PyTorch). Gradient: `g · softmax(x)` over the reduced axes.
 *
 * Shapes: `[a, b, c]` over axis 1 → `[a, c]` (`[a, 1, c]` with `keepdim`); over all axes → `[]`.
 * @example logsumexp(tensor([0, 0]))  // 0.6931 (= log 2)
 */
export function logsumexp(x: Tensor, axis?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  const input = x.dtype === 'int32' ? cast(x, 'float32') : x;
  const keepdim = options.keepdim ?? false;
  const requested = Array.isArray(axis) && axis.length === 0 ? undefined : axis;
  const resolved = normalizeAxes('logsumexp', requested, Math.max(input.ndim, 1));
  const axes = input.ndim === 0 ? [] : resolved;
  const reducedSet = new Set(axes);
  const keepShape = input.shape.map((d, i) => (reducedSet.has(i) ? 1 : d));
  const outShape = keepdim ? keepShape : input.shape.filter((_, i) => !reducedSet.has(i));
  const reducesNothing = axes.some((a) => input.shape[a] === 0);

  const kept = noGrad(() => {
    if (reducesNothing) return full(keepShape, -Infinity, { dtype: input.dtype });
    if (axes.length === 0) return input.clone();
    const m = max(input, axes, { keepdim: true });
    const shift = where(eq(abs(m), Infinity), 0, m);
    return add(log(sum(exp(sub(input, shift)), axes, { keepdim: true })), shift);
  });
  const out = new Tensor(kept.data, outShape, input.dtype);
  return record(out, 'logsumexp', [input], (g) => [mul(reshape(g, keepShape), exp(sub(input, kept)))]);
}

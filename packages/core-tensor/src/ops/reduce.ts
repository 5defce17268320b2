/**
 * Reductions: sum, mean, max, min, prod, argmax, argmin, variance, std.
 *
 * Every reduction runs the backend's `[outer, size, inner]` kernel: adjacent reduced axes (and any
 * size-1 axes between them) merge into one call; non-adjacent groups are reduced one after
 * another, which is exact for sum, max, min and prod because they are associative.
 */
import { record } from '../autograd.js';
import type { ArgReduceOp, ReduceOp } from '../backend/backend.js';
import { getBackend } from '../backend/registry.js';
import { IndexError, ValueError, fmtShape } from '../errors.js';
import { normalizeAxes, normalizeAxis } from '../shape.js';
import { Tensor } from '../tensor.js';
import { div, mul, sub } from './arithmetic.js';
import { eq, where } from './compare.js';
import { assertFloat, binaryKernel, scalarTensor, unaryKernel } from './helpers.js';
import { expand, reshape } from './shape.js';

export interface ReduceOptions {
  /** Keep the reduced axes as size-1 axes (so the result broadcasts against the input). Default false. */
  keepdim?: boolean;
}

export interface VarOptions extends ReduceOptions {
  /**
   * Subtracted from the number of reduced elements N in the divisor `N − correction` (Bessel's
   * correction). Default 1 (unbiased), as `torch.var`; 0 gives the population variance.
   */
  correction?: number;
}

/** Which axes a reduction takes and the shapes it produces. */
interface ReducePlan {
  /** Sorted, unique, non-negative (empty for a 0-d input). */
  axes: number[];
  /** The input shape with the reduced axes set to 1. */
  keepShape: number[];
  /** The result's shape (`keepShape`, or the input shape without the reduced axes). */
  outShape: number[];
  /** Number of elements reduced into each output element. */
  count: number;
}

function planReduce(op: string, x: Tensor, axis: number | readonly number[] | undefined, keepdim: boolean): ReducePlan {
  // An empty axis list means every axis, as in PyTorch.
  const requested = Array.isArray(axis) && axis.length === 0 ? undefined : axis;
  // A 0-d tensor accepts axis 0 / −1 (as if it had one axis) and reduces to itself.
  let axes = normalizeAxes(op, requested, Math.max(x.ndim, 1));
  if (x.ndim === 0) axes = [];
  const reduced = new Set(axes);
  const keepShape = x.shape.map((d, i) => (reduced.has(i) ? 1 : d));
  const outShape = keepdim ? keepShape : x.shape.filter((_, i) => !reduced.has(i));
  let count = 1;
  for (const a of axes) count *= x.shape[a]!;
  return { axes, keepShape, outShape, count };
}

/**
 * Runs a reduction kernel over `axes` and returns a new tensor of shape `keepShape`. Size-1 axes
 * are dropped from the layout, so `[B, 1, T]` reduced over B and T is a single kernel call.
 * Not recorded.
 */
function reduceKernel(op: ReduceOp, x: Tensor, plan: ReducePlan): Tensor {
  const reduced = new Set(plan.axes);
  const segments: { size: number; reduced: boolean }[] = [];
  x.shape.forEach((d, i) => {
    if (d === 1) return;
    const isReduced = reduced.has(i);
    const last = segments[segments.length - 1];
    if (last && last.reduced === isReduced) last.size *= d;
    else segments.push({ size: d, reduced: isReduced });
  });
  const backend = getBackend();
  let data = x.data;
  for (let j = 0; j < segments.length; j++) {
    const segment = segments[j]!;
    if (!segment.reduced) continue;
    let outer = 1;
    let inner = 1;
    for (let k = 0; k < j; k++) outer *= segments[k]!.size;
    for (let k = j + 1; k < segments.length; k++) inner *= segments[k]!.size;
    const out = backend.alloc(x.dtype, outer * inner);
    backend.reduce({ op, x: data, outer, size: segment.size, inner, out });
    data = out;
    segment.size = 1;
  }
  if (data === x.data) {
    // Nothing to reduce (only size-1 axes): a copy, so the result never aliases the input.
    const out = Tensor.empty(plan.keepShape, x.dtype);
    out.data.set(x.data);
    return out;
  }
  return new Tensor(data, plan.keepShape, x.dtype);
}

/** The same storage under another shape of equal size (for freshly made, unrecorded tensors). */
function withShape(t: Tensor, shape: readonly number[]): Tensor {
  return new Tensor(t.data, shape, t.dtype);
}

/** Spreads a reduction's gradient back over the reduced axes: `g` → input shape. */
function spread(g: Tensor, plan: ReducePlan, shape: readonly number[]): Tensor {
  return expand(reshape(g, plan.keepShape), shape);
}

function assertNonEmpty(op: string, x: Tensor, plan: ReducePlan, axis: unknown): void {
  if (axis === undefined || (Array.isArray(axis) && axis.length === 0)) {
    if (x.size === 0) {
      throw new IndexError(`${op}: the tensor ${fmtShape(x.shape)} is empty; specify the reduction axis`);
    }
    return;
  }
  for (const a of plan.axes) {
    if (x.shape[a] === 0) {
      throw new IndexError(`${op}: expected reduction axis ${a} of ${fmtShape(x.shape)} to have a non-zero size`);
    }
  }
}

/**
 * Sum over `axis` (one axis, a list, or all axes when omitted). int32 stays int32; the sum of
 * an empty axis is 0. Gradient: `g` broadcast back over the reduced axes.
 *
 * Shapes: `[a, b, c]` summed over axis 1 → `[a, c]` (`[a, 1, c]` with `keepdim`); over all axes → `[]`.
 * @example sum(tensor([[1, 2], [3, 4]]), 0)  // [4, 6]
 */
export function sum(x: Tensor, axis?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  const plan = planReduce('sum', x, axis, options.keepdim ?? false);
  const out = withShape(reduceKernel('sum', x, plan), plan.outShape);
  return record(out, 'sum', [x], (g) => [spread(g, plan, x.shape)]);
}

/**
 * Arithmetic mean over `axis` (all axes when omitted): `Σ x / N`, N the number of reduced
 * elements. Float tensors only (int32 throws `DTypeError`, as PyTorch); an empty axis gives NaN.
 * Gradient: `g / N` broadcast back.
 *
 * Shapes: as {@link sum}.
 * @example mean(tensor([[1, 2], [3, 4]]), 1)  // [1.5, 3.5]
 */
export function mean(x: Tensor, axis?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  assertFloat('mean', x);
  const plan = planReduce('mean', x, axis, options.keepdim ?? false);
  const total = reduceKernel('sum', x, plan);
  const out = withShape(binaryKernel('div', total, scalarTensor(plan.count, x.dtype), x.dtype), plan.outShape);
  return record(out, 'mean', [x], (g) => [div(spread(g, plan, x.shape), plan.count)]);
}

function extremum(op: 'max' | 'min', x: Tensor, axis: number | readonly number[] | undefined, options: ReduceOptions): Tensor {
  const plan = planReduce(op, x, axis, options.keepdim ?? false);
  assertNonEmpty(op, x, plan, axis);
  const out = withShape(reduceKernel(op, x, plan), plan.outShape);
  return record(out, op, [x], (g) => {
    // PyTorch's amax/amin rule: the gradient goes to every element equal to the extremum,
    // split evenly among ties.
    const hits = eq(x, reshape(out, plan.keepShape));
    const ties = sum(hits, plan.axes, { keepdim: true });
    return [mul(hits, div(reshape(g, plan.keepShape), ties))];
  });
}

/**
 * Largest value over `axis` (all axes when omitted), as `torch.amax`: NaN propagates. An empty
 * reduced axis throws `IndexError`. Gradient: `g` split evenly among the elements equal to the max.
 * For the position of the max use {@link argmax}.
 *
 * Shapes: as {@link sum}.
 * @example max(tensor([[1, 5], [3, 2]]), 1)  // [5, 3]
 */
export function max(x: Tensor, axis?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  return extremum('max', x, axis, options);
}

/**
 * Smallest value over `axis` (all axes when omitted), as `torch.amin`: NaN propagates. An empty
 * reduced axis throws `IndexError`. Gradient: `g` split evenly among the elements equal to the min.
 *
 * Shapes: as {@link sum}.
 * @example min(tensor([[1, 5], [3, 2]]), 1)  // [1, 2]
 */
export function min(x: Tensor, axis?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  return extremum('min', x, axis, options);
}

/**
 * Product over `axis` (all axes when omitted); the product of an empty axis is 1. int32 stays
 * int32. Gradient: `g · Π_{j≠i} x_j`, computed without dividing by zero: where a slice holds one
 * zero only that element gets a gradient; where it holds two or more, none does.
 *
 * Shapes: as {@link sum}.
 * @example prod(tensor([[1, 2], [3, 4]]), 1)  // [2, 12]
 */
export function prod(x: Tensor, axis?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  const plan = planReduce('prod', x, axis, options.keepdim ?? false);
  const out = withShape(reduceKernel('prod', x, plan), plan.outShape);
  return record(out, 'prod', [x], (g) => {
    const gk = reshape(g, plan.keepShape);
    const isZero = eq(x, 0);
    const zeros = sum(isZero, plan.axes, { keepdim: true });
    // Product of the nonzero elements of each slice: the zeros replaced by 1.
    const nonzero = where(isZero, 1, x);
    const partial = mul(gk, prod(nonzero, plan.axes, { keepdim: true }));
    const atNonzero = where(eq(zeros, 0), div(partial, nonzero), 0);
    const atZero = where(eq(zeros, 1), partial, 0);
    return [where(isZero, atZero, atNonzero)];
  });
}

function argExtremum(op: ArgReduceOp, x: Tensor, axis: number | undefined, options: ReduceOptions): Tensor {
  const keepdim = options.keepdim ?? false;
  let outer = 1;
  let size = x.size;
  let inner = 1;
  let shape: number[];
  if (axis === undefined) {
    if (x.size === 0) throw new IndexError(`${op}: the tensor ${fmtShape(x.shape)} is empty; specify the reduction axis`);
    shape = keepdim ? x.shape.map(() => 1) : [];
  } else {
    const a = normalizeAxis(op, axis, Math.max(x.ndim, 1));
    if (x.ndim === 0) {
      shape = [];
    } else {
      size = x.shape[a]!;
      if (size === 0) throw new IndexError(`${op}: expected reduction axis ${a} of ${fmtShape(x.shape)} to have a non-zero size`);
      for (let i = 0; i < a; i++) outer *= x.shape[i]!;
      for (let i = a + 1; i < x.ndim; i++) inner *= x.shape[i]!;
      shape = keepdim ? x.shape.map((d, i) => (i === a ? 1 : d)) : x.shape.filter((_, i) => i !== a);
    }
  }
  const out = Tensor.empty(shape, 'int32');
  getBackend().argReduce({ op, x: x.data, outer, size, inner, out: out.data as Int32Array });
  return out;
}

/**
 * Index of the largest value along `axis` (of the flattened tensor when omitted), as an int32
 * tensor; the first index among ties; NaN counts as the largest. Not differentiable. An empty
 * axis throws `IndexError`.
 *
 * Shapes: `[a, b, c]` along axis 1 → `[a, c]` (`[a, 1, c]` with `keepdim`); no axis → `[]`
 * (all ones with `keepdim`).
 * @example argmax(tensor([[1, 5], [3, 2]]), 1)  // int32 [1, 0]
 */
export function argmax(x: Tensor, axis?: number, options: ReduceOptions = {}): Tensor {
  return argExtremum('argmax', x, axis, options);
}

/**
 * Index of the smallest value along `axis` (of the flattened tensor when omitted), as an int32
 * tensor; the first index among ties; NaN counts as the smallest, as PyTorch. Not differentiable.
 *
 * Shapes: as {@link argmax}.
 * @example argmin(tensor([[1, 5], [3, 2]]), 1)  // int32 [0, 1]
 */
export function argmin(x: Tensor, axis?: number, options: ReduceOptions = {}): Tensor {
  return argExtremum('argmin', x, axis, options);
}

/**
 * Variance over `axis` (all axes when omitted), as `torch.var`:
 * `Σ (x − mean)² / max(0, N − correction)` with `correction` default 1 (unbiased). N ≤ correction
 * gives NaN or Infinity, as PyTorch. Float tensors only. Differentiable (composed of public ops).
 * Named `variance` because `var` is reserved; the method is `x.var()`.
 *
 * Shapes: as {@link sum}.
 * @example variance(tensor([1, 2, 3, 4]))  // 1.6667
 */
export function variance(x: Tensor, axis?: number | readonly number[], options: VarOptions = {}): Tensor {
  assertFloat('variance', x);
  const { correction = 1, keepdim = false } = options;
  if (!Number.isFinite(correction)) throw new ValueError(`variance: correction must be a finite number, got ${correction}`);
  const plan = planReduce('variance', x, axis, keepdim);
  const centred = sub(x, mean(x, plan.axes, { keepdim: true }));
  const squares = sum(mul(centred, centred), plan.axes, { keepdim });
  return div(squares, Math.max(0, plan.count - correction));
}

/**
 * Standard deviation over `axis`: `sqrt(variance(x, axis, options))`, with the same
 * `correction` (default 1) and `keepdim`. Gradient: `g / (2·std)`, taken as 0 where std is 0
 * (as PyTorch) instead of NaN.
 *
 * Shapes: as {@link sum}.
 * @example std(tensor([1, 2, 3, 4]))  // 1.2910
 */
export function std(x: Tensor, axis?: number | readonly number[], options: VarOptions = {}): Tensor {
  assertFloat('std', x);
  const v = variance(x, axis, options);
  const out = unaryKernel('sqrt', v);
  return record(out, 'std', [v], (g) => [where(eq(out, 0), 0, div(g, mul(out, 2)))]);
}

/**
 * Comparisons, selection and logic: eq, ne, lt, le, gt, ge, isNaN, where, clamp, logicalNot,
 * logicalAnd, logicalOr. There is no bool dtype: masks are int32 tensors of 0 and 1, and any
 * nonzero value (NaN included) counts as true where a mask is read. Comparisons broadcast, compare
 * in the promoted dtype of their operands, and are not differentiable.
 */
import { record } from '../autograd.js';
import type { BinaryOp } from '../backend/backend.js';
import { getBackend } from '../backend/registry.js';
import type { DType } from '../dtype.js';
import { ValueError } from '../errors.js';
import { broadcastShapes, broadcastStrides } from '../shape.js';
import { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { binaryKernel, castData, lift, resultType, scalarTensor, sumToShape, unaryKernel, type TensorLike } from './helpers.js';

function compare(op: BinaryOp, a: TensorLike, b: TensorLike): Tensor {
  return binaryKernel(op, lift(a, b), lift(b, a), resultType(a, b), 'int32');
}

/**
 * `a == b` elementwise, broadcasting: an int32 tensor of 0/1. NaN equals nothing, itself included.
 *
 * Shapes: `a`, `b` broadcast to the output shape. Not differentiable.
 * @example eq(tensor([1, 2, 3]), 2)  // int32 [0, 1, 0]
 */
export function eq(a: TensorLike, b: TensorLike): Tensor {
  return compare('eq', a, b);
}

/**
 * `a != b` elementwise, broadcasting: an int32 tensor of 0/1 (1 wherever either side is NaN).
 *
 * Shapes: `a`, `b` broadcast to the output shape. Not differentiable.
 * @example ne(tensor([1, 2, 3]), 2)  // int32 [1, 0, 1]
 */
export function ne(a: TensorLike, b: TensorLike): Tensor {
  return compare('ne', a, b);
}

/**
 * `a < b` elementwise, broadcasting: an int32 tensor of 0/1 (0 wherever either side is NaN).
 *
 * Shapes: `a`, `b` broadcast to the output shape. Not differentiable.
 * @example lt(tensor([1, 2, 3]), 2)  // int32 [1, 0, 0]
 */
export function lt(a: TensorLike, b: TensorLike): Tensor {
  return compare('lt', a, b);
}

/**
 * `a <= b` elementwise, broadcasting: an int32 tensor of 0/1 (0 wherever either side is NaN).
 *
 * Shapes: `a`, `b` broadcast to the output shape. Not differentiable.
 * @example le(tensor([1, 2, 3]), 2)  // int32 [1, 1, 0]
 */
export function le(a: TensorLike, b: TensorLike): Tensor {
  return compare('le', a, b);
}

/**
 * `a > b` elementwise, broadcasting: an int32 tensor of 0/1 (0 wherever either side is NaN).
 *
 * Shapes: `a`, `b` broadcast to the output shape. Not differentiable.
 * @example gt(tensor([1, 2, 3]), 2)  // int32 [0, 0, 1]
 */
export function gt(a: TensorLike, b: TensorLike): Tensor {
  return compare('gt', a, b);
}

/**
 * `a >= b` elementwise, broadcasting: an int32 tensor of 0/1 (0 wherever either side is NaN).
 *
 * Shapes: `a`, `b` broadcast to the output shape. Not differentiable.
 * @example ge(tensor([1, 2, 3]), 2)  // int32 [0, 1, 1]
 */
export function ge(a: TensorLike, b: TensorLike): Tensor {
  return compare('ge', a, b);
}

/**
 * 1 where `x` is NaN, else 0 (int32). Shape: any → same.
 * @example isNaN(tensor([1, NaN]))  // int32 [0, 1]
 */
export function isNaN(x: Tensor): Tensor {
  return unaryKernel('isnan', x, undefined, undefined, 'int32');
}

/**
 * `cond ? a : b` elementwise, broadcasting all three; `cond` is true where nonzero (any dtype).
 * The result has the promoted dtype of `a` and `b` (two integer numbers give int32, other numbers
 * float32). Differentiable in `a` and `b`: each receives the gradient where it was chosen, summed
 * back to its own shape.
 *
 * Shapes: `cond`, `a`, `b` broadcast together to the output shape.
 * @example where(gt(x, 0), x, 0)  // relu by hand
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  let dtype: DType;
  if (typeof a === 'number' && typeof b === 'number') {
    dtype = Number.isInteger(a) && Number.isInteger(b) ? 'int32' : 'float32';
  } else {
    dtype = resultType(a, b);
  }
  const ta = a instanceof Tensor ? a : scalarTensor(a, dtype);
  const tb = b instanceof Tensor ? b : scalarTensor(b, dtype);
  const shape = broadcastShapes('where', cond.shape, ta.shape, tb.shape);
  const out = Tensor.empty(shape, dtype);
  getBackend().where({
    cond: cond.data,
    condStrides: broadcastStrides(cond.shape, shape),
    a: castData(ta, dtype).data,
    aStrides: broadcastStrides(ta.shape, shape),
    b: castData(tb, dtype).data,
    bStrides: broadcastStrides(tb.shape, shape),
    out: out.data,
    shape,
  });
  return record(out, 'where', [ta, tb], (g) => [
    ta.requiresGrad ? cast(sumToShape(where(cond, g, 0), ta.shape), ta.dtype) : null,
    tb.requiresGrad ? cast(sumToShape(where(cond, 0, g), tb.shape), tb.dtype) : null,
  ]);
}

/**
 * Clamps every element into `[min, max]`: `min(max(x, min), max)`. Either bound may be omitted
 * (`null`/`undefined`), not both. NaN passes through; when `min > max` every element becomes `max`
 * (as PyTorch). int32 stays int32 unless a bound is not an integer (then float32).
 * Gradient: `g` where `min ≤ x ≤ max` (bounds included, as PyTorch), else 0.
 *
 * Shape: any → same.
 * @example clamp(tensor([-2, 0.5, 3]), 0, 1)  // [0, 0.5, 1]
 */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  const lo = min ?? null;
  const hi = max ?? null;
  if (lo === null && hi === null) throw new ValueError('clamp: at least one of min and max must be given');
  const integral = (v: number | null): boolean => v === null || Number.isInteger(v);
  const dtype: DType = x.dtype === 'int32' && !(integral(lo) && integral(hi)) ? 'float32' : x.dtype;
  const out = unaryKernel('clamp', castData(x, dtype), lo ?? -Infinity, hi ?? Infinity);
  return record(out, 'clamp', [x], (g) => {
    let inside: Tensor;
    if (lo !== null && hi !== null) inside = logicalAnd(ge(x, lo), le(x, hi));
    else if (lo !== null) inside = ge(x, lo);
    else inside = le(x, hi!);
    return [where(inside, g, 0)];
  });
}

/**
 * 1 where `x` is zero, else 0 (int32; NaN is nonzero, so gives 0). Shape: any → same.
 * @example logicalNot(tensor([0, 2]))  // int32 [1, 0]
 */
export function logicalNot(x: Tensor): Tensor {
  return eq(x, 0);
}

/**
 * 1 where both `a` and `b` are nonzero, else 0 (int32), broadcasting.
 * @example logicalAnd(tensor([0, 1, 2]), tensor([1, 1, 0]))  // int32 [0, 1, 0]
 */
export function logicalAnd(a: TensorLike, b: TensorLike): Tensor {
  return binaryKernel('mul', ne(a, 0), ne(b, 0), 'int32');
}

/**
 * 1 where `a` or `b` is nonzero, else 0 (int32), broadcasting.
 * @example logicalOr(tensor([0, 1, 0]), tensor([0, 0, 3]))  // int32 [0, 1, 1]
 */
export function logicalOr(a: TensorLike, b: TensorLike): Tensor {
  return binaryKernel('maximum', ne(a, 0), ne(b, 0), 'int32');
}

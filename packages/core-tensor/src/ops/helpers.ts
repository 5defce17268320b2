/** Internals shared by the op files: scalar lifting, kernel calls with allocation, broadcasting. */
import { getBackend } from '../backend/registry.js';
import type { BinaryOp, UnaryOp } from '../backend/backend.js';
import { isFloatDType, promoteTypes, scalarResultType, type DType } from '../dtype.js';
import { DTypeError } from '../errors.js';
import { broadcastShapes, broadcastStrides, shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';
import { reshape } from './shape.js';
import { sum } from './reduce.js';

/** A tensor or a plain number (a number takes the other operand's dtype where it can). */
export type TensorLike = Tensor | number;

/** A 0-d tensor holding `value`. */
export function scalarTensor(value: number, dtype: DType): Tensor {
  const t = Tensor.empty([], dtype);
  t.data[0] = value;
  return t;
}

/** Lifts a number to a 0-d tensor of the dtype it takes next to `other`. */
export function lift(x: TensorLike, other: TensorLike): Tensor {
  if (x instanceof Tensor) return x;
  const dtype = other instanceof Tensor ? scalarResultType(other.dtype, x) : Number.isInteger(x) ? 'float32' : 'float32';
  return scalarTensor(x, dtype);
}

/** The dtype of a binary op's result. */
export function resultType(a: TensorLike, b: TensorLike): DType {
  if (a instanceof Tensor && b instanceof Tensor) {
    // As PyTorch: a 0-d tensor does not widen a dimensioned tensor of the same kind
    // (float32 [3] + float64 0-d is float32), but it does bring a higher kind (int32 [3] + float64 0-d is float64).
    const aFloat = a.dtype !== 'int32';
    const bFloat = b.dtype !== 'int32';
    if (aFloat === bFloat && (a.ndim === 0) !== (b.ndim === 0)) return a.ndim === 0 ? b.dtype : a.dtype;
    return promoteTypes(a.dtype, b.dtype);
  }
  if (a instanceof Tensor) return scalarResultType(a.dtype, b as number);
  if (b instanceof Tensor) return scalarResultType(b.dtype, a);
  return 'float32';
}

/** Throws unless `x` is a float tensor. */
export function assertFloat(op: string, x: Tensor): void {
  if (!isFloatDType(x.dtype)) throw new DTypeError(`${op}: expected a float32 or float64 tensor, got ${x.dtype}`);
}

/** Same values in `dtype` (a copy only when the dtype differs). Not recorded on the tape. */
export function castData(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const out = Tensor.empty(x.shape, dtype);
  out.data.set(x.data);
  return out;
}

/** Runs a unary kernel into a fresh tensor of `dtype` (default: x's dtype). Not recorded. */
export function unaryKernel(op: UnaryOp, x: Tensor, p0?: number, p1?: number, dtype: DType = x.dtype): Tensor {
  const out = Tensor.empty(x.shape, dtype);
  getBackend().unary({ op, x: x.data, out: out.data, p0, p1 });
  return out;
}

/**
 * Runs a broadcasting binary kernel. Both inputs are first brought to `computeType`; the output
 * has `outType` (int32 for comparisons). Not recorded.
 */
export function binaryKernel(op: BinaryOp, a: Tensor, b: Tensor, computeType: DType, outType: DType = computeType): Tensor {
  const name = op;
  const shape = broadcastShapes(name, a.shape, b.shape);
  const ac = castData(a, computeType);
  const bc = castData(b, computeType);
  const out = Tensor.empty(shape, outType);
  getBackend().binary({
    op,
    a: ac.data,
    aStrides: broadcastStrides(a.shape, shape),
    b: bc.data,
    bStrides: broadcastStrides(b.shape, shape),
    out: out.data,
    shape,
  });
  return out;
}

/**
 * Sums a broadcast gradient back to `shape`: the gradient rule of every broadcasting op.
 * Sums the leading extra axes and the axes where `shape` has 1.
 */
export function sumToShape(grad: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(grad.shape, shape)) return grad;
  const lead = grad.shape.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < grad.shape.length; i++) {
    if (i < lead) axes.push(i);
    else if (shape[i - lead] === 1 && grad.shape[i] !== 1) axes.push(i);
  }
  const reduced = axes.length > 0 ? sum(grad, axes, { keepdim: true }) : grad;
  return reshape(reduced, shape);
}

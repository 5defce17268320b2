import { record } from '../autograd.js';
import { isFloatDType, type DType } from '../dtype.js';
import { DTypeError } from '../errors.js';
import { Tensor } from '../tensor.js';

/**
 * Converts to `dtype`. Float → int truncates toward zero (as PyTorch). Differentiable between
 * float dtypes; a cast to int32 cuts the graph.
 */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const out = Tensor.empty(x.shape, dtype);
  if (dtype === 'int32') {
    for (let i = 0; i < x.data.length; i++) out.data[i] = Math.trunc(x.data[i]!);
    return out;
  }
  out.data.set(x.data);
  if (!isFloatDType(x.dtype)) return out;
  return record(out, 'cast', [x], (g) => [cast(g, x.dtype)]);
}

/** A copy with its own storage; the gradient passes through unchanged. */
export function clone(x: Tensor): Tensor {
  const out = Tensor.empty(x.shape, x.dtype);
  out.data.set(x.data);
  return record(out, 'clone', [x], (g) => [g]);
}

/** Throws a DTypeError unless `x` has one of `dtypes`. */
export function expectDType(op: string, x: Tensor, ...dtypes: DType[]): void {
  if (!dtypes.includes(x.dtype)) {
    throw new DTypeError(`${op}: expected ${dtypes.join(' or ')}, got ${x.dtype}`);
  }
}

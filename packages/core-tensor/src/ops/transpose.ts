/** Axis permutations: permute and transpose. Storage is contiguous, so both copy. */
import { record } from '../autograd.js';
import { getBackend } from '../backend/registry.js';
import { ShapeError, fmtShape } from '../errors.js';
import { contiguousStrides, normalizeAxis } from '../shape.js';
import { Tensor } from '../tensor.js';
import { reshape } from './shape.js';

/**
 * Reorders the axes: axis `i` of the result is axis `dims[i]` of `x` (negative entries count from
 * the end). The gradient is the inverse permutation of the output's gradient.
 *
 * Shapes: `[a, b, c]` with `dims = [2, 0, 1]` → `[c, a, b]`. Throws `ShapeError` when `dims` is not
 * a permutation of the axes (wrong length, repeated axis) and `IndexError` for an axis out of range.
 * @example permute(zeros([2, 3, 4]), [2, 0, 1])  // shape [4, 2, 3]
 */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  const op = 'permute';
  if (dims.length !== x.ndim) {
    throw new ShapeError(`${op}: expected ${x.ndim} dims for a tensor of shape ${fmtShape(x.shape)}, got [${dims.join(', ')}]`);
  }
  const axes = dims.map((d) => normalizeAxis(op, d, x.ndim));
  if (new Set(axes).size !== axes.length) {
    throw new ShapeError(`${op}: [${dims.join(', ')}] repeats an axis; expected a permutation of the ${x.ndim} axes`);
  }
  if (axes.every((a, i) => a === i)) return reshape(x, x.shape);

  const strides = contiguousStrides(x.shape);
  const outShape = axes.map((a) => x.shape[a]!);
  const out = Tensor.empty(outShape, x.dtype);
  getBackend().copy({
    src: x.data,
    srcOffset: 0,
    srcStrides: axes.map((a) => strides[a]!),
    dst: out.data,
    dstOffset: 0,
    dstStrides: contiguousStrides(outShape),
    shape: outShape,
  });

  const inverse = new Array<number>(axes.length);
  axes.forEach((a, i) => (inverse[a] = i));
  return record(out, op, [x], (g) => [permute(g, inverse)]);
}

/**
 * Swaps axes `dim0` and `dim1` (default: the last two, a batched matrix transpose). Negative axes
 * count from the end; its own inverse, so the gradient is the same transpose of the gradient.
 *
 * Shapes: `[..., m, n]` → `[..., n, m]` by default.
 * @example transpose(zeros([2, 3, 4]), 0, 2)  // shape [4, 3, 2]
 */
export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  const a = normalizeAxis('transpose', dim0, x.ndim);
  const b = normalizeAxis('transpose', dim1, x.ndim);
  if (x.ndim === 0) return reshape(x, []);
  const dims = x.shape.map((_, i) => i);
  dims[a] = b;
  dims[b] = a;
  return permute(x, dims);
}

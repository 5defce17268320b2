/**
 * Shape ops: reshape (view), flatten, squeeze, unsqueeze, expand (broadcastTo). Storage is always
 * contiguous, so every op here except `expand` only reinterprets the shape and shares `data`.
 */
import { record } from '../autograd.js';
import { getBackend } from '../backend/registry.js';
import { IndexError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { broadcastStrides, contiguousStrides, normalizeAxes, normalizeAxis, shapeSize, shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';
import { sumToShape } from './helpers.js';

/** The same storage under a new shape, recorded so that the gradient takes the input's shape back. */
function shareStorage(op: string, x: Tensor, shape: readonly number[]): Tensor {
  const out = new Tensor(x.data, shape, x.dtype);
  return record(out, op, [x], (g) => [reshape(g, x.shape)]);
}

/** Resolves a target shape with at most one −1 against `size` elements. */
function inferShape(op: string, x: Tensor, shape: readonly number[]): number[] {
  let inferred = -1;
  let known = 1;
  shape.forEach((d, i) => {
    if (d === -1) {
      if (inferred >= 0) throw new ShapeError(`${op}: only one dimension can be -1, got ${fmtShape(shape)}`);
      inferred = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${op}: invalid shape ${fmtShape(shape)}: sizes are non-negative integers or one -1`);
    } else {
      known *= d;
    }
  });
  const out = [...shape];
  if (inferred >= 0) {
    if (known === 0) {
      throw new ShapeError(
        `${op}: cannot reshape ${fmtShape(x.shape)} into ${fmtShape(shape)}: the -1 could be any size when the other sizes multiply to 0`,
      );
    }
    if (x.size % known !== 0) {
      throw new ShapeError(`${op}: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)}`);
    }
    out[inferred] = x.size / known;
  } else if (known !== x.size) {
    throw new ShapeError(`${op}: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)} (${known} elements)`);
  }
  return out;
}

/**
 * The same elements in row-major order under a new shape. One size may be −1: it is inferred
 * from the others. The result shares `x`'s storage.
 *
 * Shapes: `[...in]` → `shape` with `prod(in) = prod(shape)`. Throws `ShapeError` when the sizes differ.
 * @example reshape(arange(6), [2, -1])  // [[0, 1, 2], [3, 4, 5]]
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  return shareStorage('reshape', x, inferShape('reshape', x, shape));
}

/**
 * Alias of {@link reshape} (storage is always contiguous, so every reshape is a view).
 * @example view(randn([2, 3, 4]), [6, 4])
 */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  return shareStorage('view', x, inferShape('view', x, shape));
}

/**
 * Merges the axes `startDim..endDim` (inclusive; negative counts from the end) into one.
 * A 0-d tensor becomes `[1]`, as in PyTorch.
 *
 * Shapes: `[a, b, c, d]` with `startDim = 1, endDim = 2` → `[a, b·c, d]`.
 * @example flatten(zeros([2, 3, 4]), 1)  // shape [2, 12]
 */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) {
    // A 0-d tensor has the axes 0 and -1, as in PyTorch.
    for (const d of [startDim, endDim]) {
      if (d !== 0 && d !== -1) throw new IndexError(`flatten: axis ${d} is out of range for a 0-d tensor`);
    }
    return shareStorage('flatten', x, [1]);
  }
  const start = normalizeAxis('flatten', startDim, x.ndim);
  const end = normalizeAxis('flatten', endDim, x.ndim);
  if (start > end) {
    throw new ValueError(`flatten: startDim (${startDim}) comes after endDim (${endDim}) for a tensor of rank ${x.ndim}`);
  }
  const merged = shapeSize(x.shape.slice(start, end + 1));
  return shareStorage('flatten', x, [...x.shape.slice(0, start), merged, ...x.shape.slice(end + 1)]);
}

/**
 * Removes size-1 axes: all of them, or only those listed in `axis` (a listed axis whose size is
 * not 1 is left alone, as in PyTorch).
 *
 * Shapes: `[2, 1, 3, 1]` → `[2, 3]`; with `axis = 1` → `[2, 3, 1]`.
 * @example squeeze(zeros([1, 3, 1]), 0)  // shape [3, 1]
 */
export function squeeze(x: Tensor, axis?: number | readonly number[]): Tensor {
  const drop = axis === undefined ? x.shape.map((_, i) => i) : normalizeAxes('squeeze', axis, x.ndim);
  const dropSet = new Set(drop.filter((a) => x.shape[a] === 1));
  return shareStorage(
    'squeeze',
    x,
    x.shape.filter((_, i) => !dropSet.has(i)),
  );
}

/**
 * Inserts a size-1 axis at `axis`, which ranges over `[-(ndim + 1), ndim]` (negative counts from
 * the end of the result).
 *
 * Shapes: `[2, 3]` with `axis = 1` → `[2, 1, 3]`; with `axis = -1` → `[2, 3, 1]`.
 * @example unsqueeze(tensor([1, 2, 3]), 0)  // shape [1, 3]
 */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normalizeAxis('unsqueeze', axis, x.ndim + 1);
  return shareStorage('unsqueeze', x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

/**
 * Broadcasts `x` to `shape` (copying: storage is contiguous). Size-1 axes stretch to any size; −1
 * keeps an axis's size; new leading axes may be added (but not as −1). The gradient sums back to
 * `x`'s shape.
 *
 * Shapes: `[3, 1]` → `shape`, e.g. `[2, 3, 4]`.
 * @example expand(tensor([[1], [2]]), [2, 3])  // [[1, 1, 1], [2, 2, 2]]
 */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const op = 'expand';
  if (shape.length < x.ndim) {
    throw new ShapeError(`${op}: the target shape ${fmtShape(shape)} has fewer dimensions than the tensor ${fmtShape(x.shape)}`);
  }
  const lead = shape.length - x.ndim;
  const target = shape.map((d, i) => {
    if (i < lead) {
      if (!Number.isInteger(d) || d < 0) {
        throw new ShapeError(
          `${op}: cannot expand ${fmtShape(x.shape)} to ${fmtShape(shape)}: a new leading dimension needs a size, got ${d}`,
        );
      }
      return d;
    }
    const own = x.shape[i - lead]!;
    if (d === -1) return own;
    if (!Number.isInteger(d) || d < 0 || (own !== 1 && own !== d)) {
      throw new ShapeError(
        `${op}: cannot expand ${fmtShape(x.shape)} to ${fmtShape(shape)}: dimension ${i} has size ${own}, which only expands from 1`,
      );
    }
    return d;
  });
  if (shapesEqual(target, x.shape)) return shareStorage(op, x, target);
  const out = Tensor.empty(target, x.dtype);
  getBackend().copy({
    src: x.data,
    srcOffset: 0,
    srcStrides: broadcastStrides(x.shape, target),
    dst: out.data,
    dstOffset: 0,
    dstStrides: contiguousStrides(target),
    shape: target,
  });
  return record(out, op, [x], (g) => [sumToShape(g, x.shape)]);
}

/**
 * Alias of {@link expand}: broadcasts `x` to `shape` (NumPy's `broadcast_to`).
 * @example broadcastTo(tensor([1, 2, 3]), [2, 3])
 */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  return expand(x, shape);
}

/**
 * Joining and splitting along an axis: concat (cat), stack, split, chunk, unbind.
 *
 * The pieces of one split share one backward buffer: each piece's backward copies its gradient
 * into its range of that buffer, and a hidden node between `x` and the pieces hands the filled
 * buffer on to `x`. Back-propagating through all k pieces of a split is O(n), not O(n·k), which
 * matters for `unbind` over the time steps of a sequence.
 */
import { isGradEnabled, record } from '../autograd.js';
import { getBackend } from '../backend/registry.js';
import { promoteTypes } from '../dtype.js';
import { ShapeError, ValueError, IndexError, fmtShape } from '../errors.js';
import { contiguousStrides, normalizeAxis } from '../shape.js';
import { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { castData } from './helpers.js';
import { narrow } from './slice.js';
import { unsqueeze } from './shape.js';

/** How `split` cuts an axis: a chunk size (the last chunk may be smaller) or the list of sizes. */
export type SplitSizes = number | readonly number[];

// PyTorch's legacy rule: a 1-D empty tensor joins anything (it is skipped).
function isLegacyEmpty(t: Tensor): boolean {
  return t.ndim === 1 && t.size === 0;
}

/**
 * Joins tensors along an existing axis. All shapes must agree except along `axis`; the dtype is
 * the promotion of all inputs. Tensors of shape `[0]` are skipped (PyTorch's legacy rule), other
 * empty tensors join normally. The gradient of each input is its range of the output's gradient.
 *
 * Shapes: `[a, n₁, b]`, `[a, n₂, b]`, … with `axis = 1` → `[a, n₁ + n₂ + …, b]`.
 * @example concat([ones([2, 3]), zeros([1, 3])])  // shape [3, 3]
 */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  const op = 'concat';
  if (tensors.length === 0) throw new ValueError(`${op}: expected a non-empty list of tensors`);
  let dtype = tensors[0]!.dtype;
  for (const t of tensors) {
    if (t.ndim === 0) throw new ShapeError(`${op}: a 0-d tensor cannot be concatenated (use stack)`);
    dtype = promoteTypes(dtype, t.dtype);
  }
  const parts = tensors.filter((t) => !isLegacyEmpty(t));
  const reference = parts[0] ?? tensors[0]!;
  const a = normalizeAxis(op, axis, reference.ndim);
  let total = 0;
  for (const t of parts) {
    const matches = t.ndim === reference.ndim && t.shape.every((d, i) => i === a || d === reference.shape[i]);
    if (!matches) {
      throw new ShapeError(`${op}: shapes must agree except along axis ${axis}: got ${tensors.map((x) => fmtShape(x.shape)).join(', ')}`);
    }
    total += t.shape[a]!;
  }
  const outShape = [...reference.shape];
  outShape[a] = total;
  const out = Tensor.empty(outShape, dtype);
  const outStrides = contiguousStrides(outShape);
  let offset = 0;
  for (const t of parts) {
    const src = castData(t, dtype);
    getBackend().copy({
      src: src.data,
      srcOffset: 0,
      srcStrides: contiguousStrides(t.shape),
      dst: out.data,
      dstOffset: offset * outStrides[a]!,
      dstStrides: outStrides,
      shape: t.shape,
    });
    offset += t.shape[a]!;
  }
  // The same tensor may appear twice: walk the list in order to give each occurrence its range.
  return record(out, op, [...tensors], (g) => {
    let at = 0;
    return tensors.map((t) => {
      if (isLegacyEmpty(t)) return t.requiresGrad ? Tensor.empty(t.shape, t.dtype) : null;
      const start = at;
      at += t.shape[a]!;
      return t.requiresGrad ? cast(narrow(g, a, start, t.shape[a]!), t.dtype) : null;
    });
  });
}

/**
 * Alias of {@link concat} (PyTorch's `torch.cat`).
 * @example cat([tensor([1, 2]), tensor([3])])  // [1, 2, 3]
 */
export function cat(tensors: readonly Tensor[], axis = 0): Tensor {
  return concat(tensors, axis);
}

/**
 * Joins same-shaped tensors along a new axis inserted at `axis` (in `[-(ndim + 1), ndim]`).
 *
 * Shapes: k tensors of `[a, b]` with `axis = 1` → `[a, k, b]`.
 * @example stack([tensor([1, 2]), tensor([3, 4])], 1)  // [[1, 3], [2, 4]]
 */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  const op = 'stack';
  if (tensors.length === 0) throw new ValueError(`${op}: expected a non-empty list of tensors`);
  const first = tensors[0]!;
  for (const t of tensors) {
    if (t.ndim !== first.ndim || t.shape.some((d, i) => d !== first.shape[i])) {
      throw new ShapeError(`${op}: all tensors must have the same shape, got ${tensors.map((x) => fmtShape(x.shape)).join(', ')}`);
    }
  }
  const a = normalizeAxis(op, axis, first.ndim + 1);
  return concat(
    tensors.map((t) => unsqueeze(t, a)),
    a,
  );
}

interface Piece {
  readonly start: number;
  readonly length: number;
}

/**
 * Copies each range of `x` along `axis` into its own tensor (the axis dropped when `keepAxis` is
 * false). With recording on, the pieces hang off one hidden node that owns the shared backward
 * buffer (see the file comment).
 */
function cutPieces(op: string, x: Tensor, axis: number, pieces: readonly Piece[], keepAxis: boolean): Tensor[] {
  const strides = contiguousStrides(x.shape);
  const track = isGradEnabled() && x.requiresGrad;
  let pending: Tensor | null = null;
  // The hub sees only the pieces as consumers, so the tape hands it the buffer exactly once per
  // backward pass, after every piece in the graph has written its range (topological order).
  const hub = track
    ? record(new Tensor(x.data, x.shape, x.dtype), op, [x], (g) => {
        pending = null;
        return [g];
      })
    : x;
  return pieces.map(({ start, length }) => {
    const regionShape = [...x.shape];
    regionShape[axis] = length;
    const regionStrides = contiguousStrides(regionShape);
    const offset = length === 0 ? 0 : start * strides[axis]!;
    const outShape = keepAxis ? regionShape : regionShape.filter((_, i) => i !== axis);
    const out = Tensor.empty(outShape, x.dtype);
    getBackend().copy({
      src: x.data,
      srcOffset: offset,
      srcStrides: strides,
      dst: out.data,
      dstOffset: 0,
      dstStrides: regionStrides,
      shape: regionShape,
    });
    if (!track) return out;
    return record(out, op, [hub], (g) => {
      const first = pending === null;
      const buffer: Tensor = pending ?? Tensor.empty(x.shape, x.dtype);
      pending = buffer;
      getBackend().copy({
        src: g.data,
        srcOffset: 0,
        srcStrides: regionStrides,
        dst: buffer.data,
        dstOffset: offset,
        dstStrides: strides,
        shape: regionShape,
      });
      // Only the first piece hands the buffer over; the others fill it in place.
      return [first ? buffer : null];
    });
  });
}

function requireAxis(op: string, x: Tensor, axis: number): number {
  if (x.ndim === 0) throw new IndexError(`${op}: expects a tensor with at least one axis, got a 0-d tensor`);
  return normalizeAxis(op, axis, x.ndim);
}

/**
 * Cuts `x` along `axis` (torch.split). A number is the chunk size: every piece has that length
 * except perhaps the last; a list gives each piece's length and must sum to the axis size.
 *
 * Shapes: `[a, n, b]` with `axis = 1` → pieces `[a, nᵢ, b]`.
 * @example split(arange(5), 2)  // [0, 1], [2, 3], [4]
 * @example split(arange(5), [1, 4])  // [0], [1, 2, 3, 4]
 */
export function split(x: Tensor, sizes: SplitSizes, axis = 0): Tensor[] {
  const op = 'split';
  const a = requireAxis(op, x, axis);
  const n = x.shape[a]!;
  const pieces: Piece[] = [];
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes < 0) throw new ValueError(`${op}: the chunk size must be a non-negative integer, got ${sizes}`);
    if (sizes === 0 && n > 0) throw new ValueError(`${op}: a chunk size of 0 only splits an empty axis; axis ${axis} has size ${n}`);
    const count = n === 0 ? 1 : Math.ceil(n / sizes);
    for (let k = 0; k < count; k++) pieces.push({ start: k * sizes, length: Math.min(sizes, n - k * sizes) });
  } else {
    let start = 0;
    for (const length of sizes) {
      if (!Number.isInteger(length) || length < 0) {
        throw new ValueError(`${op}: sizes must be non-negative integers, got [${sizes.join(', ')}]`);
      }
      pieces.push({ start, length });
      start += length;
    }
    if (start !== n) {
      throw new ShapeError(`${op}: sizes [${sizes.join(', ')}] sum to ${start}, but axis ${axis} of ${fmtShape(x.shape)} has size ${n}`);
    }
  }
  return cutPieces(op, x, a, pieces, true);
}

/**
 * Cuts `x` into at most `chunks` pieces along `axis` (torch.chunk): each of length
 * `⌈n / chunks⌉` but the last, which may be smaller; fewer pieces come back when they run out
 * (`chunk(arange(6), 4)` gives 3 pieces of 2). An empty axis gives `chunks` empty pieces.
 *
 * @example chunk(arange(5), 2)  // [0, 1, 2], [3, 4]
 */
export function chunk(x: Tensor, chunks: number, axis = 0): Tensor[] {
  const op = 'chunk';
  if (!Number.isInteger(chunks) || chunks < 1) throw new ValueError(`${op}: chunks must be a positive integer, got ${chunks}`);
  const a = requireAxis(op, x, axis);
  const n = x.shape[a]!;
  if (n === 0)
    return cutPieces(
      op,
      x,
      a,
      Array.from({ length: chunks }, () => ({ start: 0, length: 0 })),
      true,
    );
  return split(x, Math.ceil(n / chunks), a);
}

/**
 * Splits `x` into its slices along `axis`, removing that axis (torch.unbind).
 *
 * Shapes: `[a, n, b]` with `axis = 1` → n tensors of `[a, b]`.
 * @example unbind(tensor([[1, 2], [3, 4]]), 1)  // [1, 3], [2, 4]
 */
export function unbind(x: Tensor, axis = 0): Tensor[] {
  const op = 'unbind';
  const a = requireAxis(op, x, axis);
  const pieces = Array.from({ length: x.shape[a]! }, (_, start) => ({ start, length: 1 }));
  return cutPieces(op, x, a, pieces, false);
}

/**
 * Integer indexing: gather, scatterAdd, indexSelect, indexAdd, oneHot, embedding. Index tensors are
 * int32 (a float index is a `DTypeError`); every index is checked against its axis before a kernel
 * runs, and a negative or too large one is an `IndexError` naming the index and the size (no
 * wrap-around for index tensors).
 */
import { record } from '../autograd.js';
import { getBackend } from '../backend/registry.js';
import { DTypeError, IndexError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { contiguousStrides, normalizeAxis, shapeSize, shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';
import { markEmbeddingOutput } from './embedding-projection.js';
import { reshape } from './shape.js';

// The fold of an embedding into the linear map that reads it lives beside its own op; exported here,
// with the other lookups.
export { embeddingProjection, embeddingSource, type EmbeddingProjectionOptions, type EmbeddingSource } from './embedding-projection.js';

function requireIndexDType(op: string, index: Tensor): Int32Array {
  if (index.dtype !== 'int32') throw new DTypeError(`${op}: the index must be an int32 tensor, got ${index.dtype}`);
  return index.data as Int32Array;
}

function checkBounds(op: string, index: Int32Array, size: number): void {
  for (let k = 0; k < index.length; k++) {
    const v = index[k]!;
    if (v < 0 || v >= size) throw new IndexError(`${op}: index ${v} is out of bounds for an axis of size ${size}`);
  }
}

function requireSameDType(op: string, x: Tensor, other: Tensor, name: string): void {
  if (x.dtype !== other.dtype) throw new DTypeError(`${op}: ${name} must have the input's dtype ${x.dtype}, got ${other.dtype}`);
}

/** `[outer, size, inner]` around `axis` of `shape` (a 0-d shape counts as `[1]`). */
function around(shape: readonly number[], axis: number): { outer: number; size: number; inner: number } {
  if (shape.length === 0) return { outer: 1, size: 1, inner: 1 };
  return { outer: shapeSize(shape.slice(0, axis)), size: shape[axis]!, inner: shapeSize(shape.slice(axis + 1)) };
}

/** Copies the leading `region` corner of `t` into zeros of `shape` (t's shape ≥ region ≤ shape). Not recorded. */
function placeCorner(t: Tensor, region: readonly number[], shape: readonly number[]): Tensor {
  if (shapesEqual(t.shape, region) && shapesEqual(region, shape)) return t;
  const out = Tensor.empty(shape, t.dtype);
  getBackend().copy({
    src: t.data,
    srcOffset: 0,
    srcStrides: contiguousStrides(t.shape),
    dst: out.data,
    dstOffset: 0,
    dstStrides: contiguousStrides(shape),
    shape: region,
  });
  return out;
}

/** Checks the torch.gather / scatter_add shape rules shared by both. */
function checkGatherShapes(op: string, x: Tensor, axis: number, index: Tensor): number {
  if (index.ndim !== x.ndim) {
    throw new ShapeError(`${op}: the index must have the input's rank: input is ${fmtShape(x.shape)}, index is ${fmtShape(index.shape)}`);
  }
  const a = normalizeAxis(op, axis, x.ndim);
  index.shape.forEach((d, i) => {
    if (i !== a && d > x.shape[i]!) {
      throw new ShapeError(`${op}: index ${fmtShape(index.shape)} is larger than input ${fmtShape(x.shape)} in dimension ${i}`);
    }
  });
  return a;
}

/**
 * torch.gather: picks along `axis` with an index of the input's rank,
 * `out[i][j][k] = x[index[i][j][k]][j][k]` for `axis = 0` (likewise for the other axes).
 * `index.shape[d] ≤ x.shape[d]` for every `d ≠ axis`. The gradient scatters back (scatterAdd).
 *
 * Shapes: x `[a, n, b]`, index `[a', m, b']` (a' ≤ a, b' ≤ b) with `axis = 1` → `[a', m, b']`.
 * @example gather(tensor([[1, 2], [3, 4]]), 1, tensor([[0, 0], [1, 0]], { dtype: 'int32' }))  // [[1, 1], [4, 3]]
 */
export function gather(x: Tensor, axis: number, index: Tensor): Tensor {
  const op = 'gather';
  const indices = requireIndexDType(op, index);
  const a = checkGatherShapes(op, x, axis, index);
  const { size } = around(x.shape, a);
  checkBounds(op, indices, size);
  const out = Tensor.empty(index.shape, x.dtype);
  if (out.size > 0) {
    // The kernel wants x and index to agree off the axis: cut x down to the index's extent first.
    const region = x.ndim === 0 ? [] : index.shape.map((d, i) => (i === a ? x.shape[i]! : d));
    const source = Tensor.empty(region, x.dtype);
    if (shapesEqual(region, x.shape)) source.data.set(x.data);
    else
      getBackend().copy({
        src: x.data,
        srcOffset: 0,
        srcStrides: contiguousStrides(x.shape),
        dst: source.data,
        dstOffset: 0,
        dstStrides: contiguousStrides(region),
        shape: region,
      });
    const { outer, inner, size: indexSize } = around(index.shape, a);
    getBackend().gather({ x: source.data, outer, size, inner, index: indices, indexSize, out: out.data });
  }
  return record(out, op, [x], (g) => [scatterAdd(Tensor.empty(x.shape, g.dtype), a, index, g)]);
}

/**
 * torch.scatter_add, out of place: a copy of `x` with `src` added at the positions `index` names
 * along `axis`: `out[index[i][j][k]][j][k] += src[i][j][k]` for `axis = 0`. Repeated indices
 * accumulate. `index.shape[d] ≤ src.shape[d]` for all `d` and `≤ x.shape[d]` for `d ≠ axis`; only
 * the leading `index.shape` corner of `src` is used. Gradients: x ← g, src ← gather(g, axis, index).
 *
 * Shapes: x `[a, n, b]`, index `[a', m, b']`, src ⊇ index → `[a, n, b]`.
 * @example scatterAdd(zeros([3]), 0, tensor([0, 2, 0], { dtype: 'int32' }), tensor([1, 2, 3]))  // [4, 0, 2]
 */
export function scatterAdd(x: Tensor, axis: number, index: Tensor, src: Tensor): Tensor {
  const op = 'scatterAdd';
  const indices = requireIndexDType(op, index);
  requireSameDType(op, x, src, 'src');
  const a = checkGatherShapes(op, x, axis, index);
  if (src.ndim !== index.ndim || index.shape.some((d, i) => d > src.shape[i]!)) {
    throw new ShapeError(`${op}: src ${fmtShape(src.shape)} must cover the index ${fmtShape(index.shape)} in every dimension`);
  }
  const { outer, size, inner } = around(x.shape, a);
  checkBounds(op, indices, size);
  const out = Tensor.empty(x.shape, x.dtype);
  out.data.set(x.data);
  if (index.size > 0) {
    // Pad index and src to x's extent off the axis: padded entries add 0 at position 0, a no-op
    // (it can only turn a −0 there into +0).
    const full = x.ndim === 0 ? [] : x.shape.map((d, i) => (i === a ? index.shape[i]! : d));
    const fullIndex = placeCorner(index, index.shape, full);
    const fullSrc = placeCorner(src, index.shape, full);
    const indexSize = x.ndim === 0 ? 1 : index.shape[a]!;
    getBackend().scatterAdd({ src: fullSrc.data, outer, size, inner, index: fullIndex.data as Int32Array, indexSize, out: out.data });
  }
  return record(out, op, [x, src], (g) => [
    x.requiresGrad ? g : null,
    src.requiresGrad ? placeCorner(gather(g, a, index), index.shape, src.shape) : null,
  ]);
}

function checkVectorIndex(op: string, index: Tensor): Int32Array {
  const indices = requireIndexDType(op, index);
  if (index.ndim > 1) throw new ShapeError(`${op}: the index must be 0-d or 1-D, got ${fmtShape(index.shape)}`);
  return indices;
}

/**
 * Picks whole slices along `axis` by a 0-d or 1-D int32 index (torch.index_select):
 * `out[..., j, ...] = x[..., index[j], ...]`. Repeats are allowed; the gradient adds back (indexAdd).
 *
 * Shapes: x `[a, n, b]`, index `[m]`, `axis = 1` → `[a, m, b]`.
 * @example indexSelect(tensor([[1, 2], [3, 4], [5, 6]]), 0, tensor([2, 0], { dtype: 'int32' }))  // [[5, 6], [1, 2]]
 */
export function indexSelect(x: Tensor, axis: number, index: Tensor): Tensor {
  const op = 'indexSelect';
  const indices = checkVectorIndex(op, index);
  const a = normalizeAxis(op, axis, x.ndim);
  const { outer, size, inner } = around(x.shape, a);
  checkBounds(op, indices, size);
  let outShape: number[];
  if (x.ndim === 0) {
    if (index.size !== 1) throw new ShapeError(`${op}: a 0-d input takes exactly one index, got ${index.size}`);
    outShape = [];
  } else {
    outShape = [...x.shape];
    outShape[a] = index.size;
  }
  const out = Tensor.empty(outShape, x.dtype);
  getBackend().indexSelect({ x: x.data, outer, size, inner, index: indices, out: out.data });
  return record(out, op, [x], (g) => [indexAdd(Tensor.empty(x.shape, g.dtype), a, index, g)]);
}

/**
 * torch.index_add, out of place: a copy of `x` with the slices of `source` added at the positions
 * `index` (0-d or 1-D int32) names along `axis`: `out[..., index[j], ...] += source[..., j, ...]`.
 * Repeated indices accumulate. Gradients: x ← g, source ← indexSelect(g, axis, index).
 *
 * Shapes: x `[a, n, b]`, index `[m]`, source `[a, m, b]` (`axis = 1`) → `[a, n, b]`.
 * @example indexAdd(zeros([3, 2]), 0, tensor([0, 0], { dtype: 'int32' }), ones([2, 2]))  // [[2, 2], [0, 0], [0, 0]]
 */
export function indexAdd(x: Tensor, axis: number, index: Tensor, source: Tensor): Tensor {
  const op = 'indexAdd';
  const indices = checkVectorIndex(op, index);
  requireSameDType(op, x, source, 'source');
  const a = normalizeAxis(op, axis, x.ndim);
  const { outer, size, inner } = around(x.shape, a);
  let fits: boolean;
  if (x.ndim === 0) {
    fits = source.ndim <= 1 && source.size === index.size && index.size <= 1;
  } else {
    const expected = [...x.shape];
    expected[a] = index.size;
    fits = shapesEqual(source.shape, expected);
  }
  if (!fits) {
    throw new ShapeError(
      `${op}: source ${fmtShape(source.shape)} must be the input ` +
        `${fmtShape(x.shape)} with axis ${axis} of the index's length ${index.size}`,
    );
  }
  checkBounds(op, indices, size);
  const out = Tensor.empty(x.shape, x.dtype);
  out.data.set(x.data);
  getBackend().indexAdd({ src: source.data, outer, size, inner, index: indices, out: out.data });
  return record(out, op, [x, source], (g) => [
    x.requiresGrad ? g : null,
    source.requiresGrad ? reshape(indexSelect(g, a, index), source.shape) : null,
  ]);
}

/**
 * One-hot encoding: `out[..., c] = 1` where `c = indices[...]`, else 0 (int32).
 * `numClasses = -1` (the default) uses `max(indices) + 1`. Negative or too large class indices
 * are an `IndexError`.
 *
 * Shapes: `[...]` → `[..., numClasses]`.
 * @example oneHot(tensor([0, 2], { dtype: 'int32' }), 3)  // [[1, 0, 0], [0, 0, 1]]
 */
export function oneHot(indices: Tensor, numClasses = -1): Tensor {
  const op = 'oneHot';
  const values = requireIndexDType(op, indices);
  let classes = numClasses;
  if (classes === -1) {
    if (values.length === 0) throw new ValueError(`${op}: cannot infer the number of classes from an empty tensor; pass numClasses`);
    classes = 0;
    for (let k = 0; k < values.length; k++) classes = Math.max(classes, values[k]! + 1);
  } else if (!Number.isInteger(classes) || classes < 0) {
    throw new ValueError(`${op}: numClasses must be a non-negative integer or -1, got ${numClasses}`);
  }
  checkBounds(op, values, classes);
  const out = Tensor.empty([...indices.shape, classes], 'int32');
  for (let k = 0; k < values.length; k++) out.data[k * classes + values[k]!] = 1;
  return out;
}

/** Options of {@link embedding}. */
export interface EmbeddingOptions {
  /**
   * The row whose lookups get no gradient (a padding token). Negative counts from the end.
   * Default: none.
   */
  paddingIdx?: number;
}

/**
 * An embedding lookup: row `indices[...]` of `weight` for every index (torch.nn.functional.embedding).
 * The gradient adds each output row's gradient into its weight row; rows at `paddingIdx` get none.
 * An output of more lookups than the table has rows is recorded as `weight[indices]` for
 * `embeddingSource`, so a layer that reads it can fold its input projection into the table
 * (`embeddingProjection`; the recurrent layers of `@tensorloom/rnn` do).
 *
 * Shapes: weight `[numEmbeddings, dim]`, indices `[...]` (int32, any rank) → `[..., dim]`.
 * @example embedding(randn([10, 4]), tensor([[1, 2], [3, 1]], { dtype: 'int32' }))  // shape [2, 2, 4]
 */
export function embedding(weight: Tensor, indices: Tensor, options: EmbeddingOptions = {}): Tensor {
  const op = 'embedding';
  const values = requireIndexDType(op, indices);
  if (weight.ndim !== 2) throw new ShapeError(`${op}: weight must be 2-D [numEmbeddings, dim], got ${fmtShape(weight.shape)}`);
  const [count, dim] = weight.shape as [number, number];
  let padding: number | undefined;
  if (options.paddingIdx !== undefined) {
    const p = options.paddingIdx;
    if (!Number.isInteger(p) || p < -count || p >= count) {
      throw new IndexError(`${op}: paddingIdx ${p} is out of range for ${count} embeddings`);
    }
    padding = p < 0 ? p + count : p;
  }
  checkBounds(op, values, count);
  const out = Tensor.empty([...indices.shape, dim], weight.dtype);
  getBackend().indexSelect({ x: weight.data, outer: 1, size: count, inner: dim, index: values, out: out.data });
  // More lookups than rows: a layer reading `out` may fold its input projection into the table (embeddingSource).
  if (values.length > count) markEmbeddingOutput(out, weight, indices, padding);
  return record(out, op, [weight], (g) => {
    let rows = reshape(g, [values.length, dim]);
    let rowIndex = new Tensor(values, [values.length], 'int32');
    if (padding !== undefined) {
      const kept: number[] = [];
      for (let k = 0; k < values.length; k++) if (values[k] !== padding) kept.push(k);
      if (kept.length < values.length) {
        const keep = new Tensor(Int32Array.from(kept), [kept.length], 'int32');
        rows = indexSelect(rows, 0, keep);
        rowIndex = new Tensor(
          Int32Array.from(kept, (k) => values[k]!),
          [kept.length],
          'int32',
        );
      }
    }
    return [indexAdd(Tensor.empty(weight.shape, g.dtype), 0, rowIndex, rows)];
  });
}

/**
 * Scatter reductions and the segment softmax along the first axis, as PyTorch Geometric uses them
 * to aggregate messages: entry e of `src [E, ...]` belongs to the segment `index[e]` (a node), and
 * each segment reduces its entries. The index need not be sorted; segments no entry names are
 * empty and give 0 (as torch_scatter), and the segment softmax writes nothing for them.
 */
import { record } from '../autograd.js';
import type { ScatterReduceOp } from '../backend/backend.js';
import { getBackend } from '../backend/registry.js';
import { isFloatDType, type FloatArray } from '../dtype.js';
import { DTypeError, IndexError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { div } from './arithmetic.js';
import { assertFloat, castData } from './helpers.js';
import { indexSelect } from './indexing.js';

export type { ScatterReduceOp } from '../backend/backend.js';

/** The reductions of {@link scatter}. */
export type ScatterReduce = 'sum' | 'mean' | 'max' | 'min';

/** Options of {@link scatter}. */
export interface ScatterOptions {
  /** The number of segments: the output's first axis (PyG's `dim_size`, e.g. the node count). */
  dimSize: number;
  /** How a segment combines its entries. Default `'sum'`. */
  reduce?: ScatterReduce;
}

/** Options of {@link segmentSoftmax}. */
export interface SegmentSoftmaxOptions {
  /** The number of segments (PyG's `num_nodes`); every index is below it. */
  dimSize: number;
}

const REDUCTIONS: readonly ScatterReduce[] = ['sum', 'mean', 'max', 'min'];

/** Checks src `[E, ...]`, index int32 `[E]` in [0, dimSize) and returns the index and the size of one entry. */
function checkSegments(op: string, src: Tensor, index: Tensor, dimSize: number): { indices: Int32Array; inner: number } {
  if (!Number.isInteger(dimSize) || dimSize < 0) throw new ValueError(`${op}: dimSize must be a non-negative integer, got ${dimSize}`);
  if (index.dtype !== 'int32') throw new DTypeError(`${op}: the index must be an int32 tensor, got ${index.dtype}`);
  if (src.ndim === 0) throw new ShapeError(`${op}: src must be at least 1-D [E, ...], got a 0-d tensor`);
  if (index.ndim !== 1 || index.shape[0] !== src.shape[0]) {
    throw new ShapeError(`${op}: the index must be [E] = [${src.shape[0]}] for src ${fmtShape(src.shape)}, got ${fmtShape(index.shape)}`);
  }
  const indices = index.data as Int32Array;
  for (let e = 0; e < indices.length; e++) {
    const s = indices[e]!;
    if (s < 0 || s >= dimSize) throw new IndexError(`${op}: index ${s} (entry ${e}) is out of bounds for dimSize ${dimSize}`);
  }
  let inner = 1;
  for (let d = 1; d < src.ndim; d++) inner *= src.shape[d]!;
  return { indices, inner };
}

/**
 * Scatter along the first axis (torch_scatter's / PyG's `scatter(src, index, dim=0, dim_size,
 * reduce)`): `out[s, ...] = ⊕_{e : index[e] = s} src[e, ...]`, the index broadcast over the
 * trailing axes. Reductions (option `reduce`, default `'sum'`):
 * - `'sum'`: the sum; an empty segment is 0. Gradient: `g[index[e]]` to every entry.
 * - `'mean'`: the sum divided by the segment's entry count; an empty segment is 0.
 * - `'max'` / `'min'`: the largest / smallest entry per position (NaN counts as the extreme); an
 *   empty segment is 0. The gradient goes to the first entry (lowest e) that attains the extreme
 *   in each segment and position, and the other entries get 0 (ties do not split it).
 *
 * Float src for every reduction; int32 src for sum, max and min. The index is int32 `[E]`
 * (DTypeError otherwise), each value in [0, dimSize) (IndexError); a src whose first axis is not E
 * is a ShapeError, an unknown reduction a ValueError.
 *
 * Shapes: src `[E, ...rest]`, index `[E]` → `[dimSize, ...rest]`.
 * @example
 * const index = tensor([0, 1, 0, 1, 2, 1], { dtype: 'int32' });
 * scatter(tensor([1, 2, 3, 4, 5, 6]), index, { dimSize: 4 });                  // [4, 12, 5, 0]
 * scatter(tensor([1, 2, 3, 4, 5, 6]), index, { dimSize: 4, reduce: 'max' });  // [3, 6, 5, 0]
 */
export function scatter(src: Tensor, index: Tensor, options: ScatterOptions): Tensor {
  const op = 'scatter';
  const reduce = options.reduce ?? 'sum';
  if (!REDUCTIONS.includes(reduce)) throw new ValueError(`${op}: reduce must be one of ${REDUCTIONS.join(', ')}, got '${String(reduce)}'`);
  const { dimSize } = options;
  const { indices, inner } = checkSegments(op, src, index, dimSize);
  const outShape = [dimSize, ...src.shape.slice(1)];
  if (reduce === 'max' || reduce === 'min') return scatterExtreme(reduce, src, index, indices, dimSize, inner, outShape);
  if (reduce === 'sum') return scatterSum(src, index, indices, dimSize, inner, outShape);
  if (!isFloatDType(src.dtype)) throw new DTypeError(`${op}: reduce 'mean' needs a float32 or float64 src, got ${src.dtype}`);
  const counts = Tensor.empty([dimSize, ...outShape.slice(1).map(() => 1)], src.dtype);
  for (let e = 0; e < indices.length; e++) counts.data[indices[e]!]!++;
  for (let s = 0; s < dimSize; s++) counts.data[s] = Math.max(counts.data[s]!, 1);
  return div(scatterSum(src, index, indices, dimSize, inner, outShape), counts);
}

function scatterSum(src: Tensor, index: Tensor, indices: Int32Array, dimSize: number, inner: number, outShape: number[]): Tensor {
  const out = Tensor.empty(outShape, src.dtype);
  if (out.size > 0) getBackend().indexAdd({ src: src.data, outer: 1, size: dimSize, inner, index: indices, out: out.data });
  return record(out, 'scatter', [src], (g) => [indexSelect(g, 0, index)]);
}

function scatterExtreme(
  reduce: ScatterReduceOp,
  src: Tensor,
  index: Tensor,
  indices: Int32Array,
  dimSize: number,
  inner: number,
  outShape: number[],
): Tensor {
  const backend = getBackend();
  const out = Tensor.empty(outShape, src.dtype);
  const arg = backend.alloc('int32', dimSize * inner) as Int32Array;
  backend.scatterReduce({ op: reduce, src: src.data, index: indices, size: dimSize, inner, out: out.data, arg });
  return record(out, 'scatter', [src], (g) => {
    // Each reached (segment, position) hands its gradient to its arg entry; the rest get 0.
    const grad = Tensor.empty(src.shape, src.dtype);
    const gd = castData(g, src.dtype).data;
    for (let p = 0; p < arg.length; p++) {
      const e = arg[p]!;
      if (e >= 0) grad.data[e * inner + (p % inner)] = gd[p]!;
    }
    return [grad];
  });
}

/**
 * Softmax over the entries that share an index (PyG's `softmax(src, index, num_nodes=dimSize)`),
 * per trailing position: `out[e] = exp(src[e] − m_s) / Σ_{e' : index[e'] = s} exp(src[e'] − m_s)`
 * with `s = index[e]` and `m_s` the segment's max (subtracted for stability, so large scores never
 * overflow). Every segment's outputs sum to 1; empty segments produce nothing. `−Infinity` entries
 * get 0; a segment whose scores are all `−Infinity` (or hold NaN or +Infinity) gives NaN, as the
 * dense `softmax`. Float src only; the index is int32 `[E]` with values in [0, dimSize).
 * Gradient: `y ⊙ (g − Σ_segment g ⊙ y)`.
 *
 * Shapes: src `[E]` or `[E, H]` (any `[E, ...]`: one softmax per trailing position, e.g. per
 * attention head), index `[E]` → the shape of src.
 * @example
 * // attention over each target node's incoming edges (edgeIndex row 1):
 * const alpha = segmentSoftmax(scores, target, { dimSize: numNodes });  // [E, heads]
 */
export function segmentSoftmax(src: Tensor, index: Tensor, options: SegmentSoftmaxOptions): Tensor {
  const op = 'segmentSoftmax';
  assertFloat(op, src);
  const { dimSize } = options;
  const { indices, inner } = checkSegments(op, src, index, dimSize);
  const backend = getBackend();
  const out = Tensor.empty(src.shape, src.dtype);
  const segmentMax = backend.alloc(src.dtype, dimSize * inner) as FloatArray;
  const segmentSum = backend.alloc(src.dtype, dimSize * inner) as FloatArray;
  backend.segmentSoftmax({
    src: src.data as FloatArray,
    index: indices,
    size: dimSize,
    inner,
    out: out.data as FloatArray,
    segmentMax,
    segmentSum,
  });
  return record(out, op, [src], (g) => [segmentSoftmaxGrad(castData(g, src.dtype), out, indices, dimSize, inner)]);
}

/**
 * The gradient of the segment softmax, one backend kernel (`Backend.segmentSoftmaxBackward`; it was
 * five ops: two multiplies, a scatter, a gather and a subtraction, each a pass with its own output):
 * `dx[e, i] = y[e, i] · (g[e, i] − d[index[e], i])` with `d[s, i] = Σ_{e: index[e] = s} g[e, i] · y[e, i]`.
 * Not itself recorded: the gradient of the gradient is not available.
 * At Cora's GAT sizes ([13264, 8] scores, Node 20, 2-core EPYC, load about 2, best of 5 × 20 calls):
 * 0.95 ms composed, 0.61 ms fused in js (apps/bench/.prof/dropout-segment.mts); the wasm kernel, four
 * columns at a time, 0.16 ms against the js kernel's 0.76 in a later run (load about 1).
 */
function segmentSoftmaxGrad(g: Tensor, y: Tensor, indices: Int32Array, dimSize: number, inner: number): Tensor {
  const grad = Tensor.empty(y.shape, y.dtype);
  getBackend().segmentSoftmaxBackward({
    y: y.data as FloatArray,
    g: g.data as FloatArray,
    index: indices,
    size: dimSize,
    inner,
    out: grad.data as FloatArray,
  });
  return grad;
}

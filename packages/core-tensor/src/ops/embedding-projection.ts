/**
 * The embedding fold. A linear map of an embedding lookup, `linear(embedding(E, tokens), W)`, is a
 * lookup in the projected table `E·Wᵀ`: V rows to multiply instead of one per token. A recurrent
 * layer that reads an embedding's output (a char-LSTM: V = 80 rows against T·B = 4,096 tokens)
 * saves nearly all of its input projection's FLOPs this way, forward and backward.
 *
 * `embedding` remembers what each of its outputs is (`embeddingSource`), so a consumer can take the
 * fold without the user rewiring the model; `embeddingProjection` is the folded op.
 */
import { record } from '../autograd.js';
import { getBackend } from '../backend/registry.js';
import type { TypedArray } from '../dtype.js';
import { DTypeError, IndexError, ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { zeros } from './creation.js';
import { indexAdd } from './indexing.js';
import { linear } from './matmul.js';
import { reshape } from './shape.js';

/** What an `embedding` output is: `weight[indices]`. */
export interface EmbeddingSource {
  /** The table `[numEmbeddings, dim]` (the tensor itself: gradients of a fold flow into it). */
  readonly weight: Tensor;
  /** The int32 indices of the lookup, a copy taken when it ran (later writes to the caller's tensor do not show). */
  readonly indices: Tensor;
  /** The row that got no gradient, or undefined. */
  readonly paddingIdx: number | undefined;
}

interface Recorded extends EmbeddingSource {
  /** The weight's values at lookup time, to tell whether they changed since. */
  readonly weightValues: TypedArray;
}

// Keyed by the output tensor itself: only the object `embedding` returned carries the mark; every op
// builds a new tensor, so a result computed from it (dropout, a transpose, a sum) is never marked.
const sources = new WeakMap<Tensor, Recorded>();

/**
 * Called by `embedding` on its fresh output `out = weight[indices]`. Copies the indices and the
 * weight's values (V·dim numbers, small beside the output's indices.size·dim) so that the mark stays
 * true whatever happens to the caller's tensors later.
 */
export function markEmbeddingOutput(out: Tensor, weight: Tensor, indices: Tensor, paddingIdx: number | undefined): void {
  const ownIndices = new Tensor(Int32Array.from(indices.data), indices.shape, 'int32');
  sources.set(out, { weight, indices: ownIndices, paddingIdx, weightValues: weight.data.slice() });
}

/**
 * The embedding lookup that made `x`, when `x` is the very tensor `embedding` returned (not a
 * result computed from it) for more indices than the table has rows (the only case a fold pays)
 * and the weight still holds the values it was read with (an optimizer step in between voids
 * the mark); otherwise undefined. Writing into `x.data` by hand is not detected: tensors made by
 * ops are read-only to their users (see `Tensor.data`).
 *
 * @example
 * const e = embedding(weight, tokens);  // tokens [T, B], more of them than weight has rows
 * embeddingSource(e)?.indices          // a copy of tokens
 * embeddingSource(dropout(e, 0.1))     // undefined
 */
export function embeddingSource(x: Tensor): EmbeddingSource | undefined {
  const recorded = sources.get(x);
  if (recorded === undefined) return undefined;
  const now = recorded.weight.data;
  const then = recorded.weightValues;
  if (now.length !== then.length) return undefined;
  for (let k = 0; k < now.length; k++) if (now[k] !== then[k]) return undefined;
  return { weight: recorded.weight, indices: recorded.indices, paddingIdx: recorded.paddingIdx };
}

/** Options of {@link embeddingProjection}. */
export interface EmbeddingProjectionOptions {
  /** As `embedding`'s: lookups of this row give the weight no gradient. Default: none. */
  paddingIdx?: number;
}

/**
 * `linear(embedding(weight, indices), projection)` computed as a lookup in the projected table:
 * `out[…] = (weight · projectionᵀ)[indices[…]]`, with the table `[V, N]` built by one GEMM of V rows
 * instead of one row per index. Equal to the composition up to rounding (each entry is the same
 * dot product), with the same gradients:
 *
 * ```
 * dTable      = Σ over positions with index v of dOut          (scatter-add, [V, N])
 * dProjection = dTableᵀ · weight                               ([N, dim]; padding lookups count)
 * dWeight     = dTable · projection, row paddingIdx zero       ([V, dim])
 * ```
 *
 * Shapes: weight `[V, dim]`, indices int32 `[...]` in 0..V−1, projection `[N, dim]` (a linear
 * layer's `[out, in]` weight) → `[..., N]`. weight and projection share a float dtype.
 * Backward costs two `V·N·dim` GEMMs and a scatter-add instead of two `(indices.size)·N·dim` GEMMs.
 * @example embeddingProjection(randn([80, 64]), tokens, randn([512, 64]))  // tokens [64, 64] → [64, 64, 512]
 */
export function embeddingProjection(weight: Tensor, indices: Tensor, projection: Tensor, options: EmbeddingProjectionOptions = {}): Tensor {
  const op = 'embeddingProjection';
  if (indices.dtype !== 'int32') throw new DTypeError(`${op}: the indices must be an int32 tensor, got ${indices.dtype}`);
  if (weight.dtype === 'int32' || projection.dtype !== weight.dtype) {
    throw new DTypeError(`${op}: weight and projection must share a float dtype, got ${weight.dtype} and ${projection.dtype}`);
  }
  if (weight.ndim !== 2) throw new ShapeError(`${op}: weight must be 2-D [numEmbeddings, dim], got ${fmtShape(weight.shape)}`);
  const [count, dim] = weight.shape as [number, number];
  if (projection.ndim !== 2 || projection.shape[1] !== dim) {
    throw new ShapeError(
      `${op}: projection must be [out, ${dim}] for a weight ${fmtShape(weight.shape)}, got ${fmtShape(projection.shape)}`,
    );
  }
  const features = projection.shape[0]!;
  const values = indices.data as Int32Array;
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    if (v < 0 || v >= count) throw new IndexError(`${op}: index ${v} is out of bounds for ${count} embeddings`);
  }
  let padding: number | undefined;
  if (options.paddingIdx !== undefined) {
    const p = options.paddingIdx;
    if (!Number.isInteger(p) || p < -count || p >= count)
      throw new IndexError(`${op}: paddingIdx ${p} is out of range for ${count} embeddings`);
    padding = p < 0 ? p + count : p;
  }

  // [V, N]. Recorded: its node turns dTable into dWeight and dProjection with the GEMM's transpose
  // flags (no transposed copy of dTable).
  const table = linear(weight, projection);
  const tableNode = table.gradFn;
  const out = Tensor.empty([...indices.shape, features], weight.dtype);
  getBackend().indexSelect({ x: table.data, outer: 1, size: count, inner: features, index: values, out: out.data });
  if (tableNode === null) return out;
  const rowIndex = new Tensor(values, [values.length], 'int32');
  return record(out, op, [weight, projection], (g) => {
    const dTable = indexAdd(zeros([count, features], { dtype: g.dtype }), 0, rowIndex, reshape(g, [values.length, features]));
    const [dWeight, dProjection] = tableNode.backward(dTable);
    // Row p of dWeight = dTable[p] · projection: zeroing it keeps the padding lookups out of the
    // weight's gradient and in the projection's, as the unfolded embedding → linear does.
    if (dWeight && padding !== undefined) dWeight.data.fill(0, padding * dim, (padding + 1) * dim);
    return [dWeight ?? null, dProjection ?? null];
  });
}

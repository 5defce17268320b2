/** Node features: a dense float tensor or a `SparseCSR` of the non-zeros, and what the layers do with them. */
import { DTypeError, ShapeError, SparseCSR, Tensor, ValueError, fmtShape, isFloatDType, type FloatDType } from '@tensorloom/core-tensor';

/**
 * Node features `[N, F]`: a dense float tensor, or a `SparseCSR` of the non-zeros (bag-of-words
 * features are ~1% non-zero: Cora, CiteSeer). `GCNConv`, `GATConv`, `GATv2Conv` and the models
 * built on them multiply a sparse x without densifying it (one sparse-dense product instead of a
 * dense `[N, F]·[F, C]`); `SAGEConv`, `GINConv` and `GatedGraphConv` densify it first.
 * @example
 * const x = SparseCSR.fromDense(normalizeFeatures(data.x));  // once, before training
 * model.call(x, edgeIndex)
 */
export type NodeFeatures = Tensor | SparseCSR;

/** Throws unless `x` is a float `[N, channels]` tensor or SparseCSR (`channels` null: any width). */
export function checkNodeFeatures(op: string, x: NodeFeatures, channels: number | null): void {
  const expected = `[N, ${channels ?? 'F'}]`;
  if (x instanceof SparseCSR) {
    if (channels !== null && x.shape[1] !== channels)
      throw new ShapeError(`${op}: x must be ${expected}, got a SparseCSR ${fmtShape(x.shape)}`);
    return;
  }
  if (!(x instanceof Tensor)) throw new ShapeError(`${op}: x must be a float tensor or SparseCSR ${expected}, got ${String(x)}`);
  if (!isFloatDType(x.dtype)) throw new DTypeError(`${op}: x must be float32 or float64, got ${x.dtype}`);
  if (x.ndim !== 2 || (channels !== null && x.shape[1] !== channels))
    throw new ShapeError(`${op}: x must be ${expected}, got ${fmtShape(x.shape)}`);
}

/**
 * The features as a `SparseCSR` when at most `maxDensity` (default 0.1) of the entries are
 * non-zero, else the tensor itself (also when it needs a gradient: the CSR copy would not carry it).
 * Run it once before training: the models multiply a SparseCSR without scanning the dense matrix.
 * @example
 * const x = preferSparse(normalizeFeatures(cora.x));  // SparseCSR: 1.3% of the entries are non-zero
 */
export function preferSparse(x: Tensor, options: { maxDensity?: number } = {}): NodeFeatures {
  const { maxDensity = 0.1 } = options;
  if (!(maxDensity >= 0 && maxDensity <= 1)) throw new ValueError(`preferSparse: maxDensity must be in [0, 1], got ${String(maxDensity)}`);
  checkNodeFeatures('preferSparse', x, null);
  if (x.requiresGrad || x.size === 0) return x;
  const data = x.data;
  let nonZeros = 0;
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) nonZeros++;
  return nonZeros <= maxDensity * x.size ? SparseCSR.fromDense(x) : x;
}

/** The dtype of node features: a tensor's own; a SparseCSR's values' (`fallback` for implicit ones). */
export function featureDtype(x: NodeFeatures, fallback: FloatDType): FloatDType {
  if (x instanceof SparseCSR) return (x.values?.dtype as FloatDType | undefined) ?? fallback;
  return x.dtype as FloatDType;
}

/** Dense node features: a SparseCSR as its `[N, F]` matrix (differentiable in its values), a tensor as it is. */
export function denseFeatures(x: NodeFeatures, dtype: FloatDType): Tensor {
  return x instanceof SparseCSR ? x.toDense({ dtype: (x.values?.dtype as FloatDType | undefined) ?? dtype }) : x;
}

/** Row-normalised node features (PyG's `NormalizeFeatures`, Kipf & Welling's `preprocess_features`). */
import { DTypeError, ShapeError, Tensor, fmtShape, isFloatDType } from '@tensorloom/core-tensor';

/**
 * Divides every row by its sum, so each node's features sum to 1: `x_ij / Σ_k x_ik`. Rows that
 * sum to 0 (CiteSeer's featureless nodes) stay zero. Meant for non-negative features such as the
 * Planetoid bag-of-words; for those it equals PyG's `NormalizeFeatures` (which divides by
 * `max(rowsum, 1)`, the same whenever a nonzero row sums to at least 1). Returns a new tensor of
 * the same dtype; not differentiable (a preprocessing step).
 *
 * Shapes: `[N, F]` → `[N, F]`.
 * @example normalizeFeatures(tensor([[1, 1, 0], [0, 0, 0]]))   // [[0.5, 0.5, 0], [0, 0, 0]]
 */
export function normalizeFeatures(x: Tensor): Tensor {
  const op = 'normalizeFeatures';
  if (!isFloatDType(x.dtype)) throw new DTypeError(`${op}: features must be float32 or float64, got ${x.dtype}`);
  if (x.ndim !== 2) throw new ShapeError(`${op}: features must be [N, F], got ${fmtShape(x.shape)}`);
  const [rows, cols] = x.shape as [number, number];
  const source = x.data;
  const out = Tensor.empty(x.shape, x.dtype);
  const target = out.data;
  for (let i = 0; i < rows; i++) {
    const start = i * cols;
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += source[start + j]!;
    if (sum === 0) continue;
    const scale = 1 / sum;
    for (let j = 0; j < cols; j++) target[start + j] = source[start + j]! * scale;
  }
  return out;
}

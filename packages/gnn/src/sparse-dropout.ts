/**
 * Dropout for node features that draws its masks only at the non-zero entries: bag-of-words
 * features are ~1% non-zero, so a model's input dropout needs ~1% of the draws.
 */
import { DTypeError, SparseCSR, Tensor, ValueError, defaultGenerator, dropout, type Generator } from '@tensorloom/core-tensor';
import type { NodeFeatures } from './node-features.js';

/**
 * Inverted dropout that draws its Bernoulli mask only where `x` is non-zero: `out = x ⊙ m / (1 − p)`
 * with `m ~ Bernoulli(1 − p)`, exactly `dropout`'s output distribution (a zero entry is zero under
 * any mask), with one draw per non-zero instead of per entry, which matters for sparse
 * bag-of-words features (Cora: 1.3% non-zeros). When `x` needs a gradient (its zero entries'
 * gradients would depend on the undrawn mask) it is plain `dropout`. A `SparseCSR` x gives a
 * SparseCSR of the same structure, its values through `dropout` (the same draws, in the same
 * row-major order, as for its dense matrix without explicit zeros).
 *
 * @example sparseDropout(features, 0.5, { training: true })
 */
export function sparseDropout(x: Tensor, p: number, options?: { training?: boolean; generator?: Generator }): Tensor;
export function sparseDropout(x: SparseCSR, p: number, options?: { training?: boolean; generator?: Generator }): SparseCSR;
export function sparseDropout(x: NodeFeatures, p: number, options?: { training?: boolean; generator?: Generator }): NodeFeatures;
export function sparseDropout(x: NodeFeatures, p: number, options: { training?: boolean; generator?: Generator } = {}): NodeFeatures {
  const { training = true, generator = defaultGenerator } = options;
  if (!(p >= 0 && p <= 1)) throw new ValueError(`sparseDropout: p must be a probability in [0, 1], got ${p}`);
  if (!training || p === 0) return x;
  if (x instanceof SparseCSR) {
    const values = x.values ?? new Tensor(new Float32Array(x.nnz).fill(1), [x.nnz], 'float32');
    return x.withValues(dropout(values, p, { training, generator }));
  }
  if (x.dtype === 'int32') throw new DTypeError('sparseDropout: expected a float32 or float64 tensor, got int32');
  if (x.requiresGrad || p === 1) return dropout(x, p, { training, generator });
  return maskNonZeros(x, p, generator);
}

/**
 * `x ⊙ m / (1 − p)` with one draw per non-zero entry, in row-major order (no gradient): the
 * non-zeros are gathered into one vector, which `dropout` masks (its draws are a SparseCSR's values'
 * draws for the same matrix), and written back in place.
 */
function maskNonZeros(x: Tensor, p: number, generator: Generator): Tensor {
  const source = x.data;
  let count = 0;
  for (let i = 0; i < source.length; i++) if (source[i] !== 0) count++;
  const positions = new Int32Array(count);
  const values = Tensor.empty([count], x.dtype);
  const compact = values.data;
  for (let i = 0, k = 0; k < count; i++) {
    const v = source[i]!;
    if (v !== 0) {
      positions[k] = i;
      compact[k++] = v;
    }
  }
  const dropped = dropout(values, p, { training: true, generator }).data;
  const out = Tensor.empty(x.shape, x.dtype); // zero-filled
  const target = out.data;
  for (let k = 0; k < count; k++) target[positions[k]!] = dropped[k]!;
  return out;
}

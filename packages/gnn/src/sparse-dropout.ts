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
 * SparseCSR of the same structure (its values dropped; the same draws, in the same row-major
 * order, as for its dense matrix).
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
    return x.withValues(values.requiresGrad ? dropout(values, p, { training, generator }) : maskNonZeros(values, p, generator));
  }
  if (x.dtype === 'int32') throw new DTypeError('sparseDropout: expected a float32 or float64 tensor, got int32');
  if (x.requiresGrad || p === 1) return dropout(x, p, { training, generator });
  return maskNonZeros(x, p, generator);
}

/** `x ⊙ m / (1 − p)` with one `generator.random()` draw per non-zero entry, in order (no gradient). */
function maskNonZeros(x: Tensor, p: number, generator: Generator): Tensor {
  const out = Tensor.empty(x.shape, x.dtype); // zero-filled
  const keep = 1 - p;
  const scale = 1 / keep;
  const source = x.data;
  const target = out.data;
  for (let i = 0; i < source.length; i++) {
    const v = source[i]!;
    if (v !== 0 && generator.random() < keep) target[i] = v * scale;
  }
  return out;
}

/** Inverted dropout, with its mask drawn from the seedable generator. */
import { record } from '../autograd.js';
import { isFloatDType } from '../dtype.js';
import { DTypeError, ValueError } from '../errors.js';
import { defaultGenerator, type Generator } from '../random/generator.js';
import { Tensor } from '../tensor.js';
import { mul } from './arithmetic.js';
import { binaryKernel, scalarTensor } from './helpers.js';

/** Options of {@link dropout}. */
export interface DropoutOptions {
  /** Apply dropout (true) or pass `x` through unchanged (false, evaluation). Default true. */
  training?: boolean;
  /** Where the mask comes from. Default: the global generator (`manualSeed`). */
  generator?: Generator;
}

/**
 * Inverted dropout: each element is kept with probability `1 − p` and scaled by `1 / (1 − p)`,
 * else zeroed, so that the expectation is unchanged: `out = x ⊙ m / (1 − p)`, `m ~ Bernoulli(1 − p)`.
 * The gradient is `g ⊙ m / (1 − p)`. As in PyTorch, the mask multiplies, so a NaN stays NaN even
 * where it is dropped.
 *
 * Options: `training` (default true), `generator` (default the global one). `p = 0` or
 * `training: false` returns `x` itself (any dtype); `p = 1` gives zeros. `p` outside [0, 1] is a
 * `ValueError`; applying dropout to an int32 tensor is a `DTypeError`.
 * Shapes: any → the same.
 * @example dropout(ones([4, 4]), 0.5, { generator: new Generator(0) })  // zeros and 2s
 */
export function dropout(x: Tensor, p = 0.5, options: DropoutOptions = {}): Tensor {
  const op = 'dropout';
  if (!(p >= 0 && p <= 1)) throw new ValueError(`${op}: p must be a probability in [0, 1], got ${p}`);
  const { training = true, generator = defaultGenerator } = options;
  if (!training || p === 0) return x;
  if (!isFloatDType(x.dtype)) throw new DTypeError(`${op}: expected a float32 or float64 tensor, got ${x.dtype}`);

  let mask: Tensor;
  if (p === 1) {
    mask = scalarTensor(0, x.dtype);
  } else {
    mask = Tensor.empty(x.shape, x.dtype);
    const scale = 1 / (1 - p);
    generator.fillBernoulli(mask.data, 1 - p, scale);
  }
  const out = binaryKernel('mul', x, mask, x.dtype);
  return record(out, op, [x], (g) => [mul(g, mask)]);
}

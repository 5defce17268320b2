/** Inverted dropout, with its mask drawn from the seedable generator. */
import { record } from '../autograd.js';
import { isFloatDType, type FloatArray, type FloatDType } from '../dtype.js';
import { DTypeError, ValueError } from '../errors.js';
import { defaultGenerator, Generator, type GeneratorState } from '../random/generator.js';
import { Tensor } from '../tensor.js';
import { mul } from './arithmetic.js';
import { binaryKernel, castData, scalarTensor } from './helpers.js';

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
 * where it is dropped. The mask is never stored: the forward multiplies as it draws
 * (`Generator.scaleByBernoulli`, one draw per element in row-major order, the draws a
 * `fillBernoulli` mask would take) and the backward draws it again from the generator state the
 * forward started at. Over Cora's [2708, 1433] features that is 10.5 ms instead of 32.5 ms for
 * drawing a mask and multiplying (Node 20, 2-core EPYC, load 2–3).
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

  if (p === 1) {
    // No draws: the stream is left where it was, as before the fused path existed.
    const zero = scalarTensor(0, x.dtype);
    return record(binaryKernel('mul', x, zero, x.dtype), op, [x], (g) => [mul(g, zero)]);
  }
  const keep = 1 - p;
  const scale = 1 / keep;
  // The backward replays the mask's draws from the state they started at: nothing is kept but four words.
  const start = generator.getState();
  const out = Tensor.empty(x.shape, x.dtype);
  generator.scaleByBernoulli(x.data as FloatArray, out.data as FloatArray, keep, scale);
  return record(out, op, [x], (g) => [replayMask(g, start, keep, scale, x.dtype as FloatDType)]);
}

/**
 * `g ⊙ m / keep` for the mask m the stream drew from `state` (the gradient of dropout, and its own
 * gradient: the map is linear and self-adjoint).
 */
function replayMask(g: Tensor, state: GeneratorState, keep: number, scale: number, dtype: FloatDType): Tensor {
  const gc = castData(g, dtype);
  const out = Tensor.empty(gc.shape, dtype);
  new Generator(0).setState(state).scaleByBernoulli(gc.data as FloatArray, out.data as FloatArray, keep, scale);
  return record(out, 'dropoutBackward', [g], (gg) => [replayMask(gg, state, keep, scale, dtype)]);
}

/**
 * Finding NaN and ±Infinity in a model's parameters or gradients, and the error that reports one
 * with the training step and the parameter's name (PyTorch's `named_parameters()` names).
 */
import { isFloatDType } from '../dtype.js';
import { TensorloomError } from '../errors.js';
import type { Tensor } from '../tensor.js';

/** What was found non-finite: the loss, a parameter's gradient, or a parameter itself. */
export type NonFiniteWhat = 'loss' | 'gradient' | 'parameter';

/** One non-finite element: where it is and what it is. */
export interface NonFiniteFinding {
  /** The parameter's name, as `namedParameters()` gives it (`lstm.weight_hh_l0`). */
  parameter: string;
  /** The flat (row-major) index of the first non-finite element. */
  index: number;
  /** NaN, Infinity or -Infinity. */
  value: number;
}

/** What a `NonFiniteError` reports, besides its message. */
export interface NonFiniteDetails {
  /** The training step (1-based) it happened at; undefined outside training (evaluation, sampling, saving). */
  step: number | undefined;
  what: NonFiniteWhat;
  /** The parameter's name; undefined for the loss. */
  parameter: string | undefined;
  /** The first non-finite value met (NaN, Infinity or -Infinity). */
  value: number;
  /** Its flat index in the parameter or gradient; undefined for the loss. */
  index: number | undefined;
}

/**
 * A NaN or an infinity in a loss, a gradient or a parameter. Training stops with it (the trainers'
 * `onNonFinite: 'stop'`), and evaluation, sampling and checkpoint writing refuse a model whose
 * weights hold one. The fields say where; tests check the class, not the wording.
 */
export class NonFiniteError extends TensorloomError implements NonFiniteDetails {
  readonly step: number | undefined;
  readonly what: NonFiniteWhat;
  readonly parameter: string | undefined;
  readonly value: number;
  readonly index: number | undefined;

  constructor(message: string, details: NonFiniteDetails) {
    super(message);
    this.step = details.step;
    this.what = details.what;
    this.parameter = details.parameter;
    this.value = details.value;
    this.index = details.index;
  }

  /** The same error with another message (a caller adding what it knows: the checkpoint kept, the flag to try). */
  withMessage(message: string): NonFiniteError {
    return new NonFiniteError(message, this);
  }
}

/**
 * The index of the first NaN or ±Infinity in `values`, or -1. One pass with no branch per element
 * (x·0 is 0 for every finite x and NaN otherwise); the position is looked for only when there is one.
 */
export function firstNonFinite(values: ArrayLike<number>): number {
  const n = values.length;
  let poison = 0;
  for (let i = 0; i < n; i++) poison += values[i]! * 0;
  if (poison === 0) return -1;
  for (let i = 0; i < n; i++) if (!Number.isFinite(values[i]!)) return i;
  return -1;
}

export interface FindNonFiniteOptions {
  /** Look at each parameter's gradient (`.grad`; parameters without one are skipped) rather than its values. Default false. */
  gradients?: boolean;
}

/**
 * The first parameter (in the given order) holding a NaN or an infinity, with the element's index
 * and value; undefined when every float parameter is finite. Integer tensors are skipped.
 *
 * @example
 * findNonFinite(model.namedParameters())                       // the weights
 * findNonFinite(model.namedParameters(), { gradients: true })  // after loss.backward()
 * // → { parameter: 'lstm.weight_hh_l0', index: 17, value: NaN }
 */
export function findNonFinite(
  namedParameters: Iterable<readonly [string, Tensor]>,
  options: FindNonFiniteOptions = {},
): NonFiniteFinding | undefined {
  for (const [parameter, tensor] of namedParameters) {
    const target = options.gradients ? tensor.grad : tensor;
    if (target === null || !isFloatDType(target.dtype)) continue;
    const index = firstNonFinite(target.data);
    if (index >= 0) return { parameter, index, value: target.data[index]! };
  }
  return undefined;
}

/**
 * Throws `NonFiniteError` (what: 'parameter', no step) naming the first parameter that holds a NaN
 * or an infinity, so that `op` never runs on such weights. `context` ends the message (where the
 * weights came from, what to do).
 *
 * @example
 * assertFiniteParameters('evaluate', model.namedParameters());
 * // NonFiniteError: evaluate: the model's weights are not finite: 'linear.bias' holds NaN (element 3)
 */
export function assertFiniteParameters(op: string, namedParameters: Iterable<readonly [string, Tensor]>, context = ''): void {
  const found = findNonFinite(namedParameters);
  if (found === undefined) return;
  throw new NonFiniteError(
    `${op}: the model's weights are not finite: '${found.parameter}' holds ${found.value} (element ${found.index})${context}`,
    { step: undefined, what: 'parameter', parameter: found.parameter, value: found.value, index: found.index },
  );
}

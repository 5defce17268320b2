/**
 * Loss functions with PyTorch's functional semantics: crossEntropy, nllLoss, mseLoss, l1Loss,
 * huberLoss, binaryCrossEntropyWithLogits, binaryCrossEntropy.
 *
 * Classification losses take the class axis at 1 (`[N, C]` or `[N, C, d1, …]`), or at 0 for a
 * single `[C]` sample, as PyTorch. Class indices are int32. Picking the target's log-probability
 * is a `gather` (O(N), no one-hot), so the cost beyond the log-softmax does not grow with C.
 */
import { noGrad, record } from '../autograd.js';
import { DTypeError, IndexError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { broadcastShapes, shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';
import { sigmoid, softplus } from './activation.js';
import { add, div, mul, neg, sub } from './arithmetic.js';
import { cast } from './cast.js';
import { fusedCrossEntropy } from './fused-loss.js';
import { clamp, lt, where } from './compare.js';
import { assertFloat, sumToShape } from './helpers.js';
import { gather } from './indexing.js';
import { mean, sum } from './reduce.js';
import { reshape } from './shape.js';
import { logSoftmax } from './softmax.js';
import { abs, log } from './unary.js';

/** How a loss combines its per-element values: their mean (default), their sum, or none. */
export type Reduction = 'mean' | 'sum' | 'none';

export interface LossOptions {
  /** `'mean'` (default), `'sum'` or `'none'` (the unreduced per-element losses). */
  reduction?: Reduction;
}

export interface NllLossOptions extends LossOptions {
  /** A rescaling weight per class, shape `[C]`. Default: all ones. Not differentiated. */
  weight?: Tensor;
  /** Targets equal to this contribute nothing, to the loss or to the mean's divisor. Default −100. */
  ignoreIndex?: number;
}

export interface CrossEntropyOptions extends NllLossOptions {
  /**
   * In [0, 1]: the target becomes a mix of the true distribution and the uniform one,
   * `(1 − ε)·target + ε / C`. Default 0.
   */
  labelSmoothing?: number;
}

export interface HuberLossOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear; must be positive. Default 1. */
  delta?: number;
}

export interface BinaryCrossEntropyOptions extends LossOptions {
  /** A rescaling weight broadcast against the input (e.g. per batch element). Default none. */
  weight?: Tensor;
}

export interface BinaryCrossEntropyWithLogitsOptions extends BinaryCrossEntropyOptions {
  /**
   * A weight on the positive term, broadcast against the input (usually one per class, shape
   * `[C]`): `pos_weight = negatives / positives` balances a rare class. Default none (1).
   */
  posWeight?: Tensor;
}

function applyReduction(op: string, loss: Tensor, reduction: Reduction): Tensor {
  switch (reduction) {
    case 'none':
      return loss;
    case 'sum':
      return sum(loss);
    case 'mean':
      return mean(loss);
    default:
      throw new ValueError(`${op}: reduction must be 'mean', 'sum' or 'none', got '${String(reduction)}'`);
  }
}

function checkReduction(op: string, reduction: Reduction): void {
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new ValueError(`${op}: reduction must be 'mean', 'sum' or 'none', got '${String(reduction)}'`);
  }
}

/** The class axis of a classification input: 0 for `[C]`, else 1. Throws for a 0-d input. */
function classAxisOf(op: string, input: Tensor): number {
  if (input.ndim === 0) throw new ShapeError(`${op}: the input must be [C], [N, C] or [N, C, d1, …], got a 0-d tensor`);
  return input.ndim === 1 ? 0 : 1;
}

function checkClassWeight(op: string, weight: Tensor | undefined, classes: number): void {
  if (weight === undefined) return;
  assertFloat(op, weight);
  if (weight.ndim !== 1 || weight.shape[0] !== classes) {
    throw new ShapeError(`${op}: the weight must hold one value per class, [${classes}], got ${fmtShape(weight.shape)}`);
  }
}

/** Class-index targets, checked and prepared for picking with `gather`. */
interface ClassTargets {
  classAxis: number;
  classes: number;
  /** The targets' shape (the input's without the class axis). */
  shape: number[];
  /** int32 indices shaped like the input with a size-1 class axis; ignored targets point at 0. */
  index: Tensor;
  /** Per-target weight `w[t]` (0 where ignored), in the input's dtype, of the targets' shape. */
  sampleWeight: Tensor;
  /** Σ of `sampleWeight`: the divisor of the 'mean' reduction. */
  totalWeight: number;
  /** 1 where the target is ignored (int32), or null when none is. */
  ignored: Tensor | null;
}

function prepareClassTargets(op: string, input: Tensor, target: Tensor, weight: Tensor | undefined, ignoreIndex: number): ClassTargets {
  assertFloat(op, input);
  const classAxis = classAxisOf(op, input);
  const classes = input.shape[classAxis]!;
  if (target.dtype !== 'int32') {
    throw new DTypeError(`${op}: class-index targets must be int32, got ${target.dtype}`);
  }
  const shape = input.shape.filter((_, i) => i !== classAxis);
  if (!shapesEqual(target.shape, shape)) {
    throw new ShapeError(
      `${op}: an input of shape ${fmtShape(input.shape)} needs targets of shape ${fmtShape(shape)}, got ${fmtShape(target.shape)}`,
    );
  }
  checkClassWeight(op, weight, classes);
  const n = target.size;
  const index = Tensor.empty(
    input.shape.map((d, i) => (i === classAxis ? 1 : d)),
    'int32',
  );
  const sampleWeight = Tensor.empty(shape, input.dtype);
  const ignoredMask = Tensor.empty(shape, 'int32');
  let anyIgnored = false;
  let totalWeight = 0;
  for (let k = 0; k < n; k++) {
    const t = target.data[k]!;
    if (t === ignoreIndex) {
      ignoredMask.data[k] = 1;
      anyIgnored = true;
      continue;
    }
    if (t < 0 || t >= classes) {
      throw new IndexError(`${op}: target ${t} is out of bounds for ${classes} classes (at flat position ${k})`);
    }
    index.data[k] = t;
    const w = weight === undefined ? 1 : weight.data[t]!;
    sampleWeight.data[k] = w;
    totalWeight += w;
  }
  return { classAxis, classes, shape, index, sampleWeight, totalWeight, ignored: anyIgnored ? ignoredMask : null };
}

/** `−w[t]·logProbs[t]` per target, 0 where ignored (even where the picked value is ±∞). */
function pickedLosses(logProbs: Tensor, targets: ClassTargets): Tensor {
  const picked = reshape(gather(logProbs, targets.classAxis, targets.index), targets.shape);
  const losses = neg(mul(picked, targets.sampleWeight));
  return targets.ignored === null ? losses : where(targets.ignored, 0, losses);
}

/** Reduces per-target losses: 'mean' divides by the total weight of the non-ignored targets. */
function reduceWeighted(losses: Tensor, targets: ClassTargets, reduction: Reduction): Tensor {
  if (reduction === 'none') return losses;
  const total = sum(losses);
  return reduction === 'sum' ? total : div(total, targets.totalWeight);
}

/**
 * Negative log-likelihood of class indices, as `torch.nn.functional.nll_loss`:
 * `ℓ_n = −w[t_n] · logProbs[n, t_n]` (0 where `t_n = ignoreIndex`). 'mean' divides the sum by
 * `Σ_n w[t_n]` over the non-ignored targets (NaN when all are ignored, as PyTorch).
 *
 * @param logProbs - log-probabilities, `[C]`, `[N, C]` or `[N, C, d1, …]` (class axis 1). Float.
 * @param target - int32 class indices, `[]`, `[N]` or `[N, d1, …]`. A target outside `[0, C)` that
 *   is not `ignoreIndex` throws `IndexError`.
 * @param options.weight - per-class weights `[C]`; default none.
 * @param options.ignoreIndex - default −100.
 * @param options.reduction - 'mean' (default), 'sum' or 'none' (shape of `target`).
 * @example nllLoss(logSoftmax(logits, 1), tensor([0, 2], { dtype: 'int32' }))
 */
export function nllLoss(logProbs: Tensor, target: Tensor, options: NllLossOptions = {}): Tensor {
  const { weight, ignoreIndex = -100, reduction = 'mean' } = options;
  checkReduction('nllLoss', reduction);
  const targets = prepareClassTargets('nllLoss', logProbs, target, weight, ignoreIndex);
  return reduceWeighted(pickedLosses(logProbs, targets), targets, reduction);
}

/**
 * Cross-entropy between logits and targets, as `torch.nn.functional.cross_entropy`: a stable
 * `logSoftmax` over the class axis, then
 *
 * - **class-index targets** (int32, the input's shape without the class axis):
 *   `ℓ_n = (1 − ε)·(−w[t_n]·logp[n, t_n]) + (ε / C)·(−Σ_c w_c·logp[n, c])`, both terms 0 where
 *   `t_n = ignoreIndex`; 'mean' divides the sum by `Σ_n w[t_n]` over the non-ignored targets
 *   (their count without weights), PyTorch's rule, for both terms.
 * - **class-probability targets** (float, the input's shape): with `q = (1 − ε)·target + ε / C`,
 *   `ℓ_n = −Σ_c w_c·q[n, c]·logp[n, c]`; 'mean' divides by the number of samples
 *   (`input.size / C`). `ignoreIndex` must stay negative (PyTorch's rule). Differentiable in the
 *   target as well.
 *
 * @param logits - unnormalised scores `[C]`, `[N, C]` or `[N, C, d1, …]` (class axis 1). Float.
 * @param target - int32 class indices (`[]`, `[N]`, `[N, d1, …]`) or float probabilities
 *   (the logits' shape). Out-of-range indices throw `IndexError`; wrong shapes `ShapeError`.
 * @param options.weight - per-class weights `[C]`; default none. Not differentiated.
 * @param options.ignoreIndex - default −100.
 * @param options.reduction - 'mean' (default), 'sum' or 'none' (the target's shape without the class axis).
 * @param options.labelSmoothing - ε in [0, 1]; default 0.
 * @example crossEntropy(tensor([[2, 0, -1]]), tensor([0], { dtype: 'int32' }))  // 0.1698
 */
export function crossEntropy(logits: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const op = 'crossEntropy';
  const { weight, ignoreIndex = -100, reduction = 'mean', labelSmoothing = 0 } = options;
  checkReduction(op, reduction);
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new ValueError(`${op}: labelSmoothing must be between 0 and 1, got ${labelSmoothing}`);
  }
  assertFloat(op, logits);
  const classAxis = classAxisOf(op, logits);
  const classes = logits.shape[classAxis]!;
  // Per-class weights shaped to broadcast along the class axis of the logits. Detached: class
  // weights are constants here, as in PyTorch (the picked term reads their values directly).
  const classWeight = (): Tensor | null =>
    weight === undefined
      ? null
      : reshape(
          cast(weight.detach(), logits.dtype),
          logits.shape.map((d, i) => (i === classAxis ? d : 1)),
        );

  if (target.dtype !== 'int32') {
    if (!shapesEqual(target.shape, logits.shape)) {
      throw new ShapeError(
        `${op}: float targets are class probabilities and need the logits' shape ` +
          `${fmtShape(logits.shape)}, got ${fmtShape(target.shape)} (class indices must be int32)`,
      );
    }
    if (ignoreIndex >= 0) throw new ValueError(`${op}: ignoreIndex (${ignoreIndex}) is not supported for class-probability targets`);
    checkClassWeight(op, weight, classes);
    const logp = logSoftmax(logits, classAxis);
    const q = labelSmoothing > 0 ? add(mul(target, 1 - labelSmoothing), labelSmoothing / classes) : target;
    const w = classWeight();
    const weighted = w === null ? logp : mul(logp, w);
    const losses = neg(sum(mul(weighted, q), classAxis));
    if (reduction === 'none') return losses;
    const total = sum(losses);
    return reduction === 'sum' ? total : div(total, classes === 0 ? 0 : logits.size / classes);
  }

  // The common case, [N, C] or [C] logits, runs on the fused kernels (same values, one node).
  if (logits.ndim <= 2) return fusedCrossEntropy(logits, target, { weight, ignoreIndex, reduction, labelSmoothing });
  const targets = prepareClassTargets(op, logits, target, weight, ignoreIndex);
  const logp = logSoftmax(logits, classAxis);
  const nll = reduceWeighted(pickedLosses(logp, targets), targets, reduction);
  if (labelSmoothing === 0) return nll;
  const w = classWeight();
  let smooth = neg(sum(w === null ? logp : mul(logp, w), classAxis));
  if (targets.ignored !== null) smooth = where(targets.ignored, 0, smooth);
  const smoothReduced = reduceWeighted(smooth, targets, reduction);
  return add(mul(nll, 1 - labelSmoothing), mul(smoothReduced, labelSmoothing / classes));
}

function checkSameShape(op: string, input: Tensor, target: Tensor): void {
  if (!shapesEqual(input.shape, target.shape)) {
    throw new ShapeError(`${op}: the target must have the input's shape ${fmtShape(input.shape)}, got ${fmtShape(target.shape)}`);
  }
}

/** Checks that an optional weight broadcasts to the input's shape without growing it. */
function checkBroadcastWeight(op: string, name: string, weight: Tensor | undefined, shape: readonly number[]): void {
  if (weight === undefined) return;
  assertFloat(op, weight);
  const joint = broadcastShapes(op, weight.shape, shape);
  if (!shapesEqual(joint, shape)) {
    throw new ShapeError(`${op}: ${name} ${fmtShape(weight.shape)} must broadcast to the input's shape ${fmtShape(shape)}`);
  }
}

/**
 * Mean squared error, as `torch.nn.functional.mse_loss`: `ℓ = (input − target)²` per element,
 * then reduced. Both are differentiated. The shapes must be equal (`ShapeError` otherwise;
 * PyTorch only warns and broadcasts).
 *
 * @param options.reduction - 'mean' (default), 'sum' or 'none' (the input's shape).
 * @example mseLoss(tensor([1, 2]), tensor([0, 0]))  // 2.5
 */
export function mseLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const { reduction = 'mean' } = options;
  checkReduction('mseLoss', reduction);
  assertFloat('mseLoss', input);
  checkSameShape('mseLoss', input, target);
  const d = sub(input, target);
  return applyReduction('mseLoss', mul(d, d), reduction);
}

/**
 * Mean absolute error, as `torch.nn.functional.l1_loss`: `ℓ = |input − target|` per element,
 * then reduced. Gradient `sign(input − target)` (0 at equality). The shapes must be equal.
 *
 * @param options.reduction - 'mean' (default), 'sum' or 'none' (the input's shape).
 * @example l1Loss(tensor([1, -2]), tensor([0, 0]))  // 1.5
 */
export function l1Loss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const { reduction = 'mean' } = options;
  checkReduction('l1Loss', reduction);
  assertFloat('l1Loss', input);
  checkSameShape('l1Loss', input, target);
  return applyReduction('l1Loss', abs(sub(input, target)), reduction);
}

/**
 * Huber loss, as `torch.nn.functional.huber_loss`: with `d = input − target`,
 * `ℓ = 0.5·d²` where `|d| < δ`, else `δ·(|d| − 0.5·δ)`: quadratic near 0, linear beyond δ.
 * The shapes must be equal.
 *
 * @param options.delta - δ > 0; default 1 (a non-positive δ throws `ValueError`).
 * @param options.reduction - 'mean' (default), 'sum' or 'none' (the input's shape).
 * @example huberLoss(tensor([0, 3]), tensor([0.5, 0]), { delta: 2, reduction: 'none' })  // [0.125, 4]
 */
export function huberLoss(input: Tensor, target: Tensor, options: HuberLossOptions = {}): Tensor {
  const { delta = 1, reduction = 'mean' } = options;
  checkReduction('huberLoss', reduction);
  if (!(delta > 0)) throw new ValueError(`huberLoss: delta must be positive, got ${delta}`);
  assertFloat('huberLoss', input);
  checkSameShape('huberLoss', input, target);
  const d = sub(input, target);
  const size = abs(d);
  const losses = where(lt(size, delta), mul(mul(d, d), 0.5), mul(sub(size, 0.5 * delta), delta));
  return applyReduction('huberLoss', losses, reduction);
}

/**
 * Binary cross-entropy on logits, as `torch.nn.functional.binary_cross_entropy_with_logits`,
 * in the stable form: with `p` = posWeight (1 when omitted) and `softplus(−x) = −log σ(x)`,
 * `ℓ = w · [(1 − t)·x + (1 + (p − 1)·t) · softplus(−x)]`, which equals
 * `−w·[p·t·log σ(x) + (1 − t)·log(1 − σ(x))]` without overflow for any x.
 * Gradients: input `(1 − t) − (1 + (p − 1)·t)·σ(−x)`, target `−x + (p − 1)·softplus(−x)`,
 * posWeight `t·softplus(−x)`; all times `w·g`.
 *
 * @param input - logits, any shape. Float.
 * @param target - float targets in [0, 1], the input's shape (`ShapeError` otherwise).
 * @param options.weight - broadcast against the input; default none.
 * @param options.posWeight - broadcast against the input (one per class on the last axis); default none.
 * @param options.reduction - 'mean' (default), 'sum' or 'none' (the input's shape).
 * @example binaryCrossEntropyWithLogits(tensor([0]), tensor([1]))  // 0.6931
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options: BinaryCrossEntropyWithLogitsOptions = {}): Tensor {
  const op = 'binaryCrossEntropyWithLogits';
  const { weight, posWeight, reduction = 'mean' } = options;
  checkReduction(op, reduction);
  assertFloat(op, input);
  assertFloat(op, target);
  checkSameShape(op, input, target);
  checkBroadcastWeight(op, 'weight', weight, input.shape);
  checkBroadcastWeight(op, 'posWeight', posWeight, input.shape);

  // softplus(−x) = max(−x, 0) + log1p(e^(−|x|)), exact everywhere (no linear threshold).
  const spNeg = noGrad(() => softplus(neg(input), { threshold: Infinity }));
  const posScale = posWeight === undefined ? null : noGrad(() => add(mul(target, sub(posWeight, 1)), 1));
  const out = noGrad(() => add(mul(sub(1, target), input), posScale === null ? spNeg : mul(posScale, spNeg)));
  const inputs = posWeight === undefined ? [input, target] : [input, target, posWeight];
  const losses = record(out, op, inputs, (g) => {
    const sigNeg = sigmoid(neg(input));
    const gInput = input.requiresGrad ? mul(g, sub(sub(1, target), posScale === null ? sigNeg : mul(posScale, sigNeg))) : null;
    const gTarget = target.requiresGrad ? mul(g, posWeight === undefined ? neg(input) : sub(mul(sub(posWeight, 1), spNeg), input)) : null;
    const gPos = posWeight?.requiresGrad ? sumToShape(mul(g, mul(target, spNeg)), posWeight.shape) : null;
    return [gInput, gTarget, gPos];
  });
  return applyReduction(op, weight === undefined ? losses : mul(losses, weight), reduction);
}

/**
 * Binary cross-entropy on probabilities, as `torch.nn.functional.binary_cross_entropy`:
 * `ℓ = −w·[t·log(x) + (1 − t)·log(1 − x)]` with each log clamped at −100 (so x = 0 or 1 gives a
 * finite loss, as PyTorch). Gradients: input `(x − t) / max(x·(1 − x), 1e−12)` (PyTorch's), target
 * `log(1 − x) − log(x)` with the same clamped logs (finite where PyTorch's is ±∞); times `w·g`.
 * Prefer {@link binaryCrossEntropyWithLogits} on logits: it is stable.
 *
 * @param probs - probabilities in [0, 1] (`ValueError` otherwise), any shape. Float.
 * @param target - float targets, the input's shape (`ShapeError` otherwise).
 * @param options.weight - broadcast against the input; default none.
 * @param options.reduction - 'mean' (default), 'sum' or 'none' (the input's shape).
 * @example binaryCrossEntropy(tensor([0.5]), tensor([1]))  // 0.6931
 */
export function binaryCrossEntropy(probs: Tensor, target: Tensor, options: BinaryCrossEntropyOptions = {}): Tensor {
  const op = 'binaryCrossEntropy';
  const { weight, reduction = 'mean' } = options;
  checkReduction(op, reduction);
  assertFloat(op, probs);
  assertFloat(op, target);
  checkSameShape(op, probs, target);
  checkBroadcastWeight(op, 'weight', weight, probs.shape);
  for (let k = 0; k < probs.size; k++) {
    const p = probs.data[k]!;
    if (!(p >= 0 && p <= 1)) throw new ValueError(`${op}: every input must be a probability in [0, 1], got ${p} at flat position ${k}`);
  }
  const logP = noGrad(() => clamp(log(probs), -100));
  const log1mP = noGrad(() => clamp(log(sub(1, probs)), -100));
  const out = noGrad(() => neg(add(mul(target, logP), mul(sub(1, target), log1mP))));
  const losses = record(out, op, [probs, target], (g) => [
    probs.requiresGrad ? div(mul(g, sub(probs, target)), clamp(mul(probs, sub(1, probs)), 1e-12)) : null,
    target.requiresGrad ? mul(g, sub(log1mP, logP)) : null,
  ]);
  return applyReduction(op, weight === undefined ? losses : mul(losses, weight), reduction);
}

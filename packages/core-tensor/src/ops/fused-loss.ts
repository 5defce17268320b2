/**
 * The fused path of `crossEntropy` for its common case, class-index targets on `[N, C]` (or `[C]`)
 * logits: one kernel gives each row's loss, max and log-sum, one kernel gives the logits' gradient
 * `(softmax − target distribution)·scale` from them. The generic path (`logSoftmax`, `gather`,
 * weights, masks, reductions as separate ops) computes the same values; `crossEntropy` in
 * `loss.ts` chooses between them and documents the semantics.
 */
import { record } from '../autograd.js';
import { getBackend } from '../backend/registry.js';
import type { FloatArray, FloatDType } from '../dtype.js';
import { IndexError, ShapeError, fmtShape } from '../errors.js';
import { shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';
import { assertFloat, castData } from './helpers.js';
import type { Reduction } from './loss.js';

/** The options of `crossEntropy`, resolved (defaults applied, reduction and ε already checked). */
export interface FusedCrossEntropyOptions {
  weight: Tensor | undefined;
  ignoreIndex: number;
  reduction: Reduction;
  labelSmoothing: number;
}

/**
 * Cross-entropy of `[N, C]` or `[C]` float logits against int32 class indices (`[N]` or `[]`),
 * with `crossEntropy`'s semantics and errors, through the fused kernels. Differentiable in the
 * logits (the class weights are constants, as in PyTorch).
 */
export function fusedCrossEntropy(logits: Tensor, target: Tensor, options: FusedCrossEntropyOptions): Tensor {
  const op = 'crossEntropy';
  const { weight, ignoreIndex, reduction, labelSmoothing } = options;
  const dtype = logits.dtype as FloatDType;
  const classes = logits.shape[logits.ndim - 1]!;
  const rows = logits.ndim === 2 ? logits.shape[0]! : 1;
  const targetShape = logits.shape.slice(0, -1);
  if (!shapesEqual(target.shape, targetShape)) {
    throw new ShapeError(
      `${op}: an input of shape ${fmtShape(logits.shape)} needs targets of shape ${fmtShape(targetShape)}, got ${fmtShape(target.shape)}`,
    );
  }
  if (weight !== undefined) {
    assertFloat(op, weight);
    if (weight.ndim !== 1 || weight.shape[0] !== classes) {
      throw new ShapeError(`${op}: the weight must hold one value per class, [${classes}], got ${fmtShape(weight.shape)}`);
    }
  }
  const targets = target.data as Int32Array;
  // The divisor of 'mean': the total weight of the targets that count (their number without weights).
  let totalWeight = 0;
  for (let n = 0; n < rows; n++) {
    const t = targets[n]!;
    if (t === ignoreIndex) continue;
    if (t < 0 || t >= classes) throw new IndexError(`${op}: target ${t} is out of bounds for ${classes} classes (at flat position ${n})`);
    totalWeight += weight === undefined ? 1 : weight.data[t]!;
  }

  const backend = getBackend();
  const weightData = weight === undefined ? null : (castData(weight, dtype).data as FloatArray);
  const params = { rows, classes, ignoreIndex, labelSmoothing };
  const losses = backend.alloc(dtype, rows) as FloatArray;
  const rowMax = backend.alloc(dtype, rows) as FloatArray;
  const logSum = backend.alloc(dtype, rows) as FloatArray;
  backend.crossEntropyForward({ logits: logits.data as FloatArray, target: targets, weight: weightData, params, losses, rowMax, logSum });

  let out: Tensor;
  if (reduction === 'none') {
    out = new Tensor(losses, targetShape, dtype);
  } else {
    let total = 0;
    for (let n = 0; n < rows; n++) total += losses[n]!;
    out = Tensor.empty([], dtype);
    out.data[0] = reduction === 'sum' ? total : total / totalWeight;
  }
  return record(out, op, [logits], (g) => {
    let scale: FloatArray;
    if (reduction === 'none') {
      scale = castData(g, dtype).data as FloatArray;
    } else {
      scale = getBackend().alloc(dtype, rows) as FloatArray;
      scale.fill(reduction === 'sum' ? g.data[0]! : g.data[0]! / totalWeight);
    }
    const dLogits = Tensor.empty(logits.shape, dtype);
    getBackend().crossEntropyBackward({
      logits: logits.data as FloatArray,
      target: targets,
      weight: weightData,
      params,
      rowMax,
      logSum,
      gradLosses: scale,
      dLogits: dLogits.data as FloatArray,
    });
    return [dLogits];
  });
}

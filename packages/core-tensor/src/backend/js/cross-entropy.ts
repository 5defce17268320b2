/**
 * Fused softmax cross-entropy over class-index targets: the forward pass keeps each row's max and
 * log-sum (two numbers per row), and the backward pass writes `(softmax − target distribution)·scale`
 * straight from them, with no log-probability matrix, gather or one-hot in between.
 *
 * Sums run in float64; float32 storage is rounded once on store.
 */
import type { CrossEntropyBackwardArgs, CrossEntropyForwardArgs } from '../backend.js';

/**
 * Per-row loss `(1 − ε)·(−w_t·logp_t) + (ε / C)·(−Σ_c w_c·logp_c)` (0 where ignored), with
 * `logp_c = (x_c − m) − s`; the row's max m and log-sum s are kept for the backward pass.
 */
export function crossEntropyForward({ logits, target, weight, params, losses, rowMax, logSum }: CrossEntropyForwardArgs): void {
  const { rows, classes, ignoreIndex, labelSmoothing } = params;
  for (let n = 0; n < rows; n++) {
    const base = n * classes;
    // The max as the softmax kernel takes it: any NaN makes the row NaN.
    let m = -Infinity;
    for (let c = 0; c < classes; c++) {
      const v = logits[base + c]!;
      if (v > m) m = v;
      else if (v !== v) {
        m = NaN;
        break;
      }
    }
    let s = 0;
    for (let c = 0; c < classes; c++) s += Math.exp(logits[base + c]! - m);
    const logS = Math.log(s);
    rowMax[n] = m;
    logSum[n] = logS;
    const t = target[n]!;
    if (t === ignoreIndex) {
      losses[n] = 0;
      continue;
    }
    const wt = weight === null ? 1 : weight[t]!;
    let loss = -(wt * (logits[base + t]! - m - logS));
    // Left out at ε = 0, where it would turn a −∞ logit elsewhere in the row into NaN.
    if (labelSmoothing > 0) {
      let smooth = 0;
      if (weight === null) for (let c = 0; c < classes; c++) smooth += logits[base + c]! - m - logS;
      else for (let c = 0; c < classes; c++) smooth += weight[c]! * (logits[base + c]! - m - logS);
      loss = (1 - labelSmoothing) * loss - (labelSmoothing / classes) * smooth;
    }
    losses[n] = loss;
  }
}

/**
 * `dLogits[n, c] = g_n·(p_nc·A_n − (1 − ε)·w_t·[c = t] − (ε / C)·w_c)` with `p = exp((x − m) − s)`
 * and `A_n = (1 − ε)·w_t + (ε / C)·Σ_k w_k` (1 without weights); 0 on ignored rows.
 */
export function crossEntropyBackward({
  logits,
  target,
  weight,
  params,
  rowMax,
  logSum,
  gradLosses,
  dLogits,
}: CrossEntropyBackwardArgs): void {
  const { rows, classes, ignoreIndex, labelSmoothing } = params;
  const smoothing = labelSmoothing / classes;
  let weightSum = classes;
  if (weight !== null) {
    weightSum = 0;
    for (let c = 0; c < classes; c++) weightSum += weight[c]!;
  }
  for (let n = 0; n < rows; n++) {
    const base = n * classes;
    const t = target[n]!;
    if (t === ignoreIndex) {
      dLogits.fill(0, base, base + classes);
      continue;
    }
    const scale = gradLosses[n]!;
    const wt = weight === null ? 1 : weight[t]!;
    const picked = (1 - labelSmoothing) * wt;
    const mass = labelSmoothing > 0 ? picked + smoothing * weightSum : picked;
    const m = rowMax[n]!;
    const logS = logSum[n]!;
    if (labelSmoothing > 0) {
      for (let c = 0; c < classes; c++) {
        const w = weight === null ? 1 : weight[c]!;
        dLogits[base + c] = scale * (Math.exp(logits[base + c]! - m - logS) * mass - smoothing * w);
      }
      dLogits[base + t] = scale * (Math.exp(logits[base + t]! - m - logS) * mass - smoothing * wt - picked);
    } else {
      for (let c = 0; c < classes; c++) dLogits[base + c] = scale * (Math.exp(logits[base + c]! - m - logS) * mass);
      dLogits[base + t] = scale * (Math.exp(logits[base + t]! - m - logS) * mass - picked);
    }
  }
}

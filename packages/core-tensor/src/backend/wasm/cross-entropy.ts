/**
 * The wasm backend's fused softmax cross-entropy, float32. The exponentials (one per logit, forward
 * and backward) run in wasm; the per-row bookkeeping (the target's term, weights, label
 * smoothing, ignored rows) stays here in TypeScript, O(rows) work beside O(rows·classes).
 */
import type { FloatArray } from '../../dtype.js';
import type { Backend } from '../backend.js';
import { align, type WasmRuntime } from './runtime.js';

type Forward = Backend['crossEntropyForward'];
type Backward = Backend['crossEntropyBackward'];

const f32 = (x: FloatArray | null): x is Float32Array => x instanceof Float32Array;

/** `Backend.crossEntropyForward` on `runtime`; `fallback` (the js kernel) for what it does not take. */
export function createCrossEntropyForward(runtime: WasmRuntime, fallback: Forward, minElements: number): Forward {
  return function crossEntropyForward(args) {
    const { logits, target, weight, params, losses, rowMax, logSum } = args;
    const { rows, classes, ignoreIndex, labelSmoothing } = params;
    const n = rows * classes;
    if (!f32(logits) || !f32(rowMax) || !f32(logSum) || n < minElements || classes === 0) {
      fallback(args);
      return;
    }
    const logitsBytes = align(4 * n);
    const rowBytes = align(4 * rows);
    const base = runtime.reserve(logitsBytes + 2 * rowBytes);
    if (base < 0) {
      fallback(args);
      return;
    }
    const maxAddr = base + logitsBytes;
    const sumAddr = maxAddr + rowBytes;
    runtime.floats32().set(logits.subarray(0, n), base >> 2);
    runtime.exports.rowLogSumExpF32(base, rows, classes, maxAddr, sumAddr);
    const mem = runtime.floats32();
    rowMax.set(mem.subarray(maxAddr >> 2, (maxAddr >> 2) + rows));
    logSum.set(mem.subarray(sumAddr >> 2, (sumAddr >> 2) + rows));
    // The loss of each row from its statistics, as the js kernel computes it.
    for (let r = 0; r < rows; r++) {
      const t = target[r]!;
      if (t === ignoreIndex) {
        losses[r] = 0;
        continue;
      }
      const at = r * classes;
      const m = rowMax[r]!;
      const s = logSum[r]!;
      const wt = weight === null ? 1 : weight[t]!;
      let loss = -(wt * (logits[at + t]! - m - s));
      if (labelSmoothing > 0) {
        let smooth = 0;
        if (weight === null) for (let c = 0; c < classes; c++) smooth += logits[at + c]! - m - s;
        else for (let c = 0; c < classes; c++) smooth += weight[c]! * (logits[at + c]! - m - s);
        loss = (1 - labelSmoothing) * loss - (labelSmoothing / classes) * smooth;
      }
      losses[r] = loss;
    }
  };
}

/** `Backend.crossEntropyBackward` on `runtime`; `fallback` (the js kernel) for what it does not take. */
export function createCrossEntropyBackward(runtime: WasmRuntime, fallback: Backward, minElements: number): Backward {
  return function crossEntropyBackward(args) {
    const { logits, target, weight, params, rowMax, logSum, gradLosses, dLogits } = args;
    const { rows, classes, ignoreIndex, labelSmoothing } = params;
    const n = rows * classes;
    if (!f32(logits) || !f32(dLogits) || n < minElements || classes === 0) {
      fallback(args);
      return;
    }
    const logitsBytes = align(4 * n);
    const rowBytes = align(4 * rows);
    const classBytes = labelSmoothing > 0 ? align(4 * classes) : 0;
    const base = runtime.reserve(2 * logitsBytes + 4 * rowBytes + classBytes);
    if (base < 0) {
      fallback(args);
      return;
    }
    const outAddr = base + logitsBytes;
    const maxAddr = outAddr + logitsBytes;
    const sumAddr = maxAddr + rowBytes;
    const scaleAddr = sumAddr + rowBytes;
    const massAddr = scaleAddr + rowBytes;
    const smoothAddr = classBytes > 0 ? massAddr + rowBytes : 0;
    const smoothing = labelSmoothing / classes;
    let weightSum = classes;
    if (weight !== null) {
      weightSum = 0;
      for (let c = 0; c < classes; c++) weightSum += weight[c]!;
    }
    const mem = runtime.floats32();
    mem.set(logits.subarray(0, n), base >> 2);
    mem.set(rowMax.subarray(0, rows), maxAddr >> 2);
    mem.set(logSum.subarray(0, rows), sumAddr >> 2);
    for (let r = 0; r < rows; r++) {
      const t = target[r]!;
      const ignored = t === ignoreIndex;
      const picked = ignored ? 0 : (1 - labelSmoothing) * (weight === null ? 1 : weight[t]!);
      mem[(scaleAddr >> 2) + r] = ignored ? 0 : gradLosses[r]!;
      mem[(massAddr >> 2) + r] = labelSmoothing > 0 ? picked + smoothing * weightSum : picked;
    }
    if (smoothAddr) for (let c = 0; c < classes; c++) mem[(smoothAddr >> 2) + c] = smoothing * (weight === null ? 1 : weight[c]!);
    runtime.exports.crossEntropyGradF32(base, rows, classes, maxAddr, sumAddr, scaleAddr, massAddr, smoothAddr, outAddr);
    dLogits.set(runtime.floats32().subarray(outAddr >> 2, (outAddr >> 2) + n));
    // The target's own term, and exact zeros on ignored rows (0·NaN would not be 0).
    for (let r = 0; r < rows; r++) {
      const t = target[r]!;
      const at = r * classes;
      if (t === ignoreIndex) {
        dLogits.fill(0, at, at + classes);
        continue;
      }
      const picked = (1 - labelSmoothing) * (weight === null ? 1 : weight[t]!);
      dLogits[at + t] = dLogits[at + t]! - gradLosses[r]! * picked;
    }
  };
}

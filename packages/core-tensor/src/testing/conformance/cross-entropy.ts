/** Backend conformance: the fused softmax cross-entropy. See ./index.ts. */
import type { Backend, CrossEntropyParams } from '../../backend/backend.js';
import type { FloatArray } from '../../dtype.js';
import { Generator } from '../../random/generator.js';

import { ACCUMULATED, EXACT, FLOATS, SENTINEL, check, filled, uniform, type ConformanceCase } from './shared.js';

// ---- fused cross-entropy -------------------------------------------------------------------------

interface CrossEntropySetup {
  name: string;
  params: CrossEntropyParams;
  weighted: boolean;
}

const CROSS_ENTROPY_SETUPS: readonly CrossEntropySetup[] = [
  { name: 'plain', params: { rows: 6, classes: 7, ignoreIndex: -100, labelSmoothing: 0 }, weighted: false },
  { name: 'weights, ignored rows', params: { rows: 6, classes: 7, ignoreIndex: 2, labelSmoothing: 0 }, weighted: true },
  { name: 'label smoothing 0.2', params: { rows: 5, classes: 9, ignoreIndex: -100, labelSmoothing: 0.2 }, weighted: false },
  { name: 'weights, smoothing 0.1, ignored rows', params: { rows: 6, classes: 5, ignoreIndex: 0, labelSmoothing: 0.1 }, weighted: true },
  { name: 'one class', params: { rows: 3, classes: 1, ignoreIndex: -100, labelSmoothing: 0.3 }, weighted: false },
  { name: 'no rows', params: { rows: 0, classes: 4, ignoreIndex: -100, labelSmoothing: 0 }, weighted: true },
];

interface CrossEntropyInputs {
  logits: number[];
  target: number[];
  weight: number[] | null;
}

/**
 * Logits in [-3, 3] with one row shifted by +100 (exp would overflow float32 unstabilised), a −∞
 * logit off the target where ε = 0 (the loss stays finite), and targets that hit `ignoreIndex`.
 */
function crossEntropyInputs(gen: Generator, setup: CrossEntropySetup): CrossEntropyInputs {
  const { rows, classes, ignoreIndex, labelSmoothing } = setup.params;
  const logits = uniform(gen, rows * classes, -3, 3);
  const target = Array.from({ length: rows }, (_, n) => (n % 3 === 1 && ignoreIndex >= 0 ? ignoreIndex : gen.integer(0, classes)));
  if (rows > 1) for (let c = 0; c < classes; c++) logits[classes + c]! += 100;
  if (rows > 2 && classes > 1 && labelSmoothing === 0) logits[2 * classes + ((target[2]! + 1) % classes)] = -Infinity;
  const weight = setup.weighted ? uniform(gen, classes, 0.2, 2) : null;
  return { logits, target, weight };
}

/** Per-row max, log-sum and loss by the contract's formulas, in float64. */
function crossEntropyReference(
  logits: ArrayLike<number>,
  inputs: CrossEntropyInputs,
  params: CrossEntropyParams,
): { losses: Float64Array; rowMax: Float64Array; logSum: Float64Array } {
  const { rows, classes, ignoreIndex, labelSmoothing: eps } = params;
  const losses = new Float64Array(rows);
  const rowMax = new Float64Array(rows);
  const logSum = new Float64Array(rows);
  const w = (c: number): number => (inputs.weight === null ? 1 : inputs.weight[c]!);
  for (let n = 0; n < rows; n++) {
    const row = Array.from({ length: classes }, (_, c) => logits[n * classes + c]!);
    const m = Math.max(...row);
    const logS = Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    rowMax[n] = m;
    logSum[n] = logS;
    const t = inputs.target[n]!;
    if (t === ignoreIndex) continue;
    let loss = -(w(t) * (row[t]! - m - logS));
    if (eps > 0) loss = (1 - eps) * loss - (eps / classes) * row.reduce((s, v, c) => s + w(c) * (v - m - logS), 0);
    losses[n] = loss;
  }
  return { losses, rowMax, logSum };
}

export function crossEntropyCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const dtype of FLOATS) {
    const sentinel = (backend: Backend, n: number): FloatArray => filled(backend, dtype, new Array<number>(n).fill(SENTINEL)) as FloatArray;
    cases.push({
      name:
        `crossEntropyForward ${dtype}: per-row loss, max and log-sum with ` +
        `weights, ignoreIndex and label smoothing, stable for large logits`,
      run(backend) {
        const gen = new Generator(1100);
        for (const setup of CROSS_ENTROPY_SETUPS) {
          const inputs = crossEntropyInputs(gen, setup);
          const { rows } = setup.params;
          const logits = filled(backend, dtype, inputs.logits) as FloatArray;
          const target = filled(backend, 'int32', inputs.target) as Int32Array;
          const weight = inputs.weight === null ? null : (filled(backend, dtype, inputs.weight) as FloatArray);
          const [losses, rowMax, logSum] = [sentinel(backend, rows), sentinel(backend, rows), sentinel(backend, rows)];
          backend.crossEntropyForward({ logits, target, weight, params: setup.params, losses, rowMax, logSum });
          // The reference reads the stored (possibly float32-rounded) logits and weights.
          const expected = crossEntropyReference(logits, { ...inputs, weight: weight === null ? null : Array.from(weight) }, setup.params);
          const what = `crossEntropyForward ${dtype}, ${setup.name}`;
          check(losses, expected.losses, ACCUMULATED[dtype], `${what}: losses`);
          check(rowMax, expected.rowMax, EXACT, `${what}: rowMax`);
          check(logSum, expected.logSum, ACCUMULATED[dtype], `${what}: logSum`);
        }
      },
    });
    cases.push({
      name: `crossEntropyBackward ${dtype}: (softmax − target distribution)·scale, zero on ignored rows`,
      run(backend) {
        const gen = new Generator(1110);
        for (const setup of CROSS_ENTROPY_SETUPS) {
          const inputs = crossEntropyInputs(gen, setup);
          const { rows, classes, ignoreIndex, labelSmoothing: eps } = setup.params;
          const logits = filled(backend, dtype, inputs.logits) as FloatArray;
          const target = filled(backend, 'int32', inputs.target) as Int32Array;
          const weight = inputs.weight === null ? null : (filled(backend, dtype, inputs.weight) as FloatArray);
          const stats = crossEntropyReference(logits, inputs, setup.params);
          const rowMax = filled(backend, dtype, stats.rowMax) as FloatArray;
          const logSum = filled(backend, dtype, stats.logSum) as FloatArray;
          const scale = filled(backend, dtype, uniform(gen, rows, -2, 2)) as FloatArray;
          const dLogits = sentinel(backend, rows * classes);
          backend.crossEntropyBackward({ logits, target, weight, params: setup.params, rowMax, logSum, gradLosses: scale, dLogits });
          const w = (c: number): number => (weight === null ? 1 : weight[c]!);
          let weightSum = 0;
          for (let c = 0; c < classes; c++) weightSum += w(c);
          const expected = new Float64Array(rows * classes);
          for (let n = 0; n < rows; n++) {
            const t = target[n]!;
            if (t === ignoreIndex) continue;
            const mass = (1 - eps) * w(t) + (eps / classes) * weightSum;
            for (let c = 0; c < classes; c++) {
              const p = Math.exp(logits[n * classes + c]! - rowMax[n]! - logSum[n]!);
              expected[n * classes + c] = scale[n]! * (p * mass - (c === t ? (1 - eps) * w(t) : 0) - (eps / classes) * w(c));
            }
          }
          check(dLogits, expected, ACCUMULATED[dtype], `crossEntropyBackward ${dtype}, ${setup.name}`);
        }
      },
    });
  }
  return cases;
}

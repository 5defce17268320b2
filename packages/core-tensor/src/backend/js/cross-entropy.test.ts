import { describe, expect, it } from 'vitest';
import type { CrossEntropyParams } from '../backend.js';
import { Generator } from '../../random/generator.js';
import { expectClose } from '../../testing/expect-close.js';
import { crossEntropyBackward, crossEntropyForward } from './cross-entropy.js';

describe('js crossEntropy kernels', () => {
  it('backward is the derivative of the forward losses (central differences, float64)', () => {
    const gen = new Generator(41);
    const params: CrossEntropyParams = { rows: 4, classes: 6, ignoreIndex: 3, labelSmoothing: 0.25 };
    const logits = Float64Array.from({ length: 24 }, () => gen.uniform(-3, 3));
    const target = Int32Array.from([1, 3, 5, 0]);
    const weight = Float64Array.from({ length: 6 }, () => gen.uniform(0.2, 2));
    const scale = Float64Array.from([0.5, -1, 2, 1.5]);
    const objective = (): number => {
      const losses = new Float64Array(4);
      crossEntropyForward({ logits, target, weight, params, losses, rowMax: new Float64Array(4), logSum: new Float64Array(4) });
      return losses.reduce((s, v, n) => s + v * scale[n]!, 0);
    };
    const [rowMax, logSum] = [new Float64Array(4), new Float64Array(4)];
    crossEntropyForward({ logits, target, weight, params, losses: new Float64Array(4), rowMax, logSum });
    const dLogits = new Float64Array(24);
    crossEntropyBackward({ logits, target, weight, params, rowMax, logSum, gradLosses: scale, dLogits });
    const eps = 1e-6;
    const numeric = Array.from(logits, (v, k) => {
      logits[k] = v + eps;
      const plus = objective();
      logits[k] = v - eps;
      const minus = objective();
      logits[k] = v;
      return (plus - minus) / (2 * eps);
    });
    expectClose(dLogits, numeric, { rtol: 1e-6, atol: 1e-9 });
    // The ignored row (target 3) has no gradient.
    expect(Array.from(dLogits.subarray(6, 12))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('gives rows of softmax − onehot, accurate in float32 even for logits near 1000', () => {
    const params: CrossEntropyParams = { rows: 2, classes: 3, ignoreIndex: -100, labelSmoothing: 0 };
    const logits = Float32Array.from([1000, 999, 998, -5, 0, 5]);
    const target = Int32Array.from([0, 1]);
    const losses = new Float32Array(2);
    const [rowMax, logSum] = [new Float32Array(2), new Float32Array(2)];
    crossEntropyForward({ logits, target, weight: null, params, losses, rowMax, logSum });
    const z = 1 + Math.exp(-1) + Math.exp(-2);
    expectClose(losses, [Math.log(z), 5 + Math.log(1 + Math.exp(-5) + Math.exp(-10))], { rtol: 1e-6 });
    const dLogits = new Float32Array(6);
    crossEntropyBackward({ logits, target, weight: null, params, rowMax, logSum, gradLosses: Float32Array.from([1, 1]), dLogits });
    // float32 rounding of each factor only (a stored m + s would be off by its ulp at 1000, 6e-5).
    expectClose(dLogits.subarray(0, 3), [1 / z - 1, Math.exp(-1) / z, Math.exp(-2) / z], { rtol: 1e-6, atol: 1e-7 });
    expectClose([dLogits[0]! + dLogits[1]! + dLogits[2]!, dLogits[3]! + dLogits[4]! + dLogits[5]!], [0, 0], { atol: 1e-6 });
  });
});

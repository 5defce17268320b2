import { describe, expect, it } from 'vitest';
import { lcgFloats, lcgTokens } from './data.js';
import { fillScaleFeatures, fillScaleLabels, scaleTrainNodes, syntheticFeatureMatrix } from './synthetic.js';
import { gcnScaleWorkload, PUBMED_SYNTHETIC_FEATURES } from './workloads.js';

describe('synthetic PubMed-shaped features', () => {
  const rows = 3000;
  const x = syntheticFeatureMatrix(rows, PUBMED_SYNTHETIC_FEATURES);

  it('are the values python/bench_torch_scale.py computes (across its chunk boundary)', () => {
    // Printed by bench_torch_scale.synthetic_features(np, 3000, {numFeatures: 500, density: 0.1, seed: 500}):
    // 150721 non-zeros, the first at flat indices 12, 19, 20 and the last at 1499993, 1499996.
    const nonZero = Array.from(x.keys()).filter((i) => x[i] !== 0);
    expect(nonZero).toHaveLength(150721);
    expect(nonZero.slice(0, 3)).toEqual([12, 19, 20]);
    expect(nonZero.slice(-2)).toEqual([1499993, 1499996]);
    expect(x[12]).toBeCloseTo(0.0177632886916399, 8);
    expect(x[20]).toBeCloseTo(0.027314528822898865, 8);
    expect(x[1499996]).toBeCloseTo(0.01457778736948967, 8);
  });

  it('are about 10% non-zero, non-negative, and every row sums to 1', () => {
    const width = PUBMED_SYNTHETIC_FEATURES.numFeatures;
    let nonZero = 0;
    const badRows: number[] = [];
    for (let i = 0; i < rows; i++) {
      let sum = 0;
      for (let j = 0; j < width; j++) {
        const v = x[i * width + j]!;
        if (v < 0) badRows.push(i);
        sum += v;
        if (v !== 0) nonZero++;
      }
      if (Math.abs(sum - 1) > 1e-5) badRows.push(i);
    }
    expect(badRows).toEqual([]);
    expect(nonZero / (rows * width)).toBeGreaterThan(0.095);
    expect(nonZero / (rows * width)).toBeLessThan(0.105);
  });
});

describe('gcn-scale features and labels', () => {
  const spec = { ...gcnScaleWorkload(1e4), nodes: 300, features: 8, classes: 5, trainPerClass: 2 };

  it('are the LCG floats of seed + 1 and the tokens of seed + 2', () => {
    expect(fillScaleFeatures(new Float32Array(300 * 8), spec)).toEqual(lcgFloats(300 * 8, spec.seed + 1));
    expect(fillScaleLabels(new Int32Array(300), spec)).toEqual(lcgTokens(300, 5, spec.seed + 2));
    expect(Array.from(scaleTrainNodes(spec))).toEqual([...Array(10).keys()]);
    expect(() => fillScaleFeatures(new Float32Array(5), spec)).toThrow(/expected 2400 elements/);
  });
});

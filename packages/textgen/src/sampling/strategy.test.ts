import { Generator, ValueError } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { sampleFromLogits, samplingDistribution, type SamplingStrategy } from './strategy.js';

const LOGITS = [1.0, 0.5, -0.3, 2.0, 0.0, -1.0];

/** softmax(β·x), written out here independently of the code under test. */
function softmaxScaled(x: readonly number[], beta: number): number[] {
  const e = x.map((v) => Math.exp(beta * v));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

function frequencies(strategy: SamplingStrategy, draws: number, seed: number): number[] {
  const generator = new Generator(seed);
  const counts = new Array<number>(LOGITS.length).fill(0);
  for (let i = 0; i < draws; i++) counts[sampleFromLogits(LOGITS, strategy, generator)]!++;
  return counts;
}

/** Pearson's χ² of observed counts against expected probabilities (cells with p = 0 must be empty). */
function chiSquare(counts: readonly number[], probs: readonly number[]): number {
  const n = counts.reduce((a, b) => a + b, 0);
  let chi = 0;
  counts.forEach((c, i) => {
    const expected = n * probs[i]!;
    if (expected === 0) {
      if (c > 0) chi = Infinity;
    } else {
      chi += (c - expected) ** 2 / expected;
    }
  });
  return chi;
}

// χ² critical value for 5 degrees of freedom at α = 0.001.
const CHI2_5_DOF_0_001 = 20.515;
const DRAWS = 20000;

describe('temperature sampling matches the tempered softmax (χ² test, 20 000 draws)', () => {
  it('temperature T divides the logits: frequencies match softmax(x / T), not softmax(T·x)', () => {
    for (const [temperature, seed] of [
      [0.5, 1],
      [1, 2],
      [2, 3],
    ] as const) {
      const counts = frequencies({ strategy: 'temperature', temperature }, DRAWS, seed);
      expect(chiSquare(counts, softmaxScaled(LOGITS, 1 / temperature))).toBeLessThan(CHI2_5_DOF_0_001);
      if (temperature !== 1) expect(chiSquare(counts, softmaxScaled(LOGITS, temperature))).toBeGreaterThan(500);
    }
  });

  it('inverseTemperature τ multiplies the logits (the course sheet): frequencies match softmax(τ·x)', () => {
    for (const [tau, seed] of [
      [0.5, 4],
      [1, 5],
      [2, 6],
    ] as const) {
      const counts = frequencies({ strategy: 'temperature', inverseTemperature: tau }, DRAWS, seed);
      expect(chiSquare(counts, softmaxScaled(LOGITS, tau))).toBeLessThan(CHI2_5_DOF_0_001);
      if (tau !== 1) expect(chiSquare(counts, softmaxScaled(LOGITS, 1 / tau))).toBeGreaterThan(500);
    }
  });

  it('the two conventions meet at τ = 1/T: the same distributions', () => {
    const a = samplingDistribution(LOGITS, { strategy: 'temperature', temperature: 0.5 });
    const b = samplingDistribution(LOGITS, { strategy: 'temperature', inverseTemperature: 2 });
    a.forEach((p, i) => expect(p).toBeCloseTo(b[i]!, 14));
    softmaxScaled(LOGITS, 2).forEach((p, i) => expect(a[i]).toBeCloseTo(p, 14));
  });

  it('T = 0 and τ = ∞ are greedy, τ = 0 is uniform', () => {
    expect(Array.from(samplingDistribution(LOGITS, { strategy: 'temperature', temperature: 0 }))).toEqual([0, 0, 0, 1, 0, 0]);
    expect(Array.from(samplingDistribution(LOGITS, { strategy: 'temperature', inverseTemperature: Infinity }))).toEqual([0, 0, 0, 1, 0, 0]);
    for (const p of samplingDistribution(LOGITS, { strategy: 'temperature', inverseTemperature: 0 })) expect(p).toBeCloseTo(1 / 6, 15);
  });

  it('stays finite for huge logits', () => {
    const probs = samplingDistribution([1000, 999, -1000], { strategy: 'temperature', temperature: 1 });
    expect(probs[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
    expect(probs[2]).toBe(0);
  });
});

describe('greedy, top-k and top-p', () => {
  it('greedy is the argmax (the first of ties) and draws nothing from the generator', () => {
    const generator = new Generator(9);
    const before = generator.getState();
    const rng = new Generator(10);
    for (let trial = 0; trial < 200; trial++) {
      const logits = Array.from({ length: 7 }, () => rng.normal());
      const best = logits.indexOf(Math.max(...logits));
      expect(sampleFromLogits(logits, { strategy: 'greedy' }, generator)).toBe(best);
    }
    expect(generator.getState()).toEqual(before);
    expect(sampleFromLogits([1, 3, 3], { strategy: 'greedy' }, generator)).toBe(1);
  });

  it('top-k never emits a token outside the k most likely and samples the rest by their renormalised softmax', () => {
    const counts = frequencies({ strategy: 'top-k', k: 3 }, DRAWS, 11);
    // The top 3 of LOGITS are ids 3 (2.0), 0 (1.0), 1 (0.5).
    expect([counts[2], counts[4], counts[5]]).toEqual([0, 0, 0]);
    const p = softmaxScaled(LOGITS, 1);
    const kept = p[0]! + p[1]! + p[3]!;
    const expected = p.map((q, i) => ([0, 1, 3].includes(i) ? q / kept : 0));
    expect(chiSquare(counts, expected)).toBeLessThan(13.816); // 2 dof, α = 0.001
  });

  it('top-p keeps the smallest most-likely set reaching p and never emits anything else', () => {
    const p = softmaxScaled(LOGITS, 1); // sorted: id 3 ≈ 0.51, id 0 ≈ 0.19, id 1 ≈ 0.11, …
    const probs = samplingDistribution(LOGITS, { strategy: 'top-p', p: 0.75 });
    expect(p[3]! + p[0]!).toBeLessThan(0.75);
    expect(p[3]! + p[0]! + p[1]!).toBeGreaterThanOrEqual(0.75);
    expect([probs[2], probs[4], probs[5]]).toEqual([0, 0, 0]);
    expect(probs[3]! / probs[0]!).toBeCloseTo(p[3]! / p[0]!, 12);
    const counts = frequencies({ strategy: 'top-p', p: 0.75 }, 5000, 12);
    expect([counts[2], counts[4], counts[5]]).toEqual([0, 0, 0]);
    // A tiny p keeps only the most likely token; p = 1 keeps everything.
    expect(Array.from(samplingDistribution(LOGITS, { strategy: 'top-p', p: 0.01 }))).toEqual([0, 0, 0, 1, 0, 0]);
    expect(samplingDistribution(LOGITS, { strategy: 'top-p', p: 1 }).every((q) => q > 0)).toBe(true);
  });

  it('tempers before filtering: a high temperature widens the top-p nucleus', () => {
    const sharp = samplingDistribution(LOGITS, { strategy: 'top-p', p: 0.6, temperature: 0.5 });
    const flat = samplingDistribution(LOGITS, { strategy: 'top-p', p: 0.6, temperature: 5 });
    expect(sharp.filter((q) => q > 0).length).toBeLessThan(flat.filter((q) => q > 0).length);
  });

  it('the same seed gives the same draws', () => {
    expect(frequencies({ strategy: 'temperature' }, 100, 13)).toEqual(frequencies({ strategy: 'temperature' }, 100, 13));
  });

  it('rejects ambiguous or invalid settings with ValueError', () => {
    const bad: SamplingStrategy[] = [
      { strategy: 'temperature', temperature: 0.5, inverseTemperature: 2 },
      { strategy: 'temperature', temperature: -1 },
      { strategy: 'temperature', inverseTemperature: -1 },
      { strategy: 'top-k', k: 0 },
      { strategy: 'top-k', k: 1.5 },
      { strategy: 'top-p', p: 0 },
      { strategy: 'top-p', p: 1.5 },
      { strategy: 'beam' } as unknown as SamplingStrategy,
    ];
    for (const strategy of bad) expect(() => samplingDistribution(LOGITS, strategy), JSON.stringify(strategy)).toThrow(ValueError);
    expect(() => samplingDistribution([0, NaN], { strategy: 'temperature' })).toThrow(ValueError);
    expect(() => samplingDistribution([], { strategy: 'greedy' })).toThrow(ValueError);
  });
});

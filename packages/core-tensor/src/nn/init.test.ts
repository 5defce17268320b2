import { describe, expect, it } from 'vitest';
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import { zeros } from '../ops/creation.js';
import { Generator } from '../random/generator.js';
import type { Tensor } from '../tensor.js';
import { expectClose } from '../testing/expect-close.js';
import {
  calculateGain,
  computeFans,
  constant_,
  eye_,
  kaimingNormal_,
  kaimingUniform_,
  normal_,
  ones_,
  orthogonal_,
  truncNormal_,
  uniform_,
  xavierNormal_,
  xavierUniform_,
  zeros_,
} from './init.js';
import { normalCdf, normalQuantile } from './normal-distribution.js';

function stats(t: Tensor): { mean: number; std: number; min: number; max: number } {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of t.data) {
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = sum / t.size;
  let sq = 0;
  for (const v of t.data) sq += (v - mean) ** 2;
  return { mean, std: Math.sqrt(sq / (t.size - 1)), min, max };
}

/** Sample mean and std agree with the distribution's, within 4 standard errors. */
function expectMoments(t: Tensor, mean: number, std: number): void {
  const s = stats(t);
  const n = t.size;
  expect(Math.abs(s.mean - mean)).toBeLessThan((4 * std) / Math.sqrt(n));
  // The std of the sample std is about std/√(2n) for near-normal data; allow a wide margin.
  expect(Math.abs(s.std - std)).toBeLessThan((6 * std) / Math.sqrt(2 * n));
}

describe('calculateGain', () => {
  it('returns PyTorch gains for each nonlinearity', () => {
    expect(calculateGain('linear')).toBe(1);
    expect(calculateGain('conv2d')).toBe(1);
    expect(calculateGain('sigmoid')).toBe(1);
    expect(calculateGain('tanh')).toBeCloseTo(5 / 3, 15);
    expect(calculateGain('relu')).toBeCloseTo(Math.SQRT2, 15);
    expect(calculateGain('leaky_relu')).toBeCloseTo(Math.sqrt(2 / (1 + 0.01 ** 2)), 15);
    expect(calculateGain('leaky_relu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3), 15);
    expect(calculateGain('selu')).toBe(0.75);
  });

  it('rejects an unknown nonlinearity with a ValueError', () => {
    expect(() => calculateGain('swish' as never)).toThrow(ValueError);
  });
});

describe('computeFans', () => {
  it('reads [out, in] of a matrix', () => {
    expect(computeFans(zeros([4, 3]))).toEqual({ fanIn: 3, fanOut: 4 });
  });

  it('multiplies both fans by the receptive field of a conv weight', () => {
    expect(computeFans(zeros([8, 3, 5, 5]))).toEqual({ fanIn: 75, fanOut: 200 });
  });

  it('rejects tensors with fewer than 2 dims with a ShapeError', () => {
    expect(() => computeFans(zeros([5]))).toThrow(ShapeError);
  });
});

describe('constant fills', () => {
  it('fills with a constant, zeros and ones', () => {
    expect(constant_(zeros([2, 2]), 3.5).toArray()).toEqual([
      [3.5, 3.5],
      [3.5, 3.5],
    ]);
    expect(zeros_(constant_(zeros([3]), 2)).toArray()).toEqual([0, 0, 0]);
    expect(ones_(zeros([2])).toArray()).toEqual([1, 1]);
  });

  it('eye_ writes a rectangular identity and rejects non-matrices', () => {
    expect(eye_(constant_(zeros([2, 3]), 7)).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(() => eye_(zeros([2, 2, 2]))).toThrow(ShapeError);
  });

  it('keeps a parameter a leaf that requires grad', () => {
    const w = zeros([3], { requiresGrad: true });
    uniform_(w, { generator: new Generator(0) });
    expect(w.isLeaf).toBe(true);
    expect(w.requiresGrad).toBe(true);
  });
});

describe('random fills', () => {
  const n = 200_000;

  it('uniform_ draws U(a, b) within bounds', () => {
    const t = uniform_(zeros([n], { dtype: 'float64' }), { a: -2, b: 3, generator: new Generator(1) });
    const s = stats(t);
    expect(s.min).toBeGreaterThanOrEqual(-2);
    expect(s.max).toBeLessThan(3);
    expectMoments(t, 0.5, 5 / Math.sqrt(12));
  });

  it('normal_ draws N(mean, std²)', () => {
    const t = normal_(zeros([n], { dtype: 'float64' }), { mean: 1, std: 0.5, generator: new Generator(2) });
    expectMoments(t, 1, 0.5);
  });

  it('truncNormal_ stays in [a, b] with the truncated moments', () => {
    const t = truncNormal_(zeros([n], { dtype: 'float64' }), { generator: new Generator(3) });
    const s = stats(t);
    expect(s.min).toBeGreaterThanOrEqual(-2);
    expect(s.max).toBeLessThanOrEqual(2);
    // Var of N(0,1) truncated to [-2, 2]: 1 − 2·2·φ(2) / (Φ(2) − Φ(−2)).
    const phi2 = Math.exp(-2) / Math.sqrt(2 * Math.PI);
    expectMoments(t, 0, Math.sqrt(1 - (4 * phi2) / (2 * 0.9772498680518208 - 1)));
  });

  it('truncNormal_ samples a one-sided far tail inside its bounds', () => {
    const t = truncNormal_(zeros([10_000], { dtype: 'float64' }), { a: 6, b: 8, generator: new Generator(4) });
    const s = stats(t);
    expect(s.min).toBeGreaterThanOrEqual(6);
    expect(s.max).toBeLessThanOrEqual(8);
    // The tail beyond 6 decays like e^(−6x): the mean excess is about 1/6.
    expect(s.mean).toBeGreaterThan(6.1);
    expect(s.mean).toBeLessThan(6.25);
  });

  it('xavierUniform_ uses bound gain·√(6 / (fanIn + fanOut))', () => {
    const t = xavierUniform_(zeros([400, 300], { dtype: 'float64' }), { gain: 2, generator: new Generator(5) });
    const bound = 2 * Math.sqrt(6 / 700);
    const s = stats(t);
    expect(s.max).toBeLessThanOrEqual(bound);
    expect(s.min).toBeGreaterThanOrEqual(-bound);
    expect(s.max).toBeGreaterThan(0.99 * bound);
    expectMoments(t, 0, bound / Math.sqrt(3));
  });

  it('xavierNormal_ uses std gain·√(2 / (fanIn + fanOut))', () => {
    const t = xavierNormal_(zeros([400, 300], { dtype: 'float64' }), { generator: new Generator(6) });
    expectMoments(t, 0, Math.sqrt(2 / 700));
  });

  it('kaimingUniform_ with a = √5 gives U(−1/√fanIn, 1/√fanIn), as Linear', () => {
    const t = kaimingUniform_(zeros([500, 400], { dtype: 'float64' }), { a: Math.sqrt(5), generator: new Generator(7) });
    const bound = 1 / Math.sqrt(400);
    const s = stats(t);
    expect(s.max).toBeLessThanOrEqual(bound);
    expect(s.min).toBeGreaterThanOrEqual(-bound);
    expectMoments(t, 0, bound / Math.sqrt(3));
  });

  it('kaimingNormal_ uses std gain/√fan for fanIn and fanOut', () => {
    const relu = kaimingNormal_(zeros([500, 400], { dtype: 'float64' }), { nonlinearity: 'relu', generator: new Generator(8) });
    expectMoments(relu, 0, Math.SQRT2 / Math.sqrt(400));
    const out = kaimingNormal_(zeros([500, 400], { dtype: 'float64' }), { mode: 'fanOut', generator: new Generator(9) });
    expectMoments(out, 0, Math.SQRT2 / Math.sqrt(500));
  });

  it('kaiming inits leave a tensor with no elements alone', () => {
    expect(kaimingUniform_(zeros([0, 3])).shape).toEqual([0, 3]);
    expect(kaimingNormal_(zeros([3, 0])).shape).toEqual([3, 0]);
  });

  it('replays the same values from a re-seeded generator', () => {
    const gen = new Generator(42);
    const a = normal_(zeros([50]), { generator: gen }).toArray();
    gen.manualSeed(42);
    const b = normal_(zeros([50]), { generator: gen }).toArray();
    expect(a).toEqual(b);
  });

  it('rejects bad arguments with typed errors', () => {
    expect(() => uniform_(zeros([2], { dtype: 'int32' }))).toThrow(DTypeError);
    expect(() => uniform_(zeros([2]), { a: 1, b: 0 })).toThrow(ValueError);
    expect(() => normal_(zeros([2]), { std: -1 })).toThrow(ValueError);
    expect(() => truncNormal_(zeros([2]), { a: 2, b: -2 })).toThrow(ValueError);
    expect(() => kaimingUniform_(zeros([2, 2]), { mode: 'fan_in' as never })).toThrow(ValueError);
    expect(() => xavierUniform_(zeros([5]))).toThrow(ShapeError);
    expect(() => orthogonal_(zeros([5]))).toThrow(ShapeError);
  });
});

describe('orthogonal_', () => {
  /** Gram matrix of the rows (wide) or columns (tall) of a [rows, cols] view. */
  function gram(t: Tensor, ofRows: boolean): number[][] {
    const rows = t.shape[0]!;
    const cols = t.size / rows;
    const n = ofRows ? rows : cols;
    const len = ofRows ? cols : rows;
    const at = (v: number, k: number): number => (ofRows ? t.data[v * cols + k]! : t.data[k * cols + v]!);
    const g: number[][] = [];
    for (let i = 0; i < n; i++) {
      g.push([]);
      for (let j = 0; j < n; j++) {
        let dot = 0;
        for (let k = 0; k < len; k++) dot += at(i, k) * at(j, k);
        g[i]!.push(dot);
      }
    }
    return g;
  }

  const identity = (n: number): number[][] => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));

  it('gives a tall matrix orthonormal columns (QᵀQ = I)', () => {
    const t = orthogonal_(zeros([30, 8], { dtype: 'float64' }), { generator: new Generator(10) });
    expectClose(gram(t, false), identity(8), { atol: 1e-12 });
  });

  it('gives a wide matrix orthonormal rows (QQᵀ = I)', () => {
    const t = orthogonal_(zeros([6, 25], { dtype: 'float64' }), { generator: new Generator(11) });
    expectClose(gram(t, true), identity(6), { atol: 1e-12 });
  });

  it('makes a square matrix orthogonal both ways and scales by gain', () => {
    const t = orthogonal_(zeros([16, 16], { dtype: 'float64' }), { gain: 3, generator: new Generator(12) });
    expectClose(
      gram(t, false),
      identity(16).map((r) => r.map((v) => 9 * v)),
      { atol: 1e-11 },
    );
    expectClose(
      gram(t, true),
      identity(16).map((r) => r.map((v) => 9 * v)),
      { atol: 1e-11 },
    );
  });

  it('flattens trailing dims of a >2-D tensor into columns', () => {
    const t = orthogonal_(zeros([4, 3, 2], { dtype: 'float64' }), { generator: new Generator(13) });
    expectClose(gram(t, true), identity(4), { atol: 1e-12 });
  });

  it('is Q of QR with a positive R diagonal: the first column follows the first normal column', () => {
    // With R's diagonal positive, Q's first column is A's first column normalised.
    const gen = new Generator(14);
    const t = orthogonal_(zeros([5, 3], { dtype: 'float64' }), { generator: gen });
    gen.manualSeed(14);
    const a = Array.from({ length: 15 }, () => gen.normal());
    const first = [0, 1, 2, 3, 4].map((r) => a[r * 3]!);
    const norm = Math.hypot(...first);
    expectClose(
      [0, 1, 2, 3, 4].map((r) => t.data[r * 3]!),
      first.map((v) => v / norm),
      { atol: 1e-12 },
    );
  });

  it('fills float32 tensors to float32 precision', () => {
    const t = orthogonal_(zeros([20, 20]), { generator: new Generator(15) });
    expectClose(gram(t, false), identity(20), { atol: 1e-5 });
  });
});

describe('normal distribution helpers', () => {
  it('Φ and Φ⁻¹ match reference values and invert each other', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 7);
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316301, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 8);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 7);
    expect(normalQuantile(0.5)).toBe(0);
    for (const p of [1e-10, 0.01, 0.3, 0.9, 0.999]) expect(normalCdf(normalQuantile(p)) / p).toBeCloseTo(1, 5);
  });
});

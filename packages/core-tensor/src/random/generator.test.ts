import { describe, expect, it } from 'vitest';
import { Generator } from './generator.js';
import { ValueError } from '../errors.js';

describe('Generator', () => {
  it('replays the same stream from the same seed and differs across seeds', () => {
    const a = new Generator(7);
    const b = new Generator(7);
    const c = new Generator(8);
    const sa = Array.from({ length: 20 }, () => a.nextUint32());
    expect(Array.from({ length: 20 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 20 }, () => c.nextUint32())).not.toEqual(sa);
  });

  it('produces a fixed stream for seed 0, the same in every JavaScript engine', () => {
    // Pinned values: the stream is integer arithmetic only, so these hold in Node and browsers alike.
    // They equal a C reference of splitmix32-seeded xoshiro128** run on the same seed.
    const g = new Generator(0);
    expect(Array.from({ length: 4 }, () => g.nextUint32())).toEqual([3809008728, 1133695204, 53579671, 2891528803]);
    expect(new Generator(0).random()).toBe(0.8868539502021594);
  });

  it('restores its exact state, including a cached normal', () => {
    const g = new Generator(1);
    g.normal();
    const state = g.getState();
    const next = [g.normal(), g.random(), g.integer(0, 100)];
    g.setState(JSON.parse(JSON.stringify(state)));
    expect([g.normal(), g.random(), g.integer(0, 100)]).toEqual(next);
  });

  it('draws uniforms in [0, 1) with the right mean and variance', () => {
    const g = new Generator(2);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const u = g.random();
      expect(u >= 0 && u < 1).toBe(true);
      s += u;
      s2 += u * u;
    }
    expect(s / n).toBeCloseTo(0.5, 2);
    expect(s2 / n - (s / n) ** 2).toBeCloseTo(1 / 12, 2);
  });

  it('draws normals with mean 0 and variance 1', () => {
    const g = new Generator(3);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const z = g.normal();
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.01);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.02);
  });

  it('draws integers uniformly over [low, high)', () => {
    const g = new Generator(4);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[g.integer(-2, 4) + 2]!++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    expect(() => g.integer(3, 3)).toThrow(ValueError);
  });

  it('permutes and shuffles', () => {
    const g = new Generator(5);
    const p = g.permutation(50);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(p)).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(g.permutation(0).length).toBe(0);
  });

  it('samples a multinomial with the given proportions, with and without replacement', () => {
    const g = new Generator(6);
    const draws = g.multinomial([1, 2, 0, 7], 50_000, { replacement: true });
    const counts = [0, 0, 0, 0];
    for (const d of draws) counts[d]!++;
    expect(counts[2]).toBe(0);
    expect(counts[0]! / 50_000).toBeCloseTo(0.1, 1);
    expect(counts[3]! / 50_000).toBeCloseTo(0.7, 1);
    const unique = g.multinomial([1, 1, 1], 3);
    expect(new Set(unique).size).toBe(3);
    expect(() => g.multinomial([1, 0], 2)).toThrow(ValueError);
    expect(() => g.multinomial([-1, 2], 1)).toThrow(ValueError);
  });

  it('fills a Bernoulli mask from the same 32-bit stream as nextUint32, one draw per element', () => {
    const reference = new Generator(3);
    const draws = Array.from({ length: 1000 }, () => reference.nextUint32());
    const mask = new Float32Array(1000);
    const g = new Generator(3);
    g.fillBernoulli(mask, 0.3, 2.5);
    expect(Array.from(mask)).toEqual(draws.map((u) => (u < 0.3 * 4294967296 ? 2.5 : 0)));
    // The state moves on exactly as after 1000 draws.
    expect(g.nextUint32()).toBe(reference.nextUint32());
  });

  it('keeps about a fraction keep of a Bernoulli mask, all of it at keep 1 and none at keep 0', () => {
    const mask = new Float64Array(200_000);
    new Generator(11).fillBernoulli(mask, 0.6, 1);
    const kept = mask.reduce((s, v) => s + v, 0) / mask.length;
    // Binomial standard error at n = 200000 is about 0.0011: 5 of them.
    expect(Math.abs(kept - 0.6)).toBeLessThan(0.0055);
    new Generator(1).fillBernoulli(mask, 1, 4);
    expect(mask.every((v) => v === 4)).toBe(true);
    new Generator(1).fillBernoulli(mask, 0, 4);
    expect(mask.every((v) => v === 0)).toBe(true);
    expect(() => new Generator(1).fillBernoulli(mask, 1.5, 1)).toThrow(ValueError);
  });

  it('fills the same Bernoulli mask into float32, float64 and plain arrays, and keeps every draw at keep 1', () => {
    const keep = 0.45;
    const f32 = new Float32Array(3000);
    const f64 = new Float64Array(3000);
    const plain = new Array<number>(3000).fill(0);
    new Generator(21).fillBernoulli(f32, keep, -1.5);
    new Generator(21).fillBernoulli(f64, keep, -1.5);
    new Generator(21).fillBernoulli(plain, keep, -1.5);
    expect(Array.from(f64)).toEqual(Array.from(f32));
    expect(plain).toEqual(Array.from(f32));
    // A dropped element is +0 whatever the sign of value, as the branchy fill gave.
    expect(Array.from(f32).every((v) => v === -1.5 || Object.is(v, 0))).toBe(true);
    const all = new Float32Array(5000);
    new Generator(22).fillBernoulli(all, 1, 3);
    expect(all.every((v) => v === 3)).toBe(true);
  });

  it('scales by a Bernoulli mask as it draws, checking keep and the lengths', () => {
    const x = Float64Array.from({ length: 100 }, (_, i) => i - 50);
    const out = new Float64Array(100);
    new Generator(23).scaleByBernoulli(x, out, 0.7, 2);
    const mask = new Float64Array(100);
    new Generator(23).fillBernoulli(mask, 0.7, 2);
    expect(Array.from(out)).toEqual(Array.from(x, (v, i) => v * mask[i]!));
    expect(() => new Generator(1).scaleByBernoulli(x, out, -0.1, 1)).toThrow(ValueError);
    expect(() => new Generator(1).scaleByBernoulli(x, new Float64Array(3), 0.5, 1)).toThrow(ValueError);
  });
});

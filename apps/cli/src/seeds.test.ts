import { describe, expect, it } from 'vitest';
import { UsageError } from './cli.js';
import { parseSeeds, seedsFrom } from './seeds.js';

describe('parseSeeds', () => {
  it('reads one seed, a list or a range: a lone number is that seed, 0 included', () => {
    expect(parseSeeds('0')).toEqual([0]);
    expect(parseSeeds('3')).toEqual([3]);
    expect(parseSeeds('0..9')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(parseSeeds('4..4')).toEqual([4]);
    expect(parseSeeds('3, 1,2')).toEqual([3, 1, 2]);
  });

  it('refuses what is not seeds with a UsageError naming the flag', () => {
    for (const bad of ['', '1..', '-1', '5..2', '1,1', '0,x', '1.5', '0..20000']) {
      expect(() => parseSeeds(bad, 'seeds'), bad).toThrow(UsageError);
      expect(() => parseSeeds(bad, 'seeds'), bad).toThrow(/--seeds/);
    }
  });
});

describe('seedsFrom', () => {
  it('takes --seeds, or --num-seeds K as the seeds 0 … K−1, or the fallback', () => {
    expect(seedsFrom({ seeds: '0' }, '0..9')).toEqual([0]);
    expect(seedsFrom({ 'num-seeds': '3' }, '0..9')).toEqual([0, 1, 2]);
    expect(seedsFrom({}, '0,1,2')).toEqual([0, 1, 2]);
  });

  it('refuses both flags at once, and a count that is not positive', () => {
    expect(() => seedsFrom({ seeds: '0', 'num-seeds': '2' }, '0')).toThrow(/give one/);
    for (const bad of ['0', '-2', 'x', '10001']) expect(() => seedsFrom({ 'num-seeds': bad }, '0')).toThrow(UsageError);
  });
});

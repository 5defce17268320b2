import { ValueError } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { karateClub, KARATE_CLUBS } from './karate.js';

describe('karateClub', () => {
  const karate = karateClub();

  it("is graphology-generators' 34-member, 78-friendship undirected graph", () => {
    expect(karate.name).toBe('karate');
    expect(karate.numNodes).toBe(34);
    expect(karate.graph.order).toBe(34);
    expect(karate.graph.size).toBe(78);
    expect(karate.graph.type).toBe('undirected');
    expect(karate.edgeIndex.shape).toEqual([2, 156]);
    expect(karate.graph.degree('0')).toBe(16);
    expect(karate.graph.degree('33')).toBe(17);
  });

  it('labels every member with the club attribute, 17 per club', () => {
    expect(karate.classNames).toEqual([...KARATE_CLUBS]);
    expect(karate.numClasses).toBe(2);
    const y = [...(karate.y.data as Int32Array)];
    expect(y.filter((c) => c === 0)).toHaveLength(17);
    expect(y.filter((c) => c === 1)).toHaveLength(17);
    karate.index.keys().forEach((key, row) => {
      expect(KARATE_CLUBS[y[row]!]).toBe(karate.graph.getNodeAttribute(key, 'club'));
    });
  });

  it('trains on the two leaders, one per club, and tests on the other 32', () => {
    expect(karate.trainIndex.toArray()).toEqual([0, 33]);
    expect([karate.y.data[0], karate.y.data[33]]).toEqual([0, 1]);
    expect(karate.valIndex.shape).toEqual([0]);
    expect(karate.testIndex.shape).toEqual([32]);
    expect([...(karate.testIndex.data as Int32Array)].some((row) => row === 0 || row === 33)).toBe(false);
  });

  it('has sorted, symmetric edges without self-loops', () => {
    const [src, dst] = karate.edgeIndex.toArray() as number[][];
    const pairs = new Set(src!.map((s, e) => `${s},${dst![e]}`));
    for (let e = 0; e < src!.length; e++) {
      expect(pairs.has(`${dst![e]},${src![e]}`)).toBe(true);
      expect(src![e]).not.toBe(dst![e]);
      if (e > 0) expect(src![e - 1]! < src![e]! || (src![e - 1] === src![e] && dst![e - 1]! < dst![e]!)).toBe(true);
    }
  });

  it('has identity features by default and seeded random ones on request', () => {
    expect(karate.x.shape).toEqual([34, 34]);
    expect(karate.x.data[35]).toBe(1);
    const a = karateClub({ features: 'random', numRandomFeatures: 4, seed: 7 });
    expect(a.x.shape).toEqual([34, 4]);
    expect([...a.x.data]).toEqual([...karateClub({ features: 'random', numRandomFeatures: 4, seed: 7 }).x.data]);
    expect(() => karateClub({ features: 'degree' as never })).toThrow(ValueError);
    expect(() => karateClub({ features: 'random', numRandomFeatures: 0 })).toThrow(ValueError);
  });
});

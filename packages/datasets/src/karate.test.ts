import { karateClub } from '@tensorloom/graph';
import { describe, expect, it } from 'vitest';
import { loadKarateClub } from './karate.js';

describe('loadKarateClub', () => {
  it("is @tensorloom/graph's karateClub: 34 members, 78 friendships, the two leaders labelled", async () => {
    const karate = await loadKarateClub();
    const direct = karateClub();
    expect(karate.numNodes).toBe(34);
    expect(karate.graph.size).toBe(78);
    expect(karate.classNames).toEqual(['Mr. Hi', 'Officer']);
    expect(karate.trainIndex.toArray()).toEqual([0, 33]);
    expect(karate.edgeIndex.toArray()).toEqual(direct.edgeIndex.toArray());
    expect(karate.y.toArray()).toEqual(direct.y.toArray());
    expect((await loadKarateClub({ features: 'random', numRandomFeatures: 5 })).x.shape).toEqual([34, 5]);
  });
});

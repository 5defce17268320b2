import { describe, expect, it } from 'vitest';
import { runGraphDemo } from './demo-graph.js';

describe('runGraphDemo', () => {
  it('trains GCN and GAT on the karate club and prints their test accuracy', () => {
    const printed: string[] = [];
    const logged: string[] = [];
    const result = runGraphDemo({ print: (line) => printed.push(line), log: (line) => logged.push(line) }, { epochs: 60 });
    expect(result.dataset).toBe('karate');
    for (const model of [result.gcn, result.gat]) {
      expect(model.epochs).toBe(60);
      expect(model.testAccuracy).toBeGreaterThan(0.75);
      expect(model.msPerEpoch).toBeGreaterThan(0);
    }
    expect(printed).toHaveLength(2);
    expect(printed[0]).toMatch(/^GCN: test accuracy \d+\.\d% \(\d+\/32 members in the right club\) after 60 epochs/);
    expect(printed[1]).toMatch(/^GAT: test accuracy \d+\.\d%/);
    expect(printed[0]).toContain(`${(result.gcn.testAccuracy * 100).toFixed(1)}%`);
    expect(logged[0]).toContain('34 members, 78 friendships');
  });

  it('needs only print, and repeats its figures for a seed', () => {
    const a = runGraphDemo({ print: () => undefined }, { epochs: 20, seed: 4 });
    const b = runGraphDemo({ print: () => undefined }, { epochs: 20, seed: 4 });
    expect(b.gcn.testAccuracy).toBe(a.gcn.testAccuracy);
    expect(b.gat.testAccuracy).toBe(a.gat.testAccuracy);
  });
});

import { describe, expect, it } from 'vitest';
import { toEdgeIndex } from './edge-index.js';
import { hopDistance } from './hops.js';
import { adjacency } from './matrices.js';
import { seedGraph, SEED_GRAPH_NODES } from './seed-graph.js';

describe('seedGraph', () => {
  it("is the course's undirected graph A–F with six edges", () => {
    const graph = seedGraph();
    expect(graph.type).toBe('undirected');
    expect(graph.nodes()).toEqual([...SEED_GRAPH_NODES]);
    expect(graph.size).toBe(6);
    expect(graph.neighbors('D').sort()).toEqual(['B', 'C', 'F']);
  });

  it('has the Ã = A + I printed in COURSE.md, rows and columns in the order A..F', () => {
    const { edgeIndex } = toEdgeIndex(seedGraph());
    expect(adjacency(edgeIndex, { numNodes: 6, selfLoops: 'add' }).toDense().toArray()).toEqual([
      [1, 1, 0, 0, 1, 1],
      [1, 1, 0, 1, 0, 0],
      [0, 0, 1, 1, 0, 0],
      [0, 1, 1, 1, 0, 1],
      [1, 0, 0, 0, 1, 0],
      [1, 0, 0, 1, 0, 1],
    ]);
  });

  it('needs 4 message-passing layers for information from C to reach E', () => {
    expect(hopDistance(seedGraph(), 'C', 'E')).toBe(4);
  });
});

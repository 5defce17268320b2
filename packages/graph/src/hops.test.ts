import { ValueError } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { DirectedGraph, GraphClass } from './graphology.js';
import { hopDistance, hopDistances, receptiveField, receptiveFieldSize } from './hops.js';
import { seedGraph } from './seed-graph.js';

/** a → b → c, plus d → a; e isolated. */
function chain(): InstanceType<typeof DirectedGraph> {
  const graph = new DirectedGraph();
  for (const key of ['a', 'b', 'c', 'd', 'e']) graph.addNode(key);
  graph.addEdge('a', 'b');
  graph.addEdge('b', 'c');
  graph.addEdge('d', 'a');
  return graph;
}

describe('hopDistance', () => {
  it('is symmetric on the undirected seed graph and 0 from a node to itself', () => {
    const graph = seedGraph();
    expect(hopDistance(graph, 'E', 'C')).toBe(4);
    expect(hopDistance(graph, 'A', 'D')).toBe(2);
    expect(hopDistance(graph, 'B', 'B')).toBe(0);
  });

  it('follows directed edges only from source to target', () => {
    const graph = chain();
    expect(hopDistance(graph, 'd', 'c')).toBe(3);
    expect(hopDistance(graph, 'c', 'a')).toBe(Infinity);
    expect(hopDistance(graph, 'a', 'e')).toBe(Infinity);
  });

  it('uses undirected edges both ways in a mixed graph', () => {
    const graph = new GraphClass({ type: 'mixed' });
    for (const key of ['a', 'b', 'c']) graph.addNode(key);
    graph.addDirectedEdge('a', 'b');
    graph.addUndirectedEdge('c', 'b');
    expect(hopDistance(graph, 'a', 'c')).toBe(2);
    expect(hopDistance(graph, 'c', 'a')).toBe(Infinity);
  });

  it('rejects unknown nodes', () => {
    expect(() => hopDistance(seedGraph(), 'A', 'Z')).toThrow(ValueError);
  });
});

describe('hopDistances', () => {
  it('maps every reachable node to its distance, within maxHops', () => {
    expect(hopDistances(seedGraph(), 'C')).toEqual({ C: 0, D: 1, B: 2, F: 2, A: 3, E: 4 });
    expect(hopDistances(seedGraph(), 'C', { maxHops: 2 })).toEqual({ C: 0, D: 1, B: 2, F: 2 });
    expect(hopDistances(chain(), 'b')).toEqual({ b: 0, c: 1 });
  });
});

describe('receptiveField', () => {
  it('grows by one hop per layer on the seed graph, nearest first', () => {
    const graph = seedGraph();
    expect(receptiveField(graph, 'E', { layers: 0 })).toEqual(['E']);
    expect(receptiveField(graph, 'E', { layers: 1 })).toEqual(['E', 'A']);
    expect(receptiveField(graph, 'E', { layers: 2 })).toEqual(['E', 'A', 'B', 'F']);
    expect(receptiveField(graph, 'E', { layers: 3 }).sort()).toEqual(['A', 'B', 'D', 'E', 'F']);
    expect(receptiveField(graph, 'E', { layers: 4 })).toHaveLength(6);
  });

  it('collects the nodes that send to a node along directed edges', () => {
    expect(receptiveField(chain(), 'c', { layers: 5 })).toEqual(['c', 'b', 'a', 'd']);
    expect(receptiveField(chain(), 'd', { layers: 5 })).toEqual(['d']);
    expect(() => receptiveField(chain(), 'c', { layers: -1 })).toThrow(ValueError);
  });
});

describe('receptiveFieldSize', () => {
  it('returns a mapping, and assign writes it into node attributes', () => {
    const graph = seedGraph();
    expect(receptiveFieldSize(graph, { layers: 1 })).toEqual({ A: 4, B: 3, C: 2, D: 4, E: 2, F: 3 });
    receptiveFieldSize.assign(graph, { layers: 2 });
    expect(graph.getNodeAttribute('C', 'receptiveFieldSize')).toBe(4);
    receptiveFieldSize.assign(graph, { layers: 4, attribute: 'field' });
    expect(graph.getNodeAttribute('C', 'field')).toBe(6);
  });
});

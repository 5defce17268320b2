import { DTypeError, IndexError, ShapeError, ValueError, tensor } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { sortEdgeIndex, toEdgeIndex, toGraph } from './edge-index.js';
import { DirectedGraph, GraphClass, MultiDirectedGraph, MultiUndirectedGraph, UndirectedGraph } from './graphology.js';
import { NodeIndex } from './node-index.js';

const int = (rows: number[][]) => tensor(rows, { dtype: 'int32' });

describe('toEdgeIndex', () => {
  it('lists a directed edge once, source in row 0, keeping isolated nodes in the index', () => {
    const graph = new DirectedGraph();
    for (const key of ['a', 'b', 'c', 'lonely']) graph.addNode(key);
    graph.addEdge('a', 'b');
    graph.addEdge('c', 'a');
    const { index, edgeIndex, edgeWeight, edgeKeys } = toEdgeIndex(graph);
    expect(index.keys()).toEqual(['a', 'b', 'c', 'lonely']);
    expect(edgeIndex.dtype).toBe('int32');
    expect(edgeIndex.toArray()).toEqual([
      [0, 2],
      [1, 0],
    ]);
    expect(edgeWeight).toBeNull();
    expect(edgeKeys).toEqual(graph.edges());
  });

  it('lists an undirected edge in both directions and an undirected self-loop once', () => {
    const graph = new UndirectedGraph();
    graph.mergeEdge('a', 'b');
    graph.mergeEdge('b', 'b');
    const { edgeIndex, edgeKeys } = toEdgeIndex(graph);
    expect(edgeIndex.toArray()).toEqual([
      [0, 1, 1],
      [1, 0, 1],
    ]);
    expect(edgeKeys[0]).toBe(edgeKeys[1]);
    expect(edgeKeys[2]).not.toBe(edgeKeys[0]);
  });

  it('handles a mixed graph edge by edge', () => {
    const graph = new GraphClass({ type: 'mixed' });
    for (const key of ['a', 'b', 'c']) graph.addNode(key);
    graph.addDirectedEdge('a', 'b');
    graph.addUndirectedEdge('b', 'c');
    expect(toEdgeIndex(graph).edgeIndex.toArray()).toEqual([
      [0, 1, 2],
      [1, 2, 1],
    ]);
  });

  it('keeps parallel edges of multigraphs with their own weights', () => {
    const directed = new MultiDirectedGraph();
    directed.mergeNode('a');
    directed.mergeNode('b');
    directed.addEdge('a', 'b', { w: 2 });
    directed.addEdge('a', 'b', { w: 3 });
    directed.addEdge('a', 'a', { w: 4 });
    const result = toEdgeIndex(directed, { weightAttribute: 'w' });
    expect(result.edgeIndex.toArray()).toEqual([
      [0, 0, 0],
      [1, 1, 0],
    ]);
    expect(result.edgeWeight?.toArray()).toEqual([2, 3, 4]);

    const undirected = new MultiUndirectedGraph();
    undirected.mergeNode('a');
    undirected.mergeNode('b');
    undirected.addEdge('a', 'b');
    undirected.addEdge('b', 'a');
    expect(toEdgeIndex(undirected).edgeIndex.toArray()).toEqual([
      [0, 1, 1, 0],
      [1, 0, 0, 1],
    ]);
  });

  it('reads weights, 1 where the attribute is missing, in the dtype asked for', () => {
    const graph = new UndirectedGraph();
    graph.mergeEdge('a', 'b', { weight: 0.25 });
    graph.mergeEdge('b', 'c');
    const { edgeWeight } = toEdgeIndex(graph, { weightAttribute: 'weight', dtype: 'float64' });
    expect(edgeWeight?.dtype).toBe('float64');
    expect(edgeWeight?.toArray()).toEqual([0.25, 0.25, 1, 1]);
  });

  it('rejects non-numeric weights and a mismatched index', () => {
    const graph = new DirectedGraph();
    graph.mergeEdge('a', 'b', { weight: 'heavy' });
    expect(() => toEdgeIndex(graph, { weightAttribute: 'weight' })).toThrow(ValueError);
    expect(() => toEdgeIndex(graph, { index: NodeIndex.fromKeys(['a']) })).toThrow(ValueError);
    expect(() => toEdgeIndex(graph, { index: NodeIndex.fromKeys(['a', 'z']) })).toThrow(IndexError);
  });

  it('rejects a weight finite in a file but past float32 range, which would become Infinity', () => {
    const graph = new DirectedGraph();
    graph.mergeEdge('a', 'b', { weight: 1e197 });
    expect(() => toEdgeIndex(graph, { weightAttribute: 'weight' })).toThrow(ValueError);
    expect(toEdgeIndex(graph, { weightAttribute: 'weight', dtype: 'float64' }).edgeWeight?.toArray()).toEqual([1e197]);
  });

  it('follows a custom node order', () => {
    const graph = new DirectedGraph();
    graph.mergeEdge('a', 'b');
    const { edgeIndex } = toEdgeIndex(graph, { index: NodeIndex.fromGraph(graph, { order: ['b', 'a'] }) });
    expect(edgeIndex.toArray()).toEqual([[1], [0]]);
  });

  it('gives a [2, 0] edge index for a graph without edges', () => {
    const graph = new UndirectedGraph();
    graph.addNode('a');
    expect(toEdgeIndex(graph).edgeIndex.shape).toEqual([2, 0]);
  });
});

describe('sortEdgeIndex', () => {
  it('sorts by source then target, stably, carrying weights', () => {
    const edgeIndex = int([
      [2, 0, 1, 0, 0],
      [0, 2, 0, 1, 2],
    ]);
    const edgeWeight = tensor([1, 2, 3, 4, 5]);
    const sorted = sortEdgeIndex(edgeIndex, { numNodes: 3, edgeWeight });
    expect(sorted.edgeIndex.toArray()).toEqual([
      [0, 0, 0, 1, 2],
      [1, 2, 2, 0, 0],
    ]);
    expect(sorted.edgeWeight?.toArray()).toEqual([4, 2, 5, 3, 1]);
    expect(sorted.permutation.toArray()).toEqual([3, 1, 4, 2, 0]);
    expect(sortEdgeIndex(edgeIndex, { numNodes: 3, sortBy: 'col' }).edgeIndex.toArray()).toEqual([
      [1, 2, 0, 0, 0],
      [0, 0, 1, 2, 2],
    ]);
  });

  it('validates dtype, shape and node range', () => {
    expect(() => sortEdgeIndex(tensor([[0], [1]]), { numNodes: 2 })).toThrow(DTypeError);
    expect(() => sortEdgeIndex(int([[0, 1]]), { numNodes: 2 })).toThrow(ShapeError);
    expect(() => sortEdgeIndex(int([[0], [5]]), { numNodes: 2 })).toThrow(IndexError);
    expect(() => sortEdgeIndex(int([[0], [1]]), { numNodes: 2, edgeWeight: tensor([1, 2]) })).toThrow(ShapeError);
  });
});

describe('toGraph', () => {
  it('round-trips an undirected graph through its edge index, isolated nodes and weights included', () => {
    const graph = new UndirectedGraph();
    for (const key of ['0', '1', '2', '3']) graph.addNode(key);
    graph.addEdge('0', '1', { weight: 2 });
    graph.addEdge('1', '2', { weight: 3 });
    const { edgeIndex, edgeWeight } = toEdgeIndex(graph, { weightAttribute: 'weight' });
    const back = toGraph(edgeIndex, { numNodes: 4, edgeWeight, type: 'undirected' });
    expect(back.type).toBe('undirected');
    expect(back.order).toBe(4);
    expect(back.size).toBe(2);
    expect(back.getEdgeAttribute('2', '1', 'weight')).toBe(3);
  });

  it('builds directed and multi graphs with the given keys', () => {
    const edgeIndex = int([
      [0, 0, 1],
      [1, 1, 0],
    ]);
    const index = NodeIndex.fromKeys(['x', 'y']);
    expect(toGraph(edgeIndex, { numNodes: 2, index }).size).toBe(2);
    const multi = toGraph(edgeIndex, { numNodes: 2, index, multi: true });
    expect(multi.multi).toBe(true);
    expect(multi.size).toBe(3);
    expect(multi.outEdges('x', 'y')).toHaveLength(2);
    expect(() => toGraph(edgeIndex, { numNodes: 3, index })).toThrow(ValueError);
  });
});

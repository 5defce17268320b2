import { ShapeError, ValueError, tensor } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { edgeAttention, edgeValues, nodeEmbeddings, nodePredictions, nodeValues } from './assign.js';
import { toEdgeIndex } from './edge-index.js';
import { DirectedGraph, MultiDirectedGraph, UndirectedGraph } from './graphology.js';
import { NodeIndex } from './node-index.js';
import { addSelfLoops } from './self-loops.js';

function triangle(): InstanceType<typeof UndirectedGraph> {
  const graph = new UndirectedGraph();
  for (const key of ['a', 'b', 'c']) graph.addNode(key);
  graph.addEdgeWithKey('ab', 'a', 'b');
  graph.addEdgeWithKey('bc', 'b', 'c');
  return graph;
}

describe('nodeValues', () => {
  it('maps rows to node keys, numbers for [N] and arrays for [N, D]', () => {
    const graph = triangle();
    expect(nodeValues(graph, tensor([0.5, 1, 2]))).toEqual({ a: 0.5, b: 1, c: 2 });
    expect(
      nodeValues(
        graph,
        tensor([
          [1, 2],
          [3, 4],
          [5, 6],
        ]),
      ),
    ).toEqual({ a: [1, 2], b: [3, 4], c: [5, 6] });
  });

  it('follows a given index and assign writes the attribute', () => {
    const graph = triangle();
    const index = NodeIndex.fromGraph(graph, { order: ['c', 'b', 'a'] });
    nodeValues.assign(graph, tensor([7, 8, 9]), { index, attribute: 'score' });
    expect(graph.getNodeAttribute('a', 'score')).toBe(9);
    nodeValues.assign(graph, tensor([1, 2, 3]));
    expect(graph.getNodeAttribute('b', 'value')).toBe(2);
  });

  it('rejects tensors with the wrong number of rows', () => {
    expect(() => nodeValues(triangle(), tensor([1, 2]))).toThrow(ShapeError);
    expect(() => nodeValues(triangle(), tensor([[[1]], [[2]], [[3]]]))).toThrow(ShapeError);
  });
});

describe('nodeEmbeddings', () => {
  it("writes [N, D] rows as arrays to 'embedding'", () => {
    const graph = triangle();
    nodeEmbeddings.assign(
      graph,
      tensor([
        [1, 0],
        [0, 1],
        [1, 1],
      ]),
    );
    expect(graph.getNodeAttribute('c', 'embedding')).toEqual([1, 1]);
    expect(() => nodeEmbeddings(graph, tensor([1, 2, 3]))).toThrow(ShapeError);
  });
});

describe('nodePredictions', () => {
  it('takes the argmax of scores, or int32 ids as they are, named through classes', () => {
    const graph = triangle();
    const logits = tensor([
      [0.1, 2],
      [3, 0],
      [0, 0.5],
    ]);
    expect(nodePredictions(graph, logits)).toEqual({ a: 1, b: 0, c: 1 });
    expect(nodePredictions(graph, tensor([1, 1, 0], { dtype: 'int32' }), { classes: ['x', 'y'] })).toEqual({ a: 'y', b: 'y', c: 'x' });
    nodePredictions.assign(graph, logits, { classes: ['Mr. Hi', 'Officer'] });
    expect(graph.getNodeAttribute('b', 'prediction')).toBe('Mr. Hi');
  });

  it('rejects float vectors and classes without a name', () => {
    expect(() => nodePredictions(triangle(), tensor([0.1, 0.2, 0.3]))).toThrow(ShapeError);
    expect(() => nodePredictions(triangle(), tensor([0, 2, 1], { dtype: 'int32' }), { classes: ['x', 'y'] })).toThrow(ValueError);
  });
});

describe('edgeValues', () => {
  it("averages an undirected edge's two directions by default, in toEdgeIndex order", () => {
    const graph = triangle();
    // toEdgeIndex columns: a→b, b→a, b→c, c→b.
    const values = tensor([1, 3, 10, 20]);
    expect(edgeValues(graph, values)).toEqual({ ab: 2, bc: 15 });
    expect(edgeValues(graph, values, { reduce: 'max' })).toEqual({ ab: 3, bc: 20 });
    expect(edgeValues(graph, values, { reduce: 'sum' })).toEqual({ ab: 4, bc: 30 });
    expect(edgeValues(graph, values, { reduce: 'min' })).toEqual({ ab: 1, bc: 10 });
  });

  it('reduces multi-head values elementwise', () => {
    const values = tensor([
      [1, 2],
      [3, 4],
      [0, 0],
      [1, 1],
    ]);
    expect(edgeValues(triangle(), values)).toEqual({ ab: [2, 3], bc: [0.5, 0.5] });
  });
});

describe('edgeAttention', () => {
  it('matches a layer edge index with added self-loops back to graph edges, skipping the loops', () => {
    const graph = new DirectedGraph();
    for (const key of ['a', 'b', 'c']) graph.addNode(key);
    graph.addEdgeWithKey('ab', 'a', 'b');
    graph.addEdgeWithKey('cb', 'c', 'b');
    const { edgeIndex, index } = toEdgeIndex(graph);
    const looped = addSelfLoops(edgeIndex, { numNodes: 3 }).edgeIndex; // a→b, c→b, a→a, b→b, c→c
    const alpha = tensor([
      [0.25, 0.5],
      [0.75, 0.5],
      [1, 1],
      [0, 0],
      [1, 1],
    ]);
    edgeAttention.assign(graph, alpha, { edgeIndex: looped, index });
    expect(graph.getEdgeAttribute('ab', 'attention')).toEqual([0.25, 0.5]);
    expect(graph.getEdgeAttribute('cb', 'attention')).toEqual([0.75, 0.5]);
  });

  it('matches parallel edges in order and rejects columns that are no edge of the graph', () => {
    const graph = new MultiDirectedGraph();
    graph.mergeNode('a');
    graph.mergeNode('b');
    graph.addEdgeWithKey('first', 'a', 'b');
    graph.addEdgeWithKey('second', 'a', 'b');
    const edgeIndex = tensor(
      [
        [0, 0],
        [1, 1],
      ],
      { dtype: 'int32' },
    );
    expect(edgeAttention(graph, tensor([0.25, 0.75]), { edgeIndex })).toEqual({ first: 0.25, second: 0.75 });
    const stray = tensor([[1], [0]], { dtype: 'int32' });
    expect(() => edgeAttention(graph, tensor([0.5]), { edgeIndex: stray })).toThrow(ValueError);
    expect(() => edgeAttention(graph, tensor([0.5]), { edgeIndex })).toThrow(ShapeError);
  });
});

import { ShapeError, ValueError } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { fromGraph, graphDataset } from './from-graph.js';
import { DirectedGraph, UndirectedGraph } from './graphology.js';

function labelled(): InstanceType<typeof UndirectedGraph> {
  const graph = new UndirectedGraph();
  graph.addNode('u', { f: [1, 0], group: 'red' });
  graph.addNode('v', { f: [0, 1], group: 'blue' });
  graph.addNode('w', { f: Float32Array.from([2, 2]) });
  graph.addEdge('u', 'v', { weight: 3 });
  return graph;
}

describe('fromGraph', () => {
  it('reads features, labels (strings to sorted class ids, missing → -1) and weights', () => {
    const t = fromGraph(labelled(), { featureAttribute: 'f', labelAttribute: 'group', weightAttribute: 'weight' });
    expect(t.x.toArray()).toEqual([
      [1, 0],
      [0, 1],
      [2, 2],
    ]);
    expect(t.classes).toEqual(['blue', 'red']);
    expect(t.y?.toArray()).toEqual([1, 0, -1]);
    expect(t.numClasses).toBe(2);
    expect(t.edgeIndex.toArray()).toEqual([
      [0, 1],
      [1, 0],
    ]);
    expect(t.edgeWeight?.toArray()).toEqual([3, 3]);
    expect(t.numFeatures).toBe(2);
  });

  it('defaults to identity features and no labels, and takes integer labels as ids', () => {
    const graph = new DirectedGraph();
    graph.addNode('a', { c: 2, size: 0.5 });
    graph.addNode('b', { c: 0, size: 1.5 });
    const t = fromGraph(graph, { labelAttribute: 'c' });
    expect(t.x.toArray()).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(t.y?.toArray()).toEqual([2, 0]);
    expect(t.numClasses).toBe(3);
    expect(t.classes).toBeNull();
    expect(fromGraph(graph).y).toBeNull();
    expect(fromGraph(graph, { featureAttribute: 'size', dtype: 'float64' }).x.toArray()).toEqual([[0.5], [1.5]]);
  });

  it('uses the given classes and rejects values outside them', () => {
    expect(fromGraph(labelled(), { labelAttribute: 'group', classes: ['red', 'blue'] }).y?.toArray()).toEqual([0, 1, -1]);
    expect(() => fromGraph(labelled(), { labelAttribute: 'group', classes: ['red'] })).toThrow(ValueError);
  });

  it('rejects missing, ragged or non-numeric features', () => {
    const graph = labelled();
    expect(() => fromGraph(graph, { featureAttribute: 'group' })).toThrow(ValueError);
    graph.setNodeAttribute('w', 'f', [1, 2, 3]);
    expect(() => fromGraph(graph, { featureAttribute: 'f' })).toThrow(ShapeError);
    graph.setNodeAttribute('w', 'f', [1, 'x']);
    expect(() => fromGraph(graph, { featureAttribute: 'f' })).toThrow(ValueError);
  });
});

describe('graphDataset', () => {
  it('builds a GraphDataset, by default training on every labelled node', () => {
    const data = graphDataset(labelled(), { labelAttribute: 'group', featureAttribute: 'f', name: 'toy' });
    expect(data.name).toBe('toy');
    expect(data.trainIndex.toArray()).toEqual([0, 1]);
    expect(data.valIndex.shape).toEqual([0]);
    expect(data.classNames).toEqual(['blue', 'red']);
    expect(data.graph.order).toBe(3);
  });

  it('takes an explicit split by node keys and rejects overlaps and unknown nodes', () => {
    const graph = labelled();
    const data = graphDataset(graph, { labelAttribute: 'group', split: { train: ['v'], test: ['u', 'w'] } });
    expect(data.trainIndex.toArray()).toEqual([1]);
    expect(data.testIndex.toArray()).toEqual([0, 2]);
    expect(() => graphDataset(graph, { labelAttribute: 'group', split: { train: ['u'], val: ['u'] } })).toThrow(ValueError);
    expect(() => graphDataset(graph, { labelAttribute: 'group', split: { train: ['z'] } })).toThrow(ValueError);
  });
});

// Integration: graphs read from files on disk become the same tensors, whatever the format, and
// feed one GCN propagation.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spmm, tensor } from '@tensorloom/core-tensor';
import { expectClose } from '@tensorloom/core-tensor/testing';
import { describe, expect, it } from 'vitest';
import { fromGraph, gcnNorm, graphDataset, normalizedAdjacency, toEdgeIndex } from '../src/index.js';
import { readEdgeList, readGexf, readGraphml } from '../src/node/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = (name: string): string => join(here, 'fixtures', name);

describe('reading the same graph from GEXF, GraphML and an edge list', () => {
  const graphs = {
    gexf: readGexf(fixture('club.gexf')),
    graphml: readGraphml(fixture('club.graphml')),
    edges: readEdgeList(fixture('club.edges')),
  };

  it('gives identical edge indices and weights', () => {
    const expected = toEdgeIndex(graphs.gexf, { weightAttribute: 'weight' });
    expect(expected.edgeIndex.shape).toEqual([2, 6]);
    expect(expected.edgeWeight?.toArray()).toEqual([2, 2, 1, 1, 0.5, 0.5]);
    for (const graph of [graphs.graphml, graphs.edges]) {
      const other = toEdgeIndex(graph, { weightAttribute: 'weight' });
      expect(other.index.keys()).toEqual(expected.index.keys());
      expect(other.edgeIndex.toArray()).toEqual(expected.edgeIndex.toArray());
      expect(other.edgeWeight?.toArray()).toEqual(expected.edgeWeight?.toArray());
    }
  });

  it('feeds a weighted GCN propagation from GEXF features and labels', () => {
    const data = graphDataset(graphs.gexf, {
      featureAttribute: 'features',
      labelAttribute: 'group',
      weightAttribute: 'weight',
      name: 'club',
    });
    expect(data.x.shape).toEqual([5, 2]);
    expect(data.y.toArray()).toEqual([0, 0, 1, 1, -1]);
    expect(data.classNames).toEqual(['left', 'right']);
    expect(data.trainIndex.toArray()).toEqual([0, 1, 2, 3]);
    const { edgeIndex, edgeWeight } = gcnNorm(data.edgeIndex, { numNodes: data.numNodes, edgeWeight: data.edgeWeight });
    // Out of eve (isolated), Â·X keeps her own (zero) features: her only entry is her loop.
    const propagated = spmm(normalizedAdjacency(data.edgeIndex, { numNodes: 5, edgeWeight: data.edgeWeight }), data.x);
    expectClose(propagated.narrow(0, 4, 1), tensor([[0, 0]]));
    // ann: d̃ = 2 + 1 = 3, bob: d̃ = 2 + 1 + 1 = 4; Â[ann] = [1/3, 2/√12, 0, …].
    expectClose(propagated.narrow(0, 0, 1), tensor([[1 / 3 + (2 / Math.sqrt(12)) * 0.5, (2 / Math.sqrt(12)) * 0.5]]), { rtol: 1e-6 });
    expect(edgeIndex.shape).toEqual([2, 11]);
    expect(edgeWeight.shape).toEqual([11]);
  });

  it('fromGraph without attributes gives identity features for any of them', () => {
    expect(fromGraph(graphs.edges).x.toArray()).toEqual(fromGraph(graphs.graphml).x.toArray());
  });
});

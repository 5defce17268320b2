import { describe, expect, it } from 'vitest';
import { toEdgeIndex } from '../edge-index.js';
import { GraphParseError } from '../errors.js';
import { GraphClass, MultiUndirectedGraph, UndirectedGraph } from '../graphology.js';
import { parseGraphml, writeGraphml } from './graphml.js';

const DOCUMENT = `<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="d0" for="node" attr.name="club" attr.type="string"/>
  <key id="d1" for="edge" attr.name="weight" attr.type="double"/>
  <graph id="G" edgedefault="undirected">
    <node id="n0"><data key="d0">Mr. Hi</data></node>
    <node id="n1"><data key="d0">Officer</data></node>
    <node id="n2"/>
    <edge source="n0" target="n1"><data key="d1">1.5</data></edge>
  </graph>
</graphml>`;

function parseError(run: () => unknown): GraphParseError {
  try {
    run();
  } catch (error) {
    if (error instanceof GraphParseError) return error;
    throw error;
  }
  throw new Error('expected a GraphParseError');
}

describe('parseGraphml', () => {
  it('reads nodes, cast data and the default edge type', () => {
    const graph = parseGraphml(DOCUMENT);
    expect(graph.type).toBe('undirected');
    expect(graph.order).toBe(3);
    expect(graph.getNodeAttribute('n1', 'club')).toBe('Officer');
    expect(graph.getEdgeAttribute('n0', 'n1', 'weight')).toBe(1.5);
    expect(toEdgeIndex(graph).edgeIndex.shape).toEqual([2, 2]);
  });

  it('names the file and line of malformed XML', () => {
    const error = parseError(() => parseGraphml('<graphml>\n<graph>\n<node id="a>\n</graph></graphml>', { fileName: 'bad.graphml' }));
    // Not well-formed where the '<' of </graph> falls inside the unclosed attribute value.
    expect([error.file, error.line, error.column]).toEqual(['bad.graphml', 4, 1]);
  });

  it('rejects a wrong root, a missing graph and edges to undeclared nodes', () => {
    expect(() => parseGraphml('<gexf><graph/></gexf>')).toThrow(GraphParseError);
    expect(() => parseGraphml('<graphml><key id="k"/></graphml>')).toThrow(GraphParseError);
    const dangling = DOCUMENT.replace('target="n1"', 'target="n9"');
    expect(() => parseGraphml(dangling)).toThrow(GraphParseError);
    expect(parseGraphml(dangling, { addMissingNodes: true }).hasNode('n9')).toBe(true);
  });
});

describe('writeGraphml', () => {
  it('round-trips typed attributes, weights, isolated nodes and keys that need escaping', () => {
    const graph = new UndirectedGraph();
    graph.setAttribute('name', 'toy');
    graph.addNode('a&b', { club: 'Mr. <Hi>', size: 3, rate: 0.5, active: true, embedding: [0.25, 0.5] });
    graph.addNode('c', { club: 'Officer', size: 4, rate: 2, active: false });
    graph.addNode('lonely');
    graph.addEdgeWithKey('e', 'a&b', 'c', { weight: 2.5 });
    const back = parseGraphml(writeGraphml(graph));
    expect(back.getAttribute('name')).toBe('toy');
    expect(back.nodes()).toEqual(['a&b', 'c', 'lonely']);
    expect(back.getNodeAttributes('a&b')).toEqual({ club: 'Mr. <Hi>', size: 3, rate: 0.5, active: true, embedding: '[0.25,0.5]' });
    expect(back.getNodeAttributes('c')).toEqual({ club: 'Officer', size: 4, rate: 2, active: false });
    expect(back.getEdgeAttribute('e', 'weight')).toBe(2.5);
    expect(back.type).toBe('undirected');
  });

  it('round-trips directed, mixed and multi graphs edge for edge', () => {
    const mixed = new GraphClass({ type: 'mixed' });
    for (const key of ['a', 'b', 'c']) mixed.addNode(key);
    mixed.addDirectedEdge('a', 'b');
    mixed.addUndirectedEdge('b', 'c');
    const backMixed = parseGraphml(writeGraphml(mixed));
    expect(backMixed.type).toBe('mixed');
    expect(toEdgeIndex(backMixed).edgeIndex.toArray()).toEqual(toEdgeIndex(mixed).edgeIndex.toArray());

    const directed = new GraphClass({ type: 'directed' });
    directed.mergeEdge('a', 'b');
    expect(parseGraphml(writeGraphml(directed)).type).toBe('directed');

    const multi = new MultiUndirectedGraph();
    multi.mergeNode('a');
    multi.mergeNode('b');
    multi.addEdge('a', 'b');
    multi.addEdge('a', 'b');
    const backMulti = parseGraphml(writeGraphml(multi));
    expect(backMulti.multi).toBe(true);
    expect(backMulti.size).toBe(2);
  });
});

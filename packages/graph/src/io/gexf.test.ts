import { describe, expect, it } from 'vitest';
import { toEdgeIndex } from '../edge-index.js';
import { GraphParseError } from '../errors.js';
import { GraphClass, MultiDirectedGraph, UndirectedGraph } from '../graphology.js';
import { parseGexf, writeGexf } from './gexf.js';

const DOCUMENT = `<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.2" version="1.2">
  <graph defaultedgetype="directed">
    <attributes class="node">
      <attribute id="0" title="club" type="string"/>
      <attribute id="1" title="age" type="integer"/>
    </attributes>
    <nodes>
      <node id="a" label="Alice"><attvalues><attvalue for="0" value="red"/><attvalue for="1" value="31"/></attvalues></node>
      <node id="b" label="Bob"><attvalues><attvalue for="0" value="blue"/><attvalue for="1" value="27"/></attvalues></node>
      <node id="c" label="Carol"/>
    </nodes>
    <edges>
      <edge id="e0" source="a" target="b" weight="2.5"/>
      <edge id="e1" source="b" target="c"/>
    </edges>
  </graph>
</gexf>`;

function parseError(run: () => unknown): GraphParseError {
  try {
    run();
  } catch (error) {
    if (error instanceof GraphParseError) return error;
    throw error;
  }
  throw new Error('expected a GraphParseError');
}

describe('parseGexf', () => {
  it('reads nodes, typed attributes, edge weights and the edge type', () => {
    const graph = parseGexf(DOCUMENT);
    expect(graph.type).toBe('directed');
    expect(graph.nodes()).toEqual(['a', 'b', 'c']);
    expect(graph.getNodeAttributes('a')).toMatchObject({ label: 'Alice', club: 'red', age: 31 });
    expect(graph.getEdgeAttribute('e0', 'weight')).toBe(2.5);
    expect(toEdgeIndex(graph, { weightAttribute: 'weight' }).edgeWeight?.toArray()).toEqual([2.5, 1]);
  });

  it('upgrades to a mixed graph when edges disagree with the default type', () => {
    const text = DOCUMENT.replace('<edge id="e1" source="b" target="c"/>', '<edge id="e1" source="b" target="c" type="undirected"/>');
    expect(parseGexf(text).type).toBe('mixed');
  });

  it('names the file and line of malformed XML', () => {
    const error = parseError(() =>
      parseGexf('<gexf version="1.2">\n<graph>\n<nodes><node id="a></nodes>\n</graph></gexf>', { fileName: 'bad.gexf' }),
    );
    expect(error.file).toBe('bad.gexf');
    expect(error.line).toBe(3);
  });

  it('rejects documents that are not GEXF graphs, and edges to undeclared nodes', () => {
    expect(() => parseGexf('')).toThrow(GraphParseError);
    expect(parseError(() => parseGexf('<graphml><graph/></graphml>')).message).toMatch(/expected <gexf>/);
    expect(() => parseGexf('<gexf version="1.2"><meta/></gexf>')).toThrow(GraphParseError);
    const dangling = DOCUMENT.replace('target="c"', 'target="zed"');
    expect(parseError(() => parseGexf(dangling)).line).toBeNull();
    expect(parseGexf(dangling, { addMissingNodes: true }).hasNode('zed')).toBe(true);
  });
});

describe('writeGexf', () => {
  it('round-trips an undirected graph with attributes, embeddings and weights', () => {
    const graph = new UndirectedGraph();
    graph.addNode('x', { label: 'X', score: 0.75, club: 'red', embedding: [0.25, -1] });
    graph.addNode('y', { label: 'Y', score: 1.5, club: 'blue', embedding: [2, 0.5] });
    graph.addNode('z', { label: 'Z', score: 2, club: 'red', embedding: [0, 0] });
    graph.addEdgeWithKey('xy', 'x', 'y', { weight: 3 });
    const back = parseGexf(writeGexf(graph));
    expect(back.type).toBe('undirected');
    expect(back.order).toBe(3);
    expect(back.getNodeAttributes('y')).toMatchObject({ label: 'Y', score: 1.5, club: 'blue', embedding: [2, 0.5] });
    expect(back.getEdgeAttribute('x', 'y', 'weight')).toBe(3);
    expect(back.degree('z')).toBe(0);
  });

  it('round-trips directed multigraphs and mixed graphs', () => {
    const multi = new MultiDirectedGraph();
    multi.mergeNode('a');
    multi.mergeNode('b');
    multi.addEdge('a', 'b');
    multi.addEdge('a', 'b');
    const backMulti = parseGexf(writeGexf(multi, { version: '1.3' }));
    expect(backMulti.multi).toBe(true);
    expect(backMulti.size).toBe(2);
    const mixed = new GraphClass({ type: 'mixed' });
    mixed.mergeNode('a');
    mixed.mergeNode('b');
    mixed.mergeNode('c');
    mixed.addDirectedEdge('a', 'b');
    mixed.addUndirectedEdge('b', 'c');
    const backMixed = parseGexf(writeGexf(mixed));
    expect(backMixed.type).toBe('mixed');
    expect(toEdgeIndex(backMixed).edgeIndex.toArray()).toEqual(toEdgeIndex(mixed).edgeIndex.toArray());
  });
});

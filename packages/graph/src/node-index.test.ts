import { IndexError, ValueError } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { UndirectedGraph } from './graphology.js';
import { NodeIndex } from './node-index.js';

function abc(): InstanceType<typeof UndirectedGraph> {
  const graph = new UndirectedGraph();
  for (const key of ['a', 'b', 'c']) graph.addNode(key);
  return graph;
}

describe('NodeIndex', () => {
  it('follows the graph node order by default, both ways', () => {
    const index = NodeIndex.fromGraph(abc());
    expect(index.size).toBe(3);
    expect(index.keys()).toEqual(['a', 'b', 'c']);
    expect(index.row('b')).toBe(1);
    expect(index.key(2)).toBe('c');
    expect(index.has('z')).toBe(false);
  });

  it('takes an explicit order that must list every node once', () => {
    const graph = abc();
    expect(NodeIndex.fromGraph(graph, { order: ['c', 'a', 'b'] }).row('c')).toBe(0);
    expect(() => NodeIndex.fromGraph(graph, { order: ['a', 'b'] })).toThrow(ValueError);
    expect(() => NodeIndex.fromGraph(graph, { order: ['a', 'b', 'z'] })).toThrow(ValueError);
    expect(() => NodeIndex.fromGraph(graph, { order: ['a', 'b', 'b'] })).toThrow(ValueError);
  });

  it('range(n) has keys "0" … "n-1" and accepts numeric keys', () => {
    const index = NodeIndex.range(4);
    expect(index.keys()).toEqual(['0', '1', '2', '3']);
    expect(index.row(3)).toBe(3);
    expect(NodeIndex.range(0).size).toBe(0);
    expect(() => NodeIndex.range(-1)).toThrow(ValueError);
  });

  it('rejects unknown keys and rows with IndexError', () => {
    const index = NodeIndex.fromGraph(abc());
    expect(() => index.row('z')).toThrow(IndexError);
    expect(() => index.key(3)).toThrow(IndexError);
    expect(() => index.key(-1)).toThrow(IndexError);
    expect(() => index.key(0.5)).toThrow(IndexError);
  });

  it('compares by keys and order', () => {
    expect(NodeIndex.fromKeys(['a', 'b']).equals(NodeIndex.fromKeys(['a', 'b']))).toBe(true);
    expect(NodeIndex.fromKeys(['a', 'b']).equals(NodeIndex.fromKeys(['b', 'a']))).toBe(false);
  });
});

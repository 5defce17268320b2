import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValueError } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { GraphParseError } from '../errors.js';
import { GraphClass } from '../graphology.js';
import { readEdgeList } from '../node/files.js';
import { parseEdgeList, writeEdgeList } from './edge-list.js';

function parseError(run: () => unknown): GraphParseError {
  try {
    run();
  } catch (error) {
    if (error instanceof GraphParseError) return error;
    throw error;
  }
  throw new Error('expected a GraphParseError');
}

describe('parseEdgeList', () => {
  it('reads whitespace- or comma-separated pairs with comments, weights and isolated nodes', () => {
    const text = '# a comment\n% another\na b 0.5\nb,c\n  c\td  # trailing\n\ne\n';
    const graph = parseEdgeList(text);
    expect(graph.type).toBe('undirected');
    expect(graph.nodes()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(graph.size).toBe(3);
    expect(graph.getEdgeAttribute('a', 'b', 'weight')).toBe(0.5);
    expect(graph.degree('e')).toBe(0);
  });

  it('builds a directed graph when asked, with a custom weight attribute', () => {
    const graph = parseEdgeList('1 2 3\n2 1 4\n', { directed: true, weightAttribute: 'w' });
    expect(graph.type).toBe('directed');
    expect(graph.size).toBe(2);
    expect(graph.getEdgeAttribute('2', '1', 'w')).toBe(4);
  });

  it('merges a repeated pair (last weight wins) unless multi, which keeps every line', () => {
    const text = 'a b 1\nb a 2\na b 3\n';
    const simple = parseEdgeList(text);
    expect(simple.size).toBe(1);
    expect(simple.getEdgeAttribute('a', 'b', 'weight')).toBe(3);
    const multi = parseEdgeList(text, { multi: true });
    expect(multi.size).toBe(3);
    expect(parseEdgeList(text, { multi: true, directed: true }).outEdges('a', 'b')).toHaveLength(2);
  });

  it('skips a header line, a BOM and CRLF line ends', () => {
    const graph = parseEdgeList('\uFEFF# shared/data style\r\nsource,target\r\n0,1\r\n1,2\r\n', { header: true });
    expect(graph.nodes()).toEqual(['0', '1', '2']);
    expect(graph.size).toBe(2);
  });

  it('accepts self-loops and an empty file', () => {
    expect(parseEdgeList('a a\n').hasEdge('a', 'a')).toBe(true);
    expect(parseEdgeList('').order).toBe(0);
  });

  it('names the file and line of too many fields or a bad weight', () => {
    const tooMany = parseError(() => parseEdgeList('a b\n\na b 1 2\n', { fileName: 'net.txt' }));
    expect([tooMany.file, tooMany.line]).toEqual(['net.txt', 3]);
    expect(tooMany).toBeInstanceOf(ValueError);
    const badWeight = parseError(() => parseEdgeList('# header\na b heavy\n'));
    expect([badWeight.file, badWeight.line]).toEqual(['<inline>', 2]);
    expect(parseError(() => parseEdgeList('a b Infinity')).line).toBe(1);
  });
});

describe('readEdgeList and writeEdgeList', () => {
  it('round-trip a weighted graph with an isolated node through a file', () => {
    const original = parseEdgeList('x y 2.5\ny z\nlonely\n', { directed: true });
    const dir = mkdtempSync(join(tmpdir(), 'tensorloom-edges-'));
    try {
      const file = join(dir, 'edges.txt');
      writeFileSync(file, writeEdgeList(original));
      const back = readEdgeList(file, { directed: true });
      expect(back.nodes().sort()).toEqual(['lonely', 'x', 'y', 'z']);
      expect(back.getEdgeAttribute('x', 'y', 'weight')).toBe(2.5);
      expect(back.hasEdge('y', 'z')).toBe(true);
      writeFileSync(file, 'a b\nc d e f\n');
      const error = parseError(() => readEdgeList(file));
      expect([error.file, error.line]).toEqual([file, 2]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses keys it cannot write and graphs with both edge kinds', () => {
    const spaced = parseEdgeList('a b\n');
    spaced.addNode('two words');
    expect(() => writeEdgeList(spaced)).toThrow(ValueError);
    const mixed = new GraphClass({ type: 'mixed' });
    mixed.mergeNode('a');
    mixed.mergeNode('b');
    mixed.addDirectedEdge('a', 'b');
    mixed.addUndirectedEdge('b', 'a');
    expect(() => writeEdgeList(mixed)).toThrow(ValueError);
  });
});

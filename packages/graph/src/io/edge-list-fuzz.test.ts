// Property tests of the edge-list reader: valid lists read back exactly; mutated, binary and random
// inputs end in a sound graph or a typed error, never a crash or a hang. 2,100 generated cases.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { BinaryInputError, GraphParseError } from '../errors.js';
import { binaryArbitrary, failure, expectSoundGraph, garbageArbitrary, mutatedText, outcome, runs, describeFuzz } from './fuzz-support.js';
import { parseEdgeList } from './edge-list.js';

const id = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_.:-]{1,5}$/), fc.constantFrom('é', 'ñode', '0', '-1', 'Constructor'));

/** A list as lines: `source target [weight]`, isolated ids alone, comments and blank lines between. */
const edgeList = fc
  .record({
    edges: fc.array(
      fc.tuple(id, id, fc.option(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map((w) => w + 0))),
      {
        maxLength: 12,
      },
    ),
    isolated: fc.array(id, { maxLength: 3 }),
    separator: fc.constantFrom(' ', '\t', ',', ' , '),
    comments: fc.boolean(),
    crlf: fc.boolean(),
  })
  .map((list) => {
    const lines = list.edges.map(([s, t, w]) => [s, t, ...(w === null ? [] : [String(w)])].join(list.separator));
    lines.push(...list.isolated);
    if (list.comments) lines.splice(lines.length >> 1, 0, '# a comment', '', '% another');
    return { list, text: lines.join(list.crlf ? '\r\n' : '\n') + '\n' };
  });

const TOKENS = [
  ' ',
  ',',
  '\t',
  '\n',
  '\r',
  '#',
  '%',
  '\uFEFF',
  'a b c d',
  '1e999',
  'NaN',
  '-',
  '\u00a0',
  '__proto__',
  'hasOwnProperty',
  'constructor',
  'toString',
];

describeFuzz('parseEdgeList under generated input', () => {
  it('reads every valid list back: the nodes, one edge per pair, the last weight of a pair', () => {
    fc.assert(
      fc.property(edgeList, ({ list, text }) => {
        const graph = parseEdgeList(text);
        const nodes = new Set([...list.edges.flatMap(([s, t]) => [s, t]), ...list.isolated]);
        expect(new Set(graph.nodes())).toEqual(nodes);
        const weights = new Map<string, number | null>();
        for (const [s, t, w] of list.edges) {
          const key = graph.hasEdge(s, t) ? graph.edge(s, t)! : '';
          weights.set(key, w);
        }
        expect(graph.size).toBe(weights.size);
        for (const [s, t, w] of list.edges) {
          if (w !== null && weights.get(graph.edge(s, t)!) === w) expect(graph.getEdgeAttribute(s, t, 'weight')).toBe(w);
        }
        expectSoundGraph(graph);
      }),
      runs(300),
    );
  });

  it('ends mutated lists in a sound graph or a GraphParseError naming the line and column', () => {
    fc.assert(
      fc.property(
        mutatedText(
          edgeList.map((e) => e.text),
          TOKENS,
        ),
        fc.boolean(),
        fc.boolean(),
        (text, directed, multi) => {
          const result = outcome(() => parseEdgeList(text, { directed, multi, fileName: 'fuzz.txt' }));
          if (result.ok) return expectSoundGraph(result.value);
          expect(result.error).toBeInstanceOf(GraphParseError);
          const error = result.error as GraphParseError;
          if (!(error instanceof BinaryInputError)) expect(error.line! >= 1 && error.column! >= 1).toBe(true);
        },
      ),
      runs(1300),
    );
  });

  it('refuses binary bytes, naming the offset of the first bad byte', () => {
    fc.assert(
      fc.property(binaryArbitrary(edgeList.map((e) => e.text)), ({ bytes, position }) => {
        const error = failure(outcome(() => parseEdgeList(bytes))) as BinaryInputError;
        expect(error).toBeInstanceOf(BinaryInputError);
        // A bad byte inside a multi-byte character makes its lead byte the first bad one; a continuation
        // byte after a lead byte may complete it, and leave the character's own continuation alone.
        expect(error.offset).toBeLessThanOrEqual(position + 1);
        expect(error.offset).toBeGreaterThanOrEqual(position - 3);
      }),
      runs(250),
    );
  });

  it('ends random bytes and text in a sound graph or a typed error', () => {
    fc.assert(
      fc.property(garbageArbitrary, (input) => {
        const result = outcome(() => parseEdgeList(input));
        if (result.ok) expectSoundGraph(result.value);
      }),
      runs(250),
    );
  });
});

// Property tests of the GraphML reader: valid documents read back exactly; mutated, binary and random
// documents end in a sound graph or a typed error, never a crash or a hang. 1,400 generated cases.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { BinaryInputError, GraphParseError, MissingAttributeError } from '../errors.js';
import { graphDataset } from '../from-graph.js';
import {
  binaryArbitrary,
  escapeXml,
  expectGraphOf,
  expectSoundDataset,
  expectSoundGraph,
  garbageArbitrary,
  graphSpecArbitrary,
  mutatedText,
  outcome,
  runs,
  XML_TOKENS,
  type GraphSpec,
  describeFuzz,
} from './fuzz-support.js';
import { parseGraphml } from './graphml.js';

function graphmlOf(spec: GraphSpec): string {
  const nodes = spec.ids.map((id, i) => {
    const data = [
      spec.clubs[i] === null ? '' : `<data key="c">${escapeXml(spec.clubs[i]!)}</data>`,
      spec.ages[i] === null ? '' : `<data key="a">${spec.ages[i]}</data>`,
    ].join('');
    return `    <node id="${escapeXml(id)}">${data}</node>\n`;
  });
  const edges = spec.edges.map(
    ([s, t, w]) =>
      `    <edge source="${escapeXml(spec.ids[s]!)}" target="${escapeXml(spec.ids[t]!)}">` +
      `${w === null ? '' : `<data key="w">${w}</data>`}</edge>\n`,
  );
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n' +
    '  <key id="c" for="node" attr.name="club" attr.type="string"/>\n  <key id="a" for="node" attr.name="age" attr.type="int"/>\n' +
    '  <key id="w" for="edge" attr.name="weight" attr.type="double"/>\n' +
    `  <graph edgedefault="${spec.directed ? 'directed' : 'undirected'}">\n${nodes.join('')}${edges.join('')}  </graph>\n</graphml>\n`
  );
}

const documents = graphSpecArbitrary.map(graphmlOf);

describeFuzz('parseGraphml under generated documents', () => {
  it('reads every valid document back, with classes from the declared club', () => {
    fc.assert(
      fc.property(graphSpecArbitrary, (spec) => {
        const text = graphmlOf(spec);
        expectGraphOf(parseGraphml(text), spec);
        if (spec.clubs.every((club) => club === null)) {
          expect(() => parseGraphml(text, { labelAttribute: 'club' })).toThrow(MissingAttributeError);
        } else {
          const data = graphDataset(parseGraphml(text, { labelAttribute: 'club' }), { labelAttribute: 'club' });
          expectSoundDataset(data);
          spec.ids.forEach((id, i) => expect(data.y.data[data.index.row(id)]! >= 0).toBe(spec.clubs[i] !== null));
        }
        expect(() => parseGraphml(text, { labelAttribute: 'label' })).toThrow(MissingAttributeError);
      }),
      runs(150),
    );
  });

  it('ends mutated documents in a sound graph or a typed error (with line and column when not well-formed)', () => {
    fc.assert(
      fc.property(mutatedText(documents, XML_TOKENS), fc.boolean(), (text, training) => {
        const result = outcome(() => parseGraphml(text, { fileName: 'fuzz.graphml', ...(training ? { labelAttribute: 'club' } : {}) }));
        if (!result.ok) {
          expect(result.error).toBeInstanceOf(GraphParseError);
          if (/not well-formed/.test(result.error.message)) {
            const error = result.error as GraphParseError;
            expect(error.line! >= 1 && error.column! >= 1).toBe(true);
          }
          return;
        }
        expectSoundGraph(result.value);
        if (!training) return;
        const data = outcome(() => graphDataset(result.value, { labelAttribute: 'club' }));
        if (data.ok) expectSoundDataset(data.value);
      }),
      runs(1000),
    );
  });

  it('refuses binary bytes', () => {
    fc.assert(
      fc.property(binaryArbitrary(documents), ({ bytes }) => {
        const result = outcome(() => parseGraphml(bytes));
        expect(!result.ok && result.error instanceof BinaryInputError).toBe(true);
      }),
      runs(100),
    );
  });

  it('ends random bytes and text in a typed error', () => {
    fc.assert(
      fc.property(garbageArbitrary, (input) => {
        const result = outcome(() => parseGraphml(input));
        if (result.ok) expectSoundGraph(result.value);
      }),
      runs(150),
    );
  });
});

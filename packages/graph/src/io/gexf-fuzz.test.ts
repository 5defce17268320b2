// Property tests of the GEXF reader: valid documents read back exactly (and a display name never
// becomes a class); mutated, binary and random documents end in a sound graph or a typed error, never
// a crash or a hang. 1,400 generated cases.
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
import { parseGexf } from './gexf.js';

function gexfOf(spec: GraphSpec): string {
  const nodes = spec.ids.map((id, i) => {
    const values = [
      spec.clubs[i] === null ? '' : `<attvalue for="0" value="${escapeXml(spec.clubs[i]!)}"/>`,
      spec.ages[i] === null ? '' : `<attvalue for="1" value="${spec.ages[i]}"/>`,
    ].join('');
    const name = spec.names[i] === null ? '' : ` label="${escapeXml(spec.names[i]!)}"`;
    return `      <node id="${escapeXml(id)}"${name}>${values ? `<attvalues>${values}</attvalues>` : ''}</node>\n`;
  });
  const edges = spec.edges.map(
    ([s, t, w], e) =>
      `      <edge id="e${e}" source="${escapeXml(spec.ids[s]!)}" target="${escapeXml(spec.ids[t]!)}"` +
      `${w === null ? '' : ` weight="${w}"`}/>\n`,
  );
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<gexf xmlns="http://gexf.net/1.2" version="1.2">\n' +
    `  <graph defaultedgetype="${spec.directed ? 'directed' : 'undirected'}">\n` +
    '    <attributes class="node">\n      <attribute id="0" title="club" type="string"/>\n' +
    '      <attribute id="1" title="age" type="integer"/>\n    </attributes>\n' +
    `    <nodes>\n${nodes.join('')}    </nodes>\n    <edges>\n${edges.join('')}    </edges>\n  </graph>\n</gexf>\n`
  );
}

const documents = graphSpecArbitrary.map(gexfOf);

describeFuzz('parseGexf under generated documents', () => {
  it('reads every valid document back, and takes classes only from the declared club', () => {
    fc.assert(
      fc.property(graphSpecArbitrary, (spec) => {
        const text = gexfOf(spec);
        expectGraphOf(parseGexf(text), spec);
        if (spec.clubs.every((club) => club === null)) {
          expect(() => parseGexf(text, { labelAttribute: 'club' })).toThrow(MissingAttributeError);
        } else {
          const data = graphDataset(parseGexf(text, { labelAttribute: 'club' }), { labelAttribute: 'club' });
          expectSoundDataset(data);
          spec.ids.forEach((id, i) => expect(data.y.data[data.index.row(id)]! >= 0).toBe(spec.clubs[i] !== null));
        }
        // The display names are no class: 'label' is not declared.
        if (spec.ids.length > 0) expect(() => parseGexf(text, { labelAttribute: 'label' })).toThrow(MissingAttributeError);
      }),
      runs(150),
    );
  });

  it('ends mutated documents in a sound graph or a typed error (with line and column when not well-formed)', () => {
    fc.assert(
      fc.property(mutatedText(documents, XML_TOKENS), fc.boolean(), (text, training) => {
        const result = outcome(() => parseGexf(text, { fileName: 'fuzz.gexf', ...(training ? { labelAttribute: 'club' } : {}) }));
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
        const result = outcome(() => parseGexf(bytes));
        expect(!result.ok && result.error instanceof BinaryInputError).toBe(true);
      }),
      runs(100),
    );
  });

  it('ends random bytes and text in a typed error', () => {
    fc.assert(
      fc.property(garbageArbitrary, (input) => {
        const result = outcome(() => parseGexf(input));
        if (result.ok) expectSoundGraph(result.value);
      }),
      runs(150),
    );
  });
});

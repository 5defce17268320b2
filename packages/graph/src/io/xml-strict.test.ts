// GEXF and GraphML are read strictly: XML that is not well-formed, values that are not what their
// declaration says, and (for training) a label attribute that is not declared are typed errors.
import { describe, expect, it } from 'vitest';
import { graphDataset } from '../from-graph.js';
import { GraphParseError, MissingAttributeError } from '../errors.js';
import { parseGexf } from './gexf.js';
import { parseGraphml } from './graphml.js';

function caught(run: () => unknown): GraphParseError {
  try {
    run();
  } catch (error) {
    if (error instanceof GraphParseError) return error;
    throw error;
  }
  throw new Error('expected a GraphParseError');
}

const gexf = (nodes: string, edges = '', attributes = ''): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<gexf xmlns="http://gexf.net/1.2" version="1.2">\n<graph defaultedgetype="undirected">\n` +
  `${attributes}<nodes>\n${nodes}</nodes>\n<edges>\n${edges}</edges>\n</graph>\n</gexf>\n`;

describe('well-formedness: what xmldom alone let through is now an error with line and column', () => {
  // [what, document, line, column]: each was parsed without a word before.
  const cases: [string, string, number, number][] = [
    ['text after the root', '<gexf>\n<graph/>\n</gexf>\ntrailing', 4, 1],
    ['a bare & in an attribute', '<gexf>\n<graph id="a&b"/>\n</gexf>', 2, 13],
    ['a bare & in text', '<gexf>\n<graph>R&D</graph>\n</gexf>', 2, 9],
    ['a < in an attribute', '<gexf>\n  <graph id="<"/>\n</gexf>', 2, 14],
    ['a second root', '<gexf><graph/></gexf>\n<gexf/>', 2, 6],
    ['a control character', '<gexf>\n<graph>\u0001</graph>\n</gexf>', 2, 8],
    ['an unclosed CDATA section', '<gexf>\n<graph><![CDATA[ x\n</graph></gexf>', 3, 15],
    ['an entity from a DTD', '<!DOCTYPE gexf [<!ENTITY a "aaaa">]>\n<gexf><graph>&a;</graph></gexf>', 2, 16],
    ['a mismatched end tag', '<gexf>\n<graph>\n</gexf>', 3, 7],
    ['an XML declaration not at the start', '\n<?xml version="1.0"?><gexf><graph/></gexf>', 2, 6],
    ["'--' inside a comment", '<gexf><!-- a -- b --><graph/></gexf>', 1, 16],
  ];

  it.each(cases)('%s', (_what, text, line, column) => {
    for (const [parse, root] of [
      [parseGexf, 'gexf'],
      [parseGraphml, 'graphml'],
    ] as const) {
      const error = caught(() => parse(text.replaceAll('gexf', root), { fileName: 'g.xml' }));
      expect(error.message).toMatch(/^g\.xml:\d+:\d+: not well-formed XML/);
      expect([error.file, error.line]).toEqual(['g.xml', line]);
      // The root's name is longer in GraphML: columns after it on its line move.
      if (root === 'gexf') expect(error.column).toBe(column);
      else expect(error.column).toBeGreaterThanOrEqual(1);
    }
  });

  it('still reads the well-formed documents real tools write (declaration, comments, namespaces, CDATA, BOM)', () => {
    const text =
      '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- Gephi -->\n' +
      '<gexf xmlns="http://gexf.net/1.2" xmlns:viz="http://gexf.net/1.2/viz" ' +
      'version="1.2"><meta><description><![CDATA[a & b]]></description></meta><graph><nodes><node id="a" label="A &amp; B">' +
      '<viz:size value="2"/></node></nodes><edges/></graph></gexf>';
    const graph = parseGexf(text);
    expect(graph.getNodeAttributes('a')).toMatchObject({ label: 'A & B', size: 2 });
  });
});

describe('declared types are kept', () => {
  it('refuses GEXF numeric values that are not numbers, non-finite weights and nodes without ids, naming the line', () => {
    const attributes = '<attributes class="node"><attribute id="0" title="age" type="integer"/></attributes>\n';
    const age = caught(() =>
      parseGexf(gexf('<node id="a"><attvalues><attvalue for="0" value="old"/></attvalues></node>\n', '', attributes)),
    );
    expect(age.line).toBe(6);
    expect(age.message).toMatch(/'age' is declared integer/);
    const weight = caught(() => parseGexf(gexf('<node id="a"/>\n<node id="b"/>\n', '<edge source="a" target="b" weight="NaN"/>\n')));
    expect(weight.line).toBe(9);
    expect(caught(() => parseGexf(gexf('<node id="a"/>\n<node id="b"/>\n', '<edge source="a" target="b" weight="1e999"/>\n'))).line).toBe(
      9,
    );
    expect(caught(() => parseGexf(gexf('<node label="nameless"/>\n'))).line).toBe(5);
    expect(caught(() => parseGexf(gexf('<node id="a"/>\n', '<edge source="a"/>\n'))).message).toMatch(/no target/);
  });

  it('refuses GraphML numeric data that is not a number, unknown key types and domains, and non-finite weights', () => {
    const doc = (keys: string, body: string): string =>
      `<graphml>\n${keys}<graph edgedefault="undirected">\n<node id="a"/>\n<node id="b"/>\n${body}</graph>\n</graphml>`;
    const weightKey = '<key id="w" for="edge" attr.name="weight" attr.type="double"/>\n';
    expect(caught(() => parseGraphml(doc(weightKey, '<edge source="a" target="b"><data key="w">heavy</data></edge>\n'))).line).toBe(6);
    expect(caught(() => parseGraphml(doc(weightKey, '<edge source="a" target="b"><data key="w">Infinity</data></edge>\n'))).line).toBe(6);
    expect(caught(() => parseGraphml(doc('<key id="k" for="vertex" attr.name="x"/>\n', ''))).line).toBe(2);
    expect(caught(() => parseGraphml(doc('<key id="k" for="node" attr.name="x" attr.type="complex"/>\n', ''))).line).toBe(2);
    const ok = parseGraphml(doc(weightKey, '<edge source="a" target="b"><data key="w"> 2.5 </data></edge>\n'));
    expect(ok.getEdgeAttribute('a', 'b', 'weight')).toBe(2.5);
  });
});

describe('labelAttribute: the classes come from declared data, never from display names', () => {
  const attributes = '<attributes class="node"><attribute id="club" title="club" type="string"/></attributes>\n';
  const named = (club: (node: string) => string): string =>
    gexf(
      ['Alice', 'Bob', 'Carol']
        .map((name, i) => `<node id="${i}" label="${name}"><attvalues>${club(String(i))}</attvalues></node>\n`)
        .join(''),
      '<edge source="0" target="1"/>\n',
      attributes,
    );
  const clubs = named((id) => `<attvalue for="club" value="${id === '2' ? 'red' : 'blue'}"/>`);

  it('a GEXF whose nodes have display labels but no declared label attribute is refused, listing what it declares', () => {
    // Before: labelAttribute 'label' found 'Alice', 'Bob', 'Carol' and made three classes of one node each.
    expect(parseGexf(clubs).getNodeAttribute('0', 'label')).toBe('Alice');
    const error = caught(() => parseGexf(clubs, { labelAttribute: 'label', fileName: 'club.gexf' }));
    expect(error).toBeInstanceOf(MissingAttributeError);
    expect((error as MissingAttributeError).available).toEqual(['club']);
    expect((error as MissingAttributeError).attribute).toBe('label');
    expect(error.message).toMatch(/display name/);
    const graph = parseGexf(clubs, { labelAttribute: 'club' });
    expect(graphDataset(graph, { labelAttribute: 'club' }).y.toArray()).toEqual([0, 0, 1]);
  });

  it('a declared label attribute counts only where a node has a value: the display name of the others is dropped', () => {
    const declared = named((id) => (id === '1' ? '' : `<attvalue for="0" value="${id === '0' ? 'x' : 'y'}"/>`)).replace(
      '<attribute id="club" title="club" type="string"/>',
      '<attribute id="0" title="label" type="string"/>',
    );
    const graph = parseGexf(declared, { labelAttribute: 'label' });
    expect(graph.getNodeAttribute('1', 'label')).toBeUndefined();
    expect(graphDataset(graph, { labelAttribute: 'label' }).y.toArray()).toEqual([0, -1, 1]);
  });

  it('a declared attribute that no node has is refused too; GraphML lists its node keys', () => {
    expect(() =>
      parseGexf(
        named(() => ''),
        { labelAttribute: 'club' },
      ),
    ).toThrow(MissingAttributeError);
    const graphml =
      '<graphml><key id="g" for="node" attr.name="group"/><key id="w" for="edge" attr.name="weight" attr.type="double"/>' +
      '<graph><node id="a"><data key="g">x</data></node></graph></graphml>';
    const error = caught(() => parseGraphml(graphml, { labelAttribute: 'class' })) as MissingAttributeError;
    expect(error).toBeInstanceOf(MissingAttributeError);
    expect(error.available).toEqual(['group']);
    expect(parseGraphml(graphml, { labelAttribute: 'group' }).getNodeAttribute('a', 'group')).toBe('x');
  });
});

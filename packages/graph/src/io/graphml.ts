/**
 * GraphML through graphology-graphml (reading) and a small writer of our own (graphology has none).
 * Browser-safe; `readGraphml` is in `@tensorloom/graph/node`.
 */
import { ValueError } from '@tensorloom/core-tensor';
import { GraphParseError } from '../errors.js';
import { GraphClass, type AnyGraph, type Attributes } from '../graphology.js';
import { textOf, type TextInput } from './text.js';
import { parseXml, xmlParsers } from './xml.js';
import { checkGraphmlValues, requireLabelAttribute } from './xml-attributes.js';

export interface ParseGraphmlOptions {
  /** Name used in errors (default `'<inline>'`; `readGraphml` passes the path). */
  fileName?: string;
  /** Create nodes that edges name but the document does not declare (default false: an error). */
  addMissingNodes?: boolean;
  /**
   * The node attribute that holds the class labels, for a graph read to train on (default: none,
   * not checked). It must be declared by a `<key for="node" attr.name="…">` and have a value on
   * some node, else a `MissingAttributeError` lists the declared node keys.
   */
  labelAttribute?: string;
}

/**
 * A graphology graph from a GraphML document. `edgedefault` sets the edge type (edges with
 * `directed="true"` make the graph mixed), parallel edges make it a multigraph, and `<data>`
 * values are cast by their `<key attr.type>` (int, long, float, double, boolean, string). `text`
 * may be the file's bytes (decoded as UTF-8).
 *
 * Strict: XML that is not well-formed is a `GraphParseError` naming the file, line and column; so
 * are numeric data that is not a number, an edge weight that is not finite, a key of an unknown
 * type or domain, a node without an id, and what graphology rejects (then without a line). Bytes
 * that are not UTF-8 text, or a NUL, are a `BinaryInputError`.
 *
 * @example
 * const g = parseGraphml('<graphml><graph edgedefault="undirected"><node id="a"/><node id="b"/><edge source="a"
 * target="b"/></graph></graphml>');
 * g.size;   // 1
 */
export function parseGraphml(text: TextInput, options: ParseGraphmlOptions = {}): AnyGraph {
  const file = options.fileName ?? '<inline>';
  const document = parseXml(textOf(text, file), file, 'graphml');
  checkGraphmlValues(document, file);
  let graph: AnyGraph;
  try {
    graph = xmlParsers().graphml(GraphClass, document as never, { addMissingNodes: options.addMissingNodes ?? false }) as AnyGraph;
  } catch (error) {
    const message = (error as Error).message.replace(/^graphology-graphml\/parser: /, '');
    throw new GraphParseError(`not a valid GraphML graph: ${message}`, file, null);
  }
  if (options.labelAttribute !== undefined) requireLabelAttribute(graph, document, 'graphml', options.labelAttribute, file);
  return graph;
}

type KeyType = 'boolean' | 'int' | 'double' | 'string';
type Domain = 'graph' | 'node' | 'edge';

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function typeOf(value: unknown): KeyType {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) <= 2147483647 ? 'int' : 'double';
  return 'string';
}

/** The wider of two GraphML types (int ⊂ double; anything else mixed becomes string). */
function widen(a: KeyType | undefined, b: KeyType): KeyType {
  if (a === undefined || a === b) return b;
  if ((a === 'int' && b === 'double') || (a === 'double' && b === 'int')) return 'double';
  return 'string';
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * A GraphML document of `graph`: one `<key>` per attribute name and domain (types int, double,
 * boolean or string; arrays and objects, such as embeddings, are written as JSON strings),
 * `edgedefault` from the graph's type (mixed graphs mark their directed edges), node and edge
 * keys as ids. `parseGraphml` reads it back to an equal graph.
 *
 * @example writeFileSync('out.graphml', writeGraphml(graph));
 */
export function writeGraphml(graph: AnyGraph): string {
  const keys = new Map<string, { id: string; domain: Domain; name: string; type: KeyType }>();
  const declare = (domain: Domain, attributes: Attributes): void => {
    for (const [name, value] of Object.entries(attributes)) {
      if (value === undefined || value === null) continue;
      const id = `${domain}:${name}`;
      const known = keys.get(id);
      keys.set(id, { id: known?.id ?? `${domain[0]}${keys.size}`, domain, name, type: widen(known?.type, typeOf(value)) });
    }
  };
  declare('graph', graph.getAttributes());
  graph.forEachNode((_node, attributes) => declare('node', attributes));
  graph.forEachEdge((_edge, attributes) => declare('edge', attributes));

  const data = (domain: Domain, attributes: Attributes, indent: string): string =>
    Object.entries(attributes)
      .filter(([, value]) => value !== undefined && value !== null)
      .map(([name, value]) => `${indent}<data key="${keys.get(`${domain}:${name}`)!.id}">${escapeXml(formatValue(value))}</data>\n`)
      .join('');
  const element = (open: string, body: string, indent: string): string =>
    body === '' ? `${indent}<${open}/>\n` : `${indent}<${open}>\n${body}${indent}</${open.split(' ')[0]}>\n`;

  if (graph.type !== 'directed' && graph.type !== 'undirected' && graph.type !== 'mixed') {
    throw new ValueError(`writeGraphml: unknown graph type ${String(graph.type)}`);
  }
  const edgeDefault = graph.type === 'directed' ? 'directed' : 'undirected';
  let out = '<?xml version="1.0" encoding="UTF-8"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n';
  for (const key of keys.values()) {
    out += `  <key id="${key.id}" for="${key.domain}" attr.name="${escapeXml(key.name)}" attr.type="${key.type}"/>\n`;
  }
  out += `  <graph edgedefault="${edgeDefault}">\n`;
  out += data('graph', graph.getAttributes(), '    ');
  graph.forEachNode((node, attributes) => {
    out += element(`node id="${escapeXml(node)}"`, data('node', attributes, '      '), '    ');
  });
  graph.forEachEdge((edge, attributes, source, target, _s, _t, undirected) => {
    const direction = graph.type === 'mixed' && !undirected ? ' directed="true"' : '';
    const open = `edge id="${escapeXml(edge)}" source="${escapeXml(source)}" target="${escapeXml(target)}"${direction}`;
    out += element(open, data('edge', attributes, '      '), '    ');
  });
  return `${out}  </graph>\n</graphml>\n`;
}

/**
 * Internal: what the GEXF and GraphML documents declare, read from the DOM so that errors can name
 * the line: numeric values that are not numbers, edges without ends, and the node attribute that
 * must hold the class labels (`labelAttribute`), which has to be declared data, not a display name.
 */
import { GraphParseError, MissingAttributeError } from '../errors.js';
import { UNSAFE_NODE_KEYS, type AnyGraph } from '../graphology.js';
import type { XMLDocumentLike, XMLElementLike } from './xml.js';

/** A declared attribute: the name graphology gives it on the graph, its type and whether it has a default. */
interface Declared {
  name: string;
  type: string;
  hasDefault: boolean;
}

const GEXF_NUMERIC = new Set(['byte', 'short', 'integer', 'long', 'float', 'double']);
const GRAPHML_TYPES = new Set(['boolean', 'int', 'long', 'float', 'double', 'string']);
const GRAPHML_DOMAINS = new Set(['graph', 'node', 'edge', 'all']);
const EDGE_TYPES = new Set(['directed', 'undirected', 'mutual']);

function fail(message: string, file: string, element: XMLElementLike): never {
  throw new GraphParseError(message, file, element.lineNumber ?? null, element.columnNumber ?? null);
}

function elements(document: XMLDocumentLike, tag: string): XMLElementLike[] {
  return Array.from(document.getElementsByTagName(tag));
}

/** A number as graphology's parsers read one (`+text`), or NaN where that is not a finite number. */
function finite(text: string): number {
  const value = text.trim() === '' ? NaN : Number(text);
  return Number.isFinite(value) ? value : NaN;
}

/** GEXF `<attributes class="…">` by id, named as graphology-gexf names them (a numeric id takes its title). */
function gexfModel(document: XMLDocumentLike, kind: 'node' | 'edge', file: string): Map<string, Declared> {
  const model = new Map<string, Declared>();
  for (const group of elements(document, 'attributes')) {
    if (group.getAttribute('class') !== kind) continue;
    for (const attribute of Array.from(group.getElementsByTagName('attribute'))) {
      const id = attribute.getAttribute('id') || attribute.getAttribute('for') || '';
      if (id === '') fail(`an <attribute> of class ${kind} has no id`, file, attribute);
      const title = attribute.getAttribute('title');
      const name = Number.isNaN(Number(id)) ? id : title || id;
      model.set(id, {
        name,
        type: attribute.getAttribute('type') || 'string',
        hasDefault: attribute.getElementsByTagName('default').length > 0,
      });
    }
  }
  return model;
}

/** GraphML `<key>`s of one domain by id (`for="all"` keys are not given to nodes or edges by graphology). */
function graphmlModel(document: XMLDocumentLike, domain: 'node' | 'edge'): Map<string, Declared> {
  const model = new Map<string, Declared>();
  for (const key of elements(document, 'key')) {
    if ((key.getAttribute('for') || 'node') !== domain) continue;
    model.set(key.getAttribute('id') ?? '', {
      name: key.getAttribute('attr.name') ?? 'null',
      type: key.getAttribute('attr.type') || 'string',
      hasDefault: key.getElementsByTagName('default').length > 0,
    });
  }
  return model;
}

function requireIds(document: XMLDocumentLike, file: string): void {
  for (const node of elements(document, 'node')) {
    const id = node.getAttribute('id');
    if (!id) fail('a <node> has no id', file, node);
    if (UNSAFE_NODE_KEYS.has(id)) fail(`'${id}' cannot be a node id (graphology breaks on Object.prototype names)`, file, node);
  }
  for (const edge of elements(document, 'edge')) {
    for (const end of ['source', 'target']) {
      const id = edge.getAttribute(end);
      if (!id) fail(`an <edge> has no ${end}`, file, edge);
      if (UNSAFE_NODE_KEYS.has(id)) fail(`'${id}' cannot be a node id (graphology breaks on Object.prototype names)`, file, edge);
    }
  }
}

/**
 * GEXF values graphology would read as NaN or not at all: nodes without ids, edges without ends, an
 * edge `weight` that is not a finite number, and numeric attribute values that are not numbers.
 */
export function checkGexfValues(document: XMLDocumentLike, file: string): void {
  requireIds(document, file);
  for (const [tag, attribute] of [
    ['graph', 'defaultedgetype'],
    ['edge', 'type'],
  ] as const) {
    for (const element of elements(document, tag)) {
      const type = element.getAttribute(attribute);
      if (type && !EDGE_TYPES.has(type)) fail(`<${tag} ${attribute}="${type}">: expected directed, undirected or mutual`, file, element);
    }
  }
  const models = { node: gexfModel(document, 'node', file), edge: gexfModel(document, 'edge', file) };
  for (const edge of elements(document, 'edge')) {
    const weight = edge.getAttribute('weight');
    if (weight && Number.isNaN(finite(weight))) fail(`the edge weight '${weight}' is not a finite number`, file, edge);
  }
  for (const value of elements(document, 'attvalue')) {
    const owner = value.parentNode?.parentNode?.nodeName;
    if (owner !== 'node' && owner !== 'edge') continue;
    const id = value.getAttribute('for') || value.getAttribute('id') || '';
    const declared = models[owner].get(id);
    if (declared === undefined) continue; // graphology refuses it unless allowUndeclaredAttributes
    if (!value.hasAttribute('value')) fail(`an <attvalue> for '${declared.name}' has no value`, file, value);
    const text = value.getAttribute('value') ?? '';
    if (GEXF_NUMERIC.has(declared.type) && Number.isNaN(Number(text.trim() === '' ? NaN : text))) {
      fail(`'${declared.name}' is declared ${declared.type}, but a value is '${text}'`, file, value);
    }
  }
}

/**
 * GraphML values graphology would read wrongly or crash on: nodes without ids, edges without ends,
 * keys of an unknown domain or type, numeric data that is not a number, an edge weight that is not
 * a finite number.
 */
export function checkGraphmlValues(document: XMLDocumentLike, file: string): void {
  requireIds(document, file);
  for (const graph of elements(document, 'graph')) {
    const type = graph.getAttribute('edgedefault');
    if (type && type !== 'directed' && type !== 'undirected')
      fail(`<graph edgedefault="${type}">: expected directed or undirected`, file, graph);
  }
  for (const key of elements(document, 'key')) {
    const domain = key.getAttribute('for') || 'node';
    if (!GRAPHML_DOMAINS.has(domain)) fail(`<key for="${domain}">: expected graph, node, edge or all`, file, key);
    const type = key.getAttribute('attr.type') || 'string';
    if (!GRAPHML_TYPES.has(type)) fail(`<key attr.type="${type}">: expected ${[...GRAPHML_TYPES].join(', ')}`, file, key);
  }
  const models = { node: graphmlModel(document, 'node'), edge: graphmlModel(document, 'edge') };
  for (const data of elements(document, 'data')) {
    const owner = data.parentNode?.nodeName;
    if (owner !== 'node' && owner !== 'edge') continue;
    const declared = models[owner].get(data.getAttribute('key') ?? '');
    if (declared === undefined || declared.type === 'string' || declared.type === 'boolean') continue;
    const text = data.textContent ?? '';
    const value = owner === 'edge' && declared.name === 'weight' ? finite(text) : Number(text.trim() === '' ? NaN : text);
    if (Number.isNaN(value)) fail(`'${declared.name}' is declared ${declared.type}, but a value is '${text.trim()}'`, file, data);
  }
}

/**
 * Checks that `name` is a declared node attribute with a value on at least one node, and (GEXF)
 * takes it from declared values only: a node's `label="…"` is its display name, which graphology
 * also stores as `label`, and must not become a class. Throws `MissingAttributeError` listing the
 * node attributes the document declares.
 */
export function requireLabelAttribute(
  graph: AnyGraph,
  document: XMLDocumentLike,
  format: 'gexf' | 'graphml',
  name: string,
  file: string,
): void {
  const model = format === 'gexf' ? gexfModel(document, 'node', file) : graphmlModel(document, 'node');
  const available = [...new Set([...model.values()].map((d) => d.name))];
  const entry = [...model.entries()].find(([, d]) => d.name === name);
  const found = `the document declares ${available.length > 0 ? `the node attributes ${available.join(', ')}` : 'no node attributes'}`;
  if (entry === undefined) {
    const display = format === 'gexf' && name === 'label' ? `; a GEXF node's label="…" is its display name, not a class` : '';
    throw new MissingAttributeError(`no node attribute '${name}' to take the classes from: ${found}${display}`, file, name, available);
  }
  const [id, declared] = entry;
  if (format === 'gexf' && !declared.hasDefault) {
    // Keep only declared values: drop what graphology took from the display label or a viz element.
    for (const node of elements(document, 'node')) {
      const key = node.getAttribute('id')!;
      const values = Array.from(node.getElementsByTagName('attvalue'));
      if (!values.some((v) => (v.getAttribute('for') || v.getAttribute('id')) === id) && graph.hasNode(key)) {
        graph.removeNodeAttribute(key, name);
      }
    }
  }
  if (!graph.someNode((_node, attributes) => attributes[name] !== undefined && attributes[name] !== null && attributes[name] !== '')) {
    throw new MissingAttributeError(`the node attribute '${name}' is declared, but no node has a value for it`, file, name, available);
  }
}

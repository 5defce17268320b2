// Ambient types, which other packages compiling this source need too: a triple-slash reference.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- types of graphology's parser modules
/// <reference path="./graphology-parsers.d.ts" />
/** GEXF (Gephi's format) through graphology-gexf, with typed errors. Browser-safe; `readGexf` is in `@tensorloom/graph/node`. */
import writeGexfDocument from 'graphology-gexf/common/writer.js';
import { GraphParseError } from '../errors.js';
import { GraphClass, type AnyGraph } from '../graphology.js';
import { textOf, type TextInput } from './text.js';
import { parseXml, xmlParsers } from './xml.js';
import { checkGexfValues, requireLabelAttribute } from './xml-attributes.js';

export interface ParseGEXFOptions {
  /** Name used in errors (default `'<inline>'`; `readGexf` passes the path). */
  fileName?: string;
  /** Create nodes that edges name but the document does not declare (default false: an error). */
  addMissingNodes?: boolean;
  /** Accept attribute values whose attribute is not declared (default false: an error). */
  allowUndeclaredAttributes?: boolean;
  /**
   * The node attribute that holds the class labels, for a graph read to train on (default: none,
   * not checked). It must be a declared node attribute (`<attributes class="node">`) with a value on
   * some node, else a `MissingAttributeError` lists the declared ones. Only declared values count:
   * a node's `label="…"`, its display name, never becomes a class.
   */
  labelAttribute?: string;
}

/**
 * A graphology graph from a GEXF document (1.2 or 1.3). The graph is directed, undirected or mixed
 * as the document's edges are, and a multigraph when it has parallel edges. Node and edge
 * attributes are typed by the document's declarations; an edge's `weight` becomes the `weight`
 * attribute. `text` may be the file's bytes (decoded as UTF-8).
 *
 * Strict: XML that is not well-formed is a `GraphParseError` naming the file, line and column; so
 * are a numeric value that is not a number, an edge weight that is not finite, a node without an id
 * and what graphology rejects (then without a line). Bytes that are not UTF-8 text, or a NUL, are a
 * `BinaryInputError`.
 *
 * @example
 * const g = parseGexf('<gexf version="1.2"><graph defaultedgetype="directed"><nodes><node id="a"/><node
 * id="b"/></nodes><edges><edge source="a" target="b" weight="2"/></edges></graph></gexf>');
 * g.type;                                    // 'directed'
 */
export function parseGexf(text: TextInput, options: ParseGEXFOptions = {}): AnyGraph {
  const file = options.fileName ?? '<inline>';
  const document = parseXml(textOf(text, file), file, 'gexf');
  checkGexfValues(document, file);
  let graph: AnyGraph;
  try {
    graph = xmlParsers().gexf(GraphClass, document as never, {
      addMissingNodes: options.addMissingNodes ?? false,
      allowUndeclaredAttributes: options.allowUndeclaredAttributes ?? false,
    }) as AnyGraph;
  } catch (error) {
    throw new GraphParseError(`not a valid GEXF graph: ${(error as Error).message.replace(/^graphology-gexf\/parser: /, '')}`, file, null);
  }
  if (options.labelAttribute !== undefined) requireLabelAttribute(graph, document, 'gexf', options.labelAttribute, file);
  return graph;
}

export interface WriteGEXFOptions {
  /** GEXF version (default `'1.2'`). */
  version?: '1.2' | '1.3';
  /** Indent the output (default true). */
  pretty?: boolean;
}

/**
 * A GEXF document of `graph` (graphology-gexf's writer): node and edge attributes become declared
 * GEXF attributes, `weight` the edge weight. Arrays of numbers (embeddings written by
 * `nodeEmbeddings.assign`) become GEXF list attributes and read back as arrays.
 *
 * @example writeFileSync('out.gexf', writeGexf(graph));
 */
export function writeGexf(graph: AnyGraph, options: WriteGEXFOptions = {}): string {
  return writeGexfDocument(graph, { version: options.version ?? '1.2', pretty: options.pretty ?? true });
}

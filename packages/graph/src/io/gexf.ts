// Ambient types, which other packages compiling this source need too: a triple-slash reference.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- types of graphology's parser modules
/// <reference path="./graphology-parsers.d.ts" />
/** GEXF (Gephi's format) through graphology-gexf, with typed errors. Browser-safe; `readGexf` is in `@tensorloom/graph/node`. */
import writeGexfDocument from 'graphology-gexf/common/writer.js';
import { GraphParseError } from '../errors.js';
import { GraphClass, type AnyGraph } from '../graphology.js';
import { parseXml, xmlParsers } from './xml.js';

export interface ParseGEXFOptions {
  /** Name used in errors (default `'<inline>'`; `readGexf` passes the path). */
  fileName?: string;
  /** Create nodes that edges name but the document does not declare (default false: an error). */
  addMissingNodes?: boolean;
  /** Accept attribute values whose attribute is not declared (default false: an error). */
  allowUndeclaredAttributes?: boolean;
}

/**
 * A graphology graph from a GEXF document (1.2 or 1.3). The graph is directed, undirected or mixed
 * as the document's edges are, and a multigraph when it has parallel edges. Node and edge
 * attributes are typed by the document's declarations; an edge's `weight` becomes the `weight`
 * attribute. Malformed XML and documents graphology rejects are a `GraphParseError` naming the file
 * (and the line, where the XML parser knows it).
 *
 * @example
 * const g = parseGexf('<gexf version="1.2"><graph defaultedgetype="directed"><nodes><node id="a"/><node
 * id="b"/></nodes><edges><edge source="a" target="b" weight="2"/></edges></graph></gexf>');
 * g.type;                                    // 'directed'
 */
export function parseGexf(text: string, options: ParseGEXFOptions = {}): AnyGraph {
  const file = options.fileName ?? '<inline>';
  const document = parseXml(text, file, 'gexf');
  try {
    return xmlParsers().gexf(GraphClass, document as never, {
      addMissingNodes: options.addMissingNodes ?? false,
      allowUndeclaredAttributes: options.allowUndeclaredAttributes ?? false,
    }) as AnyGraph;
  } catch (error) {
    throw new GraphParseError(`not a valid GEXF graph: ${(error as Error).message.replace(/^graphology-gexf\/parser: /, '')}`, file, null);
  }
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

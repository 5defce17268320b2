/** Plain-text edge lists (SNAP, KONECT, networkx `write_edgelist`, CSV `source,target[,weight]`). */
import { ValueError } from '@tensorloom/core-tensor';
import { GraphParseError } from '../errors.js';
import {
  DirectedGraph,
  MultiDirectedGraph,
  MultiUndirectedGraph,
  UNSAFE_NODE_KEYS,
  UndirectedGraph,
  type AnyGraph,
} from '../graphology.js';
import { textOf, type TextInput } from './text.js';

export interface ParseEdgeListOptions {
  /** Each line is a directed edge source → target (default false: undirected). */
  directed?: boolean;
  /**
   * Keep every line as its own edge, parallel ones included (a multigraph). Default false: a
   * repeated pair is one edge whose weight is the last one read (networkx's behaviour; SNAP lists
   * undirected edges in both directions).
   */
  multi?: boolean;
  /** Edge attribute for a third column (default `'weight'`). */
  weightAttribute?: string;
  /** The first non-comment line is a header and is skipped (default false). */
  header?: boolean;
  /** Name used in errors (default `'<inline>'`; `readEdgeList` passes the path). */
  fileName?: string;
}

/**
 * A graphology graph from an edge list: one `source target [weight]` per line, fields separated
 * by whitespace or commas, `#` and `%` starting comments (to the end of the line), blank lines
 * ignored. A line with a single id adds an isolated node. Node keys are the ids as written.
 * `text` may be the file's bytes (decoded as UTF-8). Anything else (4+ fields, a weight that is
 * not a finite number) is a `GraphParseError` naming the file, line and column; bytes that are not
 * UTF-8 text, or a NUL, are a `BinaryInputError`.
 *
 * @example
 * const g = parseEdgeList('# friends\na b 0.5\nb c\nd\n', { directed: false });
 * g.order;                                 // 4
 * g.getEdgeAttribute('a', 'b', 'weight');  // 0.5
 */
export function parseEdgeList(input: TextInput, options: ParseEdgeListOptions = {}): AnyGraph {
  const { directed = false, multi = false, weightAttribute = 'weight', header = false } = options;
  const file = options.fileName ?? '<inline>';
  const text = textOf(input, file);
  const Constructor = directed ? (multi ? MultiDirectedGraph : DirectedGraph) : multi ? MultiUndirectedGraph : UndirectedGraph;
  const graph: AnyGraph = new Constructor();
  let skipHeader = header;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (i === 0) line = line.replace(/^\uFEFF/, '');
    const comment = line.search(/[#%]/);
    if (comment !== -1) line = line.slice(0, comment);
    // Each field with its 1-based column, for the errors.
    const fields = [...line.matchAll(/[^\s,]+/g)].map((match) => ({ text: match[0], column: match.index + 1 }));
    if (fields.length === 0) continue;
    if (skipHeader) {
      skipHeader = false;
      continue;
    }
    const lineNumber = i + 1;
    if (fields.length > 3) {
      throw new GraphParseError(`expected 'source target [weight]', got ${fields.length} fields`, file, lineNumber, fields[3]!.column);
    }
    for (const field of fields.slice(0, 2)) {
      if (UNSAFE_NODE_KEYS.has(field.text)) {
        throw new GraphParseError(
          `'${field.text}' cannot be a node id (graphology breaks on Object.prototype names)`,
          file,
          lineNumber,
          field.column,
        );
      }
    }
    const [source, target, weightField] = fields.map((f) => f.text) as [string, string | undefined, string | undefined];
    if (target === undefined) {
      graph.mergeNode(source);
      continue;
    }
    const attributes: Record<string, number> = {};
    if (weightField !== undefined) {
      const weight = Number(weightField);
      if (!Number.isFinite(weight)) {
        throw new GraphParseError(`the weight (field 3) '${weightField}' is not a finite number`, file, lineNumber, fields[2]!.column);
      }
      attributes[weightAttribute] = weight;
    }
    if (multi) {
      graph.mergeNode(source);
      graph.mergeNode(target);
      graph.addEdge(source, target, attributes);
    } else {
      graph.mergeEdge(source, target, attributes);
    }
  }
  return graph;
}

/**
 * An edge list of `graph`: `source target [weight]` per edge (space-separated, weight from
 * `weightAttribute` when the edge has it), then each isolated node alone on a line, so
 * `parseEdgeList` reads it back. Keys with whitespace, commas, `#` or `%` cannot be written
 * (`ValueError`). Mixed graphs cannot be written either (a plain edge list has one edge type).
 *
 * @example writeFileSync('edges.txt', writeEdgeList(graph));
 */
export function writeEdgeList(graph: AnyGraph, options: { weightAttribute?: string } = {}): string {
  const op = 'writeEdgeList';
  const { weightAttribute = 'weight' } = options;
  if (graph.type === 'mixed' && graph.directedSize > 0 && graph.undirectedSize > 0) {
    throw new ValueError(`${op}: the graph has both directed and undirected edges; an edge list holds one kind`);
  }
  const check = (key: string): string => {
    if (key === '' || /[\s,#%]/.test(key))
      throw new ValueError(`${op}: node key '${key}' has whitespace, a comma, # or %, so it cannot be written`);
    return key;
  };
  const lines: string[] = [];
  graph.forEachEdge((_edge, attributes, source, target) => {
    const weight: unknown = attributes[weightAttribute];
    lines.push(typeof weight === 'number' ? `${check(source)} ${check(target)} ${weight}` : `${check(source)} ${check(target)}`);
  });
  graph.forEachNode((node) => {
    if (graph.degree(node) === 0) lines.push(check(node));
  });
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

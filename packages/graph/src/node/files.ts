/** Graph files from disk (Node): the `parse*` readers of the main entry on a file's UTF-8 text. */
import { readFileSync } from 'node:fs';
import type { AnyGraph } from '../graphology.js';
import { parseEdgeList, type ParseEdgeListOptions } from '../io/edge-list.js';
import { parseGexf, type ParseGEXFOptions } from '../io/gexf.js';
import { parseGraphml, type ParseGraphmlOptions } from '../io/graphml.js';

/** `parseGexf` on a UTF-8 file; errors name the path. @example readGexf('data/les-miserables.gexf') */
export function readGexf(path: string, options: Omit<ParseGEXFOptions, 'fileName'> = {}): AnyGraph {
  return parseGexf(readFileSync(path, 'utf8'), { ...options, fileName: path });
}

/** `parseGraphml` on a UTF-8 file; errors name the path. @example readGraphml('data/network.graphml') */
export function readGraphml(path: string, options: Omit<ParseGraphmlOptions, 'fileName'> = {}): AnyGraph {
  return parseGraphml(readFileSync(path, 'utf8'), { ...options, fileName: path });
}

/** `parseEdgeList` on a UTF-8 file; errors name the path and line. @example readEdgeList('data/karate.csv', { header: true }) */
export function readEdgeList(path: string, options: Omit<ParseEdgeListOptions, 'fileName'> = {}): AnyGraph {
  return parseEdgeList(readFileSync(path, 'utf8'), { ...options, fileName: path });
}

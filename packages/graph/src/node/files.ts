/** Graph files from disk (Node): the `parse*` readers of the main entry on a file's bytes, read as strict UTF-8. */
import { constants } from 'node:buffer';
import { readFileSync, statSync } from 'node:fs';
import { GraphSizeError } from '../errors.js';
import type { AnyGraph } from '../graphology.js';
import { parseEdgeList, type ParseEdgeListOptions } from '../io/edge-list.js';
import { parseGexf, type ParseGEXFOptions } from '../io/gexf.js';
import { parseGraphml, type ParseGraphmlOptions } from '../io/graphml.js';
import { textOf } from '../io/text.js';
import { checkPlannedSize } from '../size.js';

/**
 * The bytes of a text file the loaders read whole, after checking its size: more than one string
 * can hold, or than the memory budget allows for the bytes and their text, is a `GraphSizeError`.
 */
function readBytes(path: string, maxBytes?: number): Uint8Array {
  const size = statSync(path).size;
  const field = `${path} (${size} bytes)`;
  if (size > constants.MAX_STRING_LENGTH) {
    throw new GraphSizeError(
      `${path} is ${size} bytes, more than the ${constants.MAX_STRING_LENGTH} characters a JavaScript string holds; split the file`,
      field,
      size,
      constants.MAX_STRING_LENGTH,
    );
  }
  checkPlannedSize(
    'read',
    field,
    [
      { what: 'the bytes', elements: size, bytesPerElement: 1 },
      { what: 'their text', elements: size, bytesPerElement: 2 },
    ],
    maxBytes,
  );
  return readFileSync(path);
}

/**
 * A text file's contents: strict UTF-8 (a BOM dropped), its size checked first. Bytes that are not
 * text (a NUL, invalid UTF-8, UTF-16) are a `BinaryInputError` with the offset of the first bad byte.
 */
export function readTextFile(path: string, maxBytes?: number): string {
  return textOf(readBytes(path, maxBytes), path);
}

/** `parseGexf` on a UTF-8 file; errors name the path. @example readGexf('data/les-miserables.gexf') */
export function readGexf(path: string, options: Omit<ParseGEXFOptions, 'fileName'> = {}): AnyGraph {
  return parseGexf(readBytes(path), { ...options, fileName: path });
}

/** `parseGraphml` on a UTF-8 file; errors name the path. @example readGraphml('data/network.graphml') */
export function readGraphml(path: string, options: Omit<ParseGraphmlOptions, 'fileName'> = {}): AnyGraph {
  return parseGraphml(readBytes(path), { ...options, fileName: path });
}

/** `parseEdgeList` on a UTF-8 file; errors name the path and line. @example readEdgeList('data/karate.csv', { header: true }) */
export function readEdgeList(path: string, options: Omit<ParseEdgeListOptions, 'fileName'> = {}): AnyGraph {
  return parseEdgeList(readBytes(path), { ...options, fileName: path });
}

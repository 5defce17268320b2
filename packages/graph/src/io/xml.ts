// Ambient types, which other packages compiling this source need too: a triple-slash reference.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- types of graphology's parser modules
/// <reference path="./graphology-parsers.d.ts" />
/**
 * Internal: XML documents for graphology's GEXF and GraphML parsers, with errors that name the
 * line. The parsers check that the document is an `instanceof` the `Document` they were made with,
 * so both are made here from graphology's parser factories and one `@xmldom/xmldom`, the same in
 * Node and in browsers (so errors and line numbers do not depend on the runtime).
 */
import { DOMParser } from '@xmldom/xmldom';
import createGexfParser from 'graphology-gexf/common/parser.js';
import createGraphmlParser from 'graphology-graphml/common/parser.js';
import { GraphParseError } from '../errors.js';
import type { AnyGraph, GraphConstructor } from '../graphology.js';

/** The slice of xmldom's DOM the checks here use. */
export interface XMLElementLike {
  nodeName: string;
  lineNumber?: number;
  getElementsByTagName(name: string): ArrayLike<XMLElementLike>;
}

export interface XMLDocumentLike {
  documentElement: XMLElementLike | null;
}

type GraphParser = (Graph: GraphConstructor, source: XMLDocumentLike, options: Record<string, unknown>) => AnyGraph;
let parsers: { gexf: GraphParser; graphml: GraphParser } | null = null;

/** graphology's GEXF and GraphML parsers over this module's xmldom, made on first use. */
export function xmlParsers(): { gexf: GraphParser; graphml: GraphParser } {
  if (parsers === null) {
    const Document = new DOMParser().parseFromString('<t/>', 'application/xml').constructor;
    parsers = {
      gexf: createGexfParser(DOMParser, Document) as GraphParser,
      graphml: createGraphmlParser(DOMParser, Document) as GraphParser,
    };
  }
  return parsers;
}

/** `@#[line:3,col:7]` in xmldom's messages → 3. */
function lineOf(message: string): number | null {
  const match = /\[line:(\d+),col:/.exec(message);
  const line = match ? Number(match[1]) : NaN;
  return Number.isInteger(line) && line > 0 ? line : null;
}

/**
 * Parses `text` strictly: any warning or error of the XML parser (unclosed tags, bad attributes,
 * several roots) is a `GraphParseError` with its line, and so is a root element other than
 * `rootName` or a document without a `<graph>` element.
 */
export function parseXml(text: string, file: string, rootName: string): XMLDocumentLike {
  const problems: string[] = [];
  const record = (message: string): void => {
    problems.push(message);
  };
  let document: XMLDocumentLike | undefined;
  try {
    document = new DOMParser({ locator: {}, errorHandler: { warning: record, error: record, fatalError: record } }).parseFromString(
      text,
      'application/xml',
    );
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (problems.length > 0) {
    const first = problems[0]!;
    const reason = first
      .replace(/^\[xmldom \w+\]\s*/, '')
      .replace(/\s*@#\[line:.*$/s, '')
      .trim();
    throw new GraphParseError(`malformed XML: ${reason || 'empty document'}`, file, lineOf(first));
  }
  const root = document?.documentElement ?? null;
  if (root === null) throw new GraphParseError(`no XML element found; expected a <${rootName}> document`, file, 1);
  if (root.nodeName.replace(/^.*:/, '') !== rootName) {
    throw new GraphParseError(`the root element is <${root.nodeName}>, expected <${rootName}>`, file, root.lineNumber ?? null);
  }
  if (root.getElementsByTagName('graph').length === 0) {
    throw new GraphParseError(`<${rootName}> holds no <graph> element`, file, root.lineNumber ?? null);
  }
  return document!;
}

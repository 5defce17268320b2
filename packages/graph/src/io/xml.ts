// Ambient types, which other packages compiling this source need too: a triple-slash reference.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- types of graphology's parser modules
/// <reference path="./graphology-parsers.d.ts" />
/**
 * Internal: XML documents for graphology's GEXF and GraphML parsers, with errors that name the
 * line. The parsers check that the document is an `instanceof` the `Document` they were made with,
 * so both are made here from graphology's parser factories and one `@xmldom/xmldom`, the same in
 * Node and in browsers (so errors and line numbers do not depend on the runtime). xmldom accepts
 * much that is not well-formed (text after the root, a bare `&` or `<` in an attribute, control
 * characters, an unclosed CDATA section), so saxes, a conformant XML 1.0 parser that reports the
 * line and column, checks the document first.
 */
import { DOMParser } from '@xmldom/xmldom';
import { SaxesParser } from 'saxes';
import createGexfParser from 'graphology-gexf/common/parser.js';
import createGraphmlParser from 'graphology-graphml/common/parser.js';
import { GraphParseError } from '../errors.js';
import type { AnyGraph, GraphConstructor } from '../graphology.js';

/** The slice of xmldom's DOM the checks here use. */
export interface XMLElementLike {
  nodeName: string;
  nodeType: number;
  lineNumber?: number;
  columnNumber?: number;
  textContent: string | null;
  parentNode: XMLElementLike | null;
  childNodes: ArrayLike<XMLElementLike>;
  getAttribute(name: string): string | null;
  hasAttribute(name: string): boolean;
  getElementsByTagName(name: string): ArrayLike<XMLElementLike>;
}

export interface XMLDocumentLike {
  documentElement: XMLElementLike | null;
  getElementsByTagName(name: string): ArrayLike<XMLElementLike>;
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

/** `@#[line:3,col:7]` in xmldom's messages → [3, 7]. */
function placeOf(message: string): [number | null, number | null] {
  const match = /\[line:(\d+),col:(\d+)?/.exec(message);
  const line = match ? Number(match[1]) : NaN;
  const column = match?.[2] === undefined ? NaN : Number(match[2]);
  return [Number.isInteger(line) && line > 0 ? line : null, Number.isInteger(column) && column > 0 ? column : null];
}

/** The 1-based line and column of `offset` in `text`. */
function placeAt(text: string, offset: number): [number, number] {
  let line = 1;
  let lineStart = 0;
  for (let p = text.indexOf('\n'); p !== -1 && p < offset; p = text.indexOf('\n', p + 1)) {
    line++;
    lineStart = p + 1;
  }
  return [line, offset - lineStart + 1];
}

const REFERENCE = /&(?:#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z_:][-A-Za-z0-9._:]*);/y;

/** The offset of the first '&' before `end` that starts no reference, outside comments, CDATA and PIs; or -1. */
function firstBareAmpersand(text: string, end: number): number {
  const skips: [string, string][] = [
    ['<!--', '-->'],
    ['<![CDATA[', ']]>'],
    ['<?', '?>'],
  ];
  let p = 0;
  while (p < end) {
    const amp = text.indexOf('&', p);
    const lt = text.indexOf('<', p);
    if (amp === -1 || amp >= end) return -1;
    if (lt !== -1 && lt < amp) {
      const skip = skips.find(([open]) => text.startsWith(open, lt));
      if (skip === undefined) p = lt + 1;
      else {
        const close = text.indexOf(skip[1], lt + skip[0].length);
        if (close === -1) return -1;
        p = close + skip[1].length;
      }
      continue;
    }
    REFERENCE.lastIndex = amp;
    if (!REFERENCE.test(text)) return amp;
    p = REFERENCE.lastIndex;
  }
  return -1;
}

/**
 * Throws a `GraphParseError` at the first place `text` is not well-formed XML 1.0 (its line and
 * 1-based column). Entities declared in a DTD are not expanded, so a document that uses one is
 * refused too (no GEXF or GraphML writer emits them; they are also how entity-expansion bombs work).
 */
export function checkWellFormed(text: string, file: string): void {
  const parser = new SaxesParser({ xmlns: false, position: true });
  try {
    parser.write(text).close();
  } catch (error) {
    // saxes reads a bare '&' as the start of an entity up to the next ';', and fails far later.
    const ampersand = firstBareAmpersand(text, parser.position);
    if (ampersand !== -1) {
      const [line, column] = placeAt(text, ampersand);
      throw new GraphParseError("not well-formed XML: a bare '&' (write &amp;)", file, line, column);
    }
    const reason = (error as Error).message.replace(/^\d+:\d+: /, '').replace(/\.$/, '');
    const found = text.codePointAt(Math.max(0, parser.position - 1));
    const printable = found !== undefined && parser.position > 0 && found > 0x20 && found !== 0x7f;
    const shown = /character/.test(reason)
      ? printable
        ? ` '${String.fromCodePoint(found)}'`
        : ` U+${(found ?? 0).toString(16).padStart(4, '0')}`
      : '';
    // saxes counts columns from 0 at the next character to read: the 1-based column of the last one read.
    if (/outside of root/.test(reason)) {
      // saxes reports stray text where it ends; point at where it starts, after the last tag.
      const after = text.lastIndexOf('>', parser.position - 1) + 1;
      const start = text.slice(after, parser.position).search(/\S/);
      if (start !== -1) throw new GraphParseError(`not well-formed XML: ${reason}`, file, ...placeAt(text, after + start));
    }
    throw new GraphParseError(`not well-formed XML: ${reason}${shown}`, file, parser.line, Math.max(1, parser.column));
  }
}

/**
 * Parses `text` strictly: XML that is not well-formed, and any warning or error of the DOM parser,
 * is a `GraphParseError` with its line and column, and so is a root element other than `rootName`
 * or a document without a `<graph>` element.
 */
export function parseXml(text: string, file: string, rootName: string): XMLDocumentLike {
  checkWellFormed(text, file);
  const problems: string[] = [];
  const record = (message: string): void => {
    problems.push(message);
  };
  let document: XMLDocumentLike | undefined;
  try {
    document = new DOMParser({ locator: {}, errorHandler: { warning: record, error: record, fatalError: record } }).parseFromString(
      text,
      'application/xml',
    ) as unknown as XMLDocumentLike;
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (problems.length > 0) {
    const first = problems[0]!;
    const reason = first
      .replace(/^\[xmldom \w+\]\s*/, '')
      .replace(/\s*@#\[line:.*$/s, '')
      .trim();
    throw new GraphParseError(`malformed XML: ${reason || 'empty document'}`, file, ...placeOf(first));
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

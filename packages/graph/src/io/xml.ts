/**
 * Internal: XML documents for graphology's GEXF and GraphML parsers, with errors that name the
 * line. The parsers accept a ready `Document` but only one made by their own `@xmldom/xmldom`
 * (they check `instanceof`), so the DOM parser is loaded from where each of them resolves it.
 */
import { createRequire } from 'node:module';
import { GraphParseError } from '../errors.js';

/** The slice of xmldom's DOM the checks here use. */
export interface XmlElement {
  nodeName: string;
  lineNumber?: number;
  getElementsByTagName(name: string): ArrayLike<XmlElement>;
}

export interface XmlDocument {
  documentElement: XmlElement | null;
}

interface DomParserConstructor {
  new (options: {
    locator: object;
    errorHandler: { warning(message: string): void; error(message: string): void; fatalError(message: string): void };
  }): { parseFromString(source: string, mimeType: string): XmlDocument | undefined };
}

const requireHere = createRequire(import.meta.url);
const parsers = new Map<string, DomParserConstructor>();

function domParserOf(owner: 'graphology-gexf' | 'graphology-graphml'): DomParserConstructor {
  let parser = parsers.get(owner);
  if (parser === undefined) {
    const requireFromOwner = createRequire(requireHere.resolve(`${owner}/node/index.js`));
    parser = (requireFromOwner('@xmldom/xmldom') as { DOMParser: DomParserConstructor }).DOMParser;
    parsers.set(owner, parser);
  }
  return parser;
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
export function parseXml(text: string, file: string, owner: 'graphology-gexf' | 'graphology-graphml', rootName: string): XmlDocument {
  const problems: string[] = [];
  const record = (message: string): void => {
    problems.push(message);
  };
  const DOMParser = domParserOf(owner);
  let document: XmlDocument | undefined;
  try {
    document = new DOMParser({ locator: {}, errorHandler: { warning: record, error: record, fatalError: record } }).parseFromString(text, 'application/xml');
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (problems.length > 0) {
    const first = problems[0]!;
    const reason = first.replace(/^\[xmldom \w+\]\s*/, '').replace(/\s*@#\[line:.*$/s, '').trim();
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

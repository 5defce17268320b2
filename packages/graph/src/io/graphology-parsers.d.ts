// Types for the parts of graphology-gexf and graphology-graphml used directly (they ship types only
// for their entry points): the parser factories that take a DOM implementation, and GEXF's writer.
declare module 'graphology-gexf/common/parser.js' {
  function createParserFunction(DOMParser: unknown, Document: unknown): unknown;
  export = createParserFunction;
}

declare module 'graphology-graphml/common/parser.js' {
  function createParserFunction(DOMParser: unknown, Document: unknown): unknown;
  export = createParserFunction;
}

declare module 'graphology-gexf/common/writer.js' {
  import type { AbstractGraph } from 'graphology-types';
  function write(graph: AbstractGraph, options?: { version?: '1.2' | '1.3'; pretty?: boolean; encoding?: string }): string;
  export = write;
}

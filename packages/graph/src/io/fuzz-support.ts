/**
 * What the property tests of the graph loaders share (tests only): the outcome of one case (a value
 * or a typed error; anything else, or a slow case, fails the test), mutations of valid files, and the
 * invariants every loaded graph or dataset must hold.
 */
import { TensorloomError } from '@tensorloom/core-tensor';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import type { GraphDataset } from '../dataset.js';
import { toEdgeIndex } from '../edge-index.js';
import type { AnyGraph } from '../graphology.js';

/**
 * `describe` for the property suites: they run once per CI run, in the js-backend pass. Parsing does
 * not depend on the backend, so the wasm pass (`test:wasm`) skips them rather than doubling the time.
 */
export function describeFuzz(name: string, body: () => void): void {
  describe.skipIf(process.env.TENSORLOOM_BACKEND === 'wasm')(name, body);
}

/** A case that takes longer than this has hung, as far as the tests go (a load here is a few ms). */
export const CASE_LIMIT_MS = 2000;

/**
 * fast-check's parameters with `numRuns` explicit; a run cut off by the time limit fails (it would
 * otherwise pass quietly with fewer cases). fast-check picks the seed and prints it on failure.
 */
export function runs(numRuns: number): { numRuns: number; interruptAfterTimeLimit: number; markInterruptAsFailure: boolean } {
  return { numRuns, interruptAfterTimeLimit: 60_000, markInterruptAsFailure: true };
}

/** The outcome of one load: its value, or the typed error it ended in. Any other throw propagates. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: TensorloomError };

/** Runs `load`, failing on an untyped error (TypeError, RangeError…) or a case slower than `CASE_LIMIT_MS`. */
export function outcome<T>(load: () => T): Outcome<T> {
  const started = performance.now();
  let result: Outcome<T>;
  try {
    result = { ok: true, value: load() };
  } catch (error) {
    if (!(error instanceof TensorloomError)) throw error;
    result = { ok: false, error };
  }
  expect(performance.now() - started, 'one case took too long').toBeLessThan(CASE_LIMIT_MS);
  return result;
}

/** The typed error of an outcome that must have failed. */
export function failure<T>(result: Outcome<T>): TensorloomError {
  if (result.ok) expect.fail('expected a typed error, the load succeeded');
  return result.error;
}

/** Numbers a careless or hostile file holds where a small count or id belongs. */
export const NASTY_NUMBERS = [
  '',
  '-1',
  '-0',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e400',
  '1e12',
  '2147483648',
  '4294967297',
  '99999999999999999999',
  '9007199254740993',
  '1.5',
  '0x10',
  'abc',
  '1,2',
] as const;

/** One edit of a text: what, two positions (taken modulo the length) and a token to put in. */
export interface Mutation {
  kind: 'truncate' | 'delete' | 'insert' | 'duplicate-line' | 'delete-line' | 'swap-lines' | 'number' | 'flip';
  at: number;
  to: number;
  token: string;
}

/** Mutations that insert `tokens` (the format's own syntax) or nasty numbers, or cut and repeat pieces. */
export function mutationArbitrary(tokens: readonly string[]): fc.Arbitrary<Mutation> {
  return fc.record({
    kind: fc.constantFrom('truncate', 'delete', 'insert', 'duplicate-line', 'delete-line', 'swap-lines', 'number', 'flip'),
    at: fc.nat(),
    to: fc.nat(),
    token: fc.oneof(fc.constantFrom(...tokens), fc.constantFrom(...NASTY_NUMBERS), fc.string({ maxLength: 4 })),
  });
}

/** `text` with one mutation applied. */
export function mutate(text: string, m: Mutation): string {
  const n = text.length;
  const at = n === 0 ? 0 : m.at % (n + 1);
  const to = n === 0 ? 0 : m.to % (n + 1);
  const [from, until] = at <= to ? [at, to] : [to, at];
  const lines = text.split('\n');
  const line = lines.length === 0 ? 0 : m.at % lines.length;
  const other = lines.length === 0 ? 0 : m.to % lines.length;
  switch (m.kind) {
    case 'truncate':
      return text.slice(0, at);
    case 'delete':
      return text.slice(0, from) + text.slice(Math.min(until, from + 16));
    case 'insert':
      return text.slice(0, at) + m.token + text.slice(at);
    case 'duplicate-line':
      return [...lines.slice(0, line + 1), lines[line]!, ...lines.slice(line + 1)].join('\n');
    case 'delete-line':
      return [...lines.slice(0, line), ...lines.slice(line + 1)].join('\n');
    case 'swap-lines': {
      const swapped = [...lines];
      [swapped[line], swapped[other]] = [swapped[other]!, swapped[line]!];
      return swapped.join('\n');
    }
    case 'number': {
      // Replace the k-th number of the text (k from `at`) with the token.
      const numbers = [...text.matchAll(/-?\d+(?:\.\d+)?(?:e[-+]?\d+)?/gi)];
      if (numbers.length === 0) return text + m.token;
      const hit = numbers[m.at % numbers.length]!;
      return text.slice(0, hit.index) + m.token + text.slice(hit.index + hit[0].length);
    }
    case 'flip': {
      // Swap one character for another printable one (XML and CSV syntax lives in single characters).
      const code = 0x20 + (m.to % 0x5f);
      return text.slice(0, at) + String.fromCharCode(code) + text.slice(at + 1);
    }
  }
}

/** `text` after 1–3 mutations. */
export function mutatedText(valid: fc.Arbitrary<string>, tokens: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(valid, fc.array(mutationArbitrary(tokens), { minLength: 1, maxLength: 3 }))
    .map(([text, mutations]) => mutations.reduce(mutate, text));
}

/** The UTF-8 bytes of a valid text with a NUL or a byte that is never valid UTF-8 put in at `position`. */
export function binaryArbitrary(valid: fc.Arbitrary<string>): fc.Arbitrary<{ bytes: Uint8Array; position: number }> {
  return fc.tuple(valid, fc.nat(), fc.constantFrom(0x00, 0xff, 0xfe, 0xc0, 0xf8, 0x80)).map(([text, at, bad]) => {
    const encoded = new TextEncoder().encode(text);
    const position = at % (encoded.length + 1);
    const bytes = new Uint8Array(encoded.length + 1);
    bytes.set(encoded.subarray(0, position), 0);
    bytes[position] = bad;
    bytes.set(encoded.subarray(position), position + 1);
    return { bytes, position };
  });
}

/** Inputs that are not the format at all: random bytes, random text, or nothing. */
export const garbageArbitrary: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.string({ maxLength: 64 }),
  fc.string({ unit: 'binary', maxLength: 32 }),
  fc.constant(''),
);

/**
 * What a loaded graph must hold: edges between its own nodes, and weights that are finite or refused
 * with a typed error by `toEdgeIndex` (a GraphML file may declare its `weight` a string).
 */
export function expectSoundGraph(graph: AnyGraph, weightAttribute = 'weight'): void {
  // float64: a weight a file may hold (1e197) but float32 cannot is toEdgeIndex's typed error, not the loader's.
  const weighted = outcome(() => toEdgeIndex(graph, { weightAttribute, dtype: 'float64' }));
  const { edgeIndex, edgeWeight } = weighted.ok ? weighted.value : toEdgeIndex(graph);
  const ids = edgeIndex.data;
  for (let i = 0; i < ids.length; i++) {
    if (!(Number.isInteger(ids[i]) && ids[i]! >= 0 && ids[i]! < graph.order)) expect.fail(`edge index ${ids[i]} of ${graph.order} nodes`);
  }
  for (const w of edgeWeight?.data ?? []) if (!Number.isFinite(w)) expect.fail(`edge weight ${w}`);
}

/** What a loaded dataset must hold: consistent counts, edges in range, integer labels, a clean split, finite features. */
export function expectSoundDataset(data: GraphDataset): void {
  const n = data.numNodes;
  expect(Number.isInteger(n) && n >= 0).toBe(true);
  expect([data.y.shape, data.x.shape[0], data.index.size]).toEqual([[n], n, n]);
  for (const id of data.edgeIndex.data) if (!(Number.isInteger(id) && id >= 0 && id < n)) expect.fail(`edge index ${id} of ${n} nodes`);
  for (const label of data.y.data) {
    if (!(Number.isInteger(label) && label >= -1 && label < data.numClasses)) expect.fail(`label ${label} of ${data.numClasses} classes`);
  }
  const seen = new Set<number>();
  for (const part of [data.trainIndex, data.valIndex, data.testIndex]) {
    for (const row of part.data) {
      if (!(Number.isInteger(row) && row >= 0 && row < n) || seen.has(row)) expect.fail(`split row ${row} of ${n} (or repeated)`);
      seen.add(row);
    }
  }
  for (const v of data.x.data) if (!Number.isFinite(v)) expect.fail(`feature ${v}`);
}

/** A small attributed graph for the XML formats: ids that need escaping, optional clubs, ages and display names. */
export interface GraphSpec {
  ids: string[];
  clubs: (string | null)[];
  ages: (number | null)[];
  names: (string | null)[];
  edges: [number, number, number | null][];
  directed: boolean;
}

const xmlId = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_.-]{1,5}$/),
  fc.constantFrom('a&b', '<x>', 'q"uote', "it's", 'é', ' sp ace', '0', 'Constructor', '🙂'),
);

export const graphSpecArbitrary: fc.Arbitrary<GraphSpec> = fc
  .tuple(fc.uniqueArray(xmlId, { maxLength: 8 }), fc.boolean())
  .chain(([ids, directed]) => {
    const n = ids.length;
    const pair = (e: [number, number, unknown]) => (directed ? `${e[0]},${e[1]}` : `${Math.min(e[0], e[1])},${Math.max(e[0], e[1])}`);
    const weight = fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((w) => w + 0));
    return fc.record({
      ids: fc.constant(ids),
      clubs: fc.array(fc.option(fc.constantFrom('red', 'blue', 'green & gold')), { minLength: n, maxLength: n }),
      ages: fc.array(fc.option(fc.integer({ min: -5, max: 200 })), { minLength: n, maxLength: n }),
      names: fc.array(fc.option(fc.constantFrom('Alice', 'Bob', 'Zoë <admin>')), { minLength: n, maxLength: n }),
      edges:
        n === 0
          ? fc.constant([] as [number, number, number | null][])
          : fc.uniqueArray(fc.tuple(fc.nat(n - 1), fc.nat(n - 1), weight), { maxLength: 10, selector: pair }),
      directed: fc.constant(directed),
    });
  });

/** `&`, `<`, `>`, `"`, `'` escaped for XML text and attribute values. */
export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** XML syntax and values the mutations put into GEXF and GraphML documents. */
export const XML_TOKENS = [
  '<',
  '>',
  '&',
  '"',
  "'",
  '=',
  '/>',
  '</node>',
  '<node id="z"/>',
  '<edge source="z" target="y"/>',
  ']]>',
  '<!--',
  '-->',
  '<![CDATA[',
  '&amp;',
  '&#0;',
  '&#x110000;',
  '&unknown;',
  '<?xml version="1.0"?>',
  '<!DOCTYPE g [<!ENTITY e "x">]>',
  'weight="NaN"',
  'weight="1e999"',
  'type="integer"',
  'xmlns:x="y"',
  '<x:y/>',
  'id="__proto__"',
  'id="constructor"',
  '<attvalue for="1" value="old"/>',
  '<attvalue for="9" value="x"/>',
  '<data key="w">heavy</data>',
  '<data key="zz">x</data>',
  'for="edge"',
  'attr.type="complex"',
  'edgedefault="sideways"',
  'defaultedgetype="mutual"',
  '\u0001',
  '\uFFFE',
];

/** A parsed XML graph against the spec it was written from: the same nodes, edges, weights and attributes. */
export function expectGraphOf(graph: AnyGraph, spec: GraphSpec): void {
  expect(new Set(graph.nodes())).toEqual(new Set(spec.ids));
  expect(graph.size).toBe(spec.edges.length);
  spec.ids.forEach((id, i) => {
    const attributes = graph.getNodeAttributes(id);
    expect(attributes.club).toBe(spec.clubs[i] ?? undefined);
    expect(attributes.age).toBe(spec.ages[i] ?? undefined);
  });
  for (const [s, t, w] of spec.edges) {
    const [source, target] = [spec.ids[s]!, spec.ids[t]!];
    const edge = spec.directed ? graph.directedEdge(source, target) : graph.undirectedEdge(source, target);
    expect(edge, `${source} → ${target}`).toBeDefined();
    if (w !== null) expect(graph.getEdgeAttribute(edge!, 'weight')).toBe(w);
  }
  expectSoundGraph(graph);
}

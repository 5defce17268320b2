/**
 * What the property tests of `loadCheckpoint` share (tests only): a real small checkpoint's files,
 * mutations of JSON files and safetensors files, a directory that holds one mutated checkpoint at a
 * time, and the check that a load ends well or in a typed error (with no untyped error hidden as
 * its cause).
 */
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TensorloomError, getBackend, type Backend } from '@tensorloom/core-tensor';
import fc from 'fast-check';

export type Files = Record<string, Uint8Array>;
type Path = (string | number)[];

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Every path into a JSON value (the root included), at most `limit`. */
export function jsonPaths(value: unknown, limit = 400): Path[] {
  const out: Path[] = [];
  const visit = (node: unknown, path: Path): void => {
    if (out.length >= limit) return;
    out.push(path);
    if (Array.isArray(node)) node.forEach((item, i) => visit(item, [...path, i]));
    else if (typeof node === 'object' && node !== null) for (const [key, item] of Object.entries(node)) visit(item, [...path, key]);
  };
  visit(value, []);
  return out;
}

/** `root` with the value at `path` replaced (or deleted when `value` is `DELETE`), changed in place. */
export function withValueAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value === DELETE ? null : value;
  const copy = root as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === DELETE) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else {
    Object.defineProperty(node, last, { value, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

export const DELETE = Symbol('delete');
/** Stands for a deeply nested value, spliced into the JSON text after stringifying (JSON.stringify could not print it). */
const DEEP = '\u0000deep\u0000';

/** Values a hostile file puts anywhere: sizes far beyond the file, non-integers, wrong types, deep nesting. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(0, -1, 0.5, 1e8, 100_000_000, 2 ** 31, 2 ** 32, 2 ** 53, 1e308, -0, '', 'float16', true, null, [], {}),
  fc.integer({ min: -2, max: 70_000 }),
  fc.double(),
  fc.jsonValue({ maxDepth: 3 }),
  fc.array(fc.integer(), { maxLength: 6 }),
  fc.constant(DEEP),
);

function deepText(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

/** JSON text of `value`, with any `DEEP` string replaced by an array nested 100,000 deep. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value).split(JSON.stringify(DEEP)).join(deepText(100_000));
}

/** A mutation of one JSON file's bytes. */
export const jsonMutation = fc.oneof(
  fc.record({ kind: fc.constant('value' as const), pick: fc.nat(), value: hostileValue }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('token' as const),
    pick: fc.nat(),
    token: fc.constantFrom('NaN', 'Infinity', '1e999', '-1e999', '-0', '1e400'),
  }),
  fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 64 }) }),
);

export function mutateJson(bytes: Uint8Array, mutation: JsonMutation): Uint8Array {
  const text = decoder.decode(bytes);
  switch (mutation.kind) {
    case 'value':
    case 'delete': {
      try {
        const value = JSON.parse(text) as unknown;
        const paths = jsonPaths(value);
        const path = paths[mutation.pick % paths.length]!;
        return encoder.encode(jsonText(withValueAt(value, path, mutation.kind === 'delete' ? DELETE : mutation.value)));
      } catch {
        // an earlier mutation left it unparsable, or nested deeper than JSON.stringify can print back
        return bytes;
      }
    }
    case 'cut':
      return bytes.slice(0, Math.floor(mutation.at * bytes.length));
    case 'flip': {
      const out = bytes.slice();
      if (out.length > 0) out[mutation.at % out.length] = mutation.byte;
      return out;
    }
    case 'token': {
      const numbers = [...text.matchAll(/-?\d+(\.\d+)?(e-?\d+)?/g)];
      if (numbers.length === 0) return bytes;
      const match = numbers[mutation.pick % numbers.length]!;
      return encoder.encode(text.slice(0, match.index) + mutation.token + text.slice(match.index + match[0].length));
    }
    case 'bytes':
      return mutation.bytes;
  }
}

export type JsonMutation = typeof jsonMutation extends fc.Arbitrary<infer T> ? T : never;

/** A mutation of one safetensors file: its header's JSON (re-framed), or its bytes. */
export const safetensorsMutation = fc.oneof(
  fc.record({ kind: fc.constant('header' as const), inner: jsonMutation }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({
    kind: fc.constant('flips' as const),
    flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
  }),
  fc.record({ kind: fc.constant('length' as const), length: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }),
);
export type SafetensorsMutation = typeof safetensorsMutation extends fc.Arbitrary<infer T> ? T : never;

export function mutateSafetensors(bytes: Uint8Array, mutation: SafetensorsMutation): Uint8Array {
  if (bytes.length < 8) return bytes; // already cut short by an earlier mutation
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Math.min(Number(view.getBigUint64(0, true)), bytes.length - 8);
  switch (mutation.kind) {
    case 'header': {
      const header = mutateJson(bytes.subarray(8, 8 + headerLength), mutation.inner);
      const out = new Uint8Array(8 + header.length + bytes.length - 8 - headerLength);
      new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
      out.set(header, 8);
      out.set(bytes.subarray(8 + headerLength), 8 + header.length);
      return out;
    }
    case 'cut':
      return bytes.slice(0, Math.floor(mutation.at * bytes.length));
    case 'flips': {
      const out = bytes.slice();
      for (const [at, byte] of mutation.flips) out[at % out.length] = byte;
      return out;
    }
    case 'length': {
      const out = bytes.slice();
      new DataView(out.buffer).setBigUint64(0, mutation.length, true);
      return out;
    }
  }
}

/** A folder holding one checkpoint at a time: `write(files)` rewrites only what differs from the last write. */
export function checkpointFolder(dir: string) {
  let current: Files = {};
  return {
    dir,
    write(files: Files): void {
      for (const name of Object.keys(current)) if (!(name in files)) rmSync(join(dir, name), { force: true });
      for (const [name, bytes] of Object.entries(files)) if (current[name] !== bytes) writeFileSync(join(dir, name), bytes);
      current = { ...files };
    },
  };
}

/** Throws unless `error` is typed, and so is every error of its `cause` chain (a wrapped TypeError is still a crash). */
export function expectTypedChain(error: unknown): void {
  for (let e: unknown = error; e !== undefined; e = (e as { cause?: unknown }).cause) {
    if (!(e instanceof TensorloomError)) {
      const shown = e instanceof Error ? `${e.name}: ${e.message.slice(0, 300)}` : String(e);
      throw new Error(`an untyped error escaped the loader${e === error ? '' : ' (as the cause of a typed one)'}: ${shown}`, { cause: e });
    }
  }
}

/**
 * Fails any allocation through the backend larger than `limit()` bytes (with a plain Error, which
 * `expectTypedChain` does not accept): the proof that nothing is sized by a file's claim.
 */
export function guardAllocations(limit: () => number): () => void {
  const backend = getBackend() as Backend & { alloc: Backend['alloc'] };
  const original = backend.alloc;
  backend.alloc = (dtype, size) => {
    const bytes = size * (dtype === 'float64' ? 8 : 4);
    if (bytes > limit()) throw new Error(`allocation of ${bytes} bytes, more than the ${limit()} the files can justify`);
    return original.call(backend, dtype, size);
  };
  return () => {
    backend.alloc = original;
  };
}

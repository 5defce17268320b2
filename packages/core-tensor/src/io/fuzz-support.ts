/**
 * What the property tests of the safetensors reader share (tests only): valid files of every
 * dtype built by hand, and a guard on the backend's allocator that fails any allocation larger
 * than the bytes a file really holds can justify.
 */
import fc from 'fast-check';
import { getBackend } from '../backend/registry.js';
import type { Backend } from '../backend/backend.js';
import { SAFETENSORS_DTYPES } from './safetensors-dtypes.js';

export const DTYPES = Object.keys(SAFETENSORS_DTYPES);

/** One tensor of a hand-made file. */
export interface TensorSpec {
  name: string;
  dtype: string;
  shape: number[];
}

/** A file's parts before framing: the header object and the byte buffer. */
export interface FileParts {
  header: Record<string, unknown>;
  buffer: Uint8Array;
}

export const itemSize = (dtype: string): number => SAFETENSORS_DTYPES[dtype]!.itemSize;
const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Bytes from a seed (xorshift32): random tensor contents without generating them element by element. */
function noise(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** The header and buffer of a valid file holding `specs`, laid out in the buffer in the order listed. */
export function buildParts(specs: readonly TensorSpec[], seed: number, metadata?: Record<string, string>): FileParts {
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) header.__metadata__ = metadata;
  let offset = 0;
  for (const spec of specs) {
    const bytes = sizeOf(spec.shape) * itemSize(spec.dtype);
    Object.defineProperty(header, spec.name, {
      value: { dtype: spec.dtype, shape: spec.shape, data_offsets: [offset, offset + bytes] },
      enumerable: true,
      writable: true,
      configurable: true,
    });
    offset += bytes;
  }
  return { header, buffer: noise(offset, seed) };
}

/** Frames a header (object or raw text) and a buffer: u64 length, header, buffer. `length` overrides the prefix. */
export function frame(header: unknown, buffer: Uint8Array, length?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + buffer.length);
  new DataView(out.buffer).setBigUint64(0, length ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(buffer, 8 + json.length);
  return out;
}

/** Distinct tensor names, dtypes of every kind and small shapes (some empty, some 0-d). */
export const specsArbitrary: fc.Arbitrary<TensorSpec[]> = fc
  .uniqueArray(
    fc.record({
      name: fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.constantFrom('weight', '__proto__', 'constructor', 'é.bias')),
      dtype: fc.constantFrom(...DTYPES),
      shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
    }),
    { minLength: 1, maxLength: 4, selector: (spec) => spec.name, comparator: 'SameValue' },
  )
  .map((specs) => specs.filter((spec) => spec.name !== '__metadata__'));

/**
 * Fails (with a plain Error, which the properties do not accept) any allocation through the
 * backend larger than `limit()` bytes: the proof that no tensor is sized by a file's claim.
 * Returns the function that removes the guard.
 */
export function guardAllocations(limit: () => number): () => void {
  const backend = getBackend() as Backend & { alloc: Backend['alloc'] };
  const original = backend.alloc;
  backend.alloc = (dtype, size) => {
    const bytes = size * (dtype === 'float64' ? 8 : 4);
    if (bytes > limit()) throw new Error(`allocation of ${bytes} bytes, more than the ${limit()} the file can justify`);
    return original.call(backend, dtype, size);
  };
  return () => {
    backend.alloc = original;
  };
}

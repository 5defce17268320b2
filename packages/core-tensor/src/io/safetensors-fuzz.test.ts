/**
 * Property tests of `parseSafetensors` against any bytes: random files, truncations at every kind
 * of cut point, mutated headers and frames, flipped bytes. Every case must end in a correct load or
 * a `SafetensorsError` (never a TypeError, RangeError or SyntaxError escaping), and no tensor may be
 * allocated larger than the file's real bytes justify (`guardAllocations`). The runs add up to
 * about 5,000 generated cases, plus every cut point of one file of every dtype.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TensorloomError } from '../errors.js';
import { Tensor } from '../tensor.js';
import {
  SafetensorsBoundsError,
  SafetensorsError,
  SafetensorsHeaderError,
  SafetensorsLayoutError,
  SafetensorsRangeError,
} from './errors.js';
import { DTYPES, buildParts, frame, guardAllocations, itemSize, specsArbitrary, type FileParts, type TensorSpec } from './fuzz-support.js';
import { parseSafetensors } from './safetensors.js';

// A narrow dtype widens to int32 on reading (U8: ×4); nothing else may be allocated beyond the file.
let allocationLimit = Number.POSITIVE_INFINITY;
let removeGuard: () => void = () => undefined;
beforeAll(() => {
  removeGuard = guardAllocations(() => allocationLimit);
});
afterAll(() => removeGuard());

/** Parses under the allocation guard: 'loaded' or the SafetensorsError; anything else fails the property. */
function attempt(
  bytes: Uint8Array,
): { loaded: true; tensors: ReturnType<typeof parseSafetensors>['tensors'] } | { loaded: false; error: Error } {
  allocationLimit = 4 * bytes.length;
  try {
    return { loaded: true, tensors: parseSafetensors(bytes).tensors };
  } catch (error) {
    if (error instanceof SafetensorsError && error instanceof TensorloomError) return { loaded: false, error };
    throw error;
  } finally {
    allocationLimit = Number.POSITIVE_INFINITY;
  }
}

/** The index after the bracket that closes the one at `at` (a bracket inside a name only makes another malformed header). */
function closing(json: string, at: number): number {
  let depth = 0;
  for (let i = at; i < json.length; i++) {
    if (json[i] === '{' || json[i] === '[') depth++;
    else if (json[i] === '}' || json[i] === ']') depth--;
    if (depth === 0) return i + 1;
  }
  return json.length;
}

const fileOf = (parts: FileParts): Uint8Array => frame(parts.header, parts.buffer);
const validFile = fc.tuple(specsArbitrary, fc.integer()).map(([specs, seed]) => ({ specs, parts: buildParts(specs, seed) }));
const RANGED = new Set(['I64', 'U64', 'U32']); // random contents may not fit int32: a SafetensorsRangeError

/** Numbers a hostile header puts where a size goes. */
const hostileNumber = fc.oneof(
  fc.constantFrom(-1, 0.5, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 64, 1e308, -0, Number.MAX_VALUE),
  fc.integer({ min: -3, max: 70 }),
  fc.double(),
);
const hostileValue = fc.oneof(fc.jsonValue(), fc.array(hostileNumber, { maxLength: 4 }), hostileNumber);

describe('parseSafetensors holds against any bytes (property tests)', () => {
  it('random bytes, bare and behind a plausible length prefix, are rejected with a SafetensorsError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(attempt(bytes).loaded).toBe(false);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.nat(80), fc.uint8Array({ maxLength: 200 }), (length, rest) => {
        attempt(frame(new TextDecoder().decode(rest), new Uint8Array(0), BigInt(length)));
      }),
      { numRuns: 1000 },
    );
  });

  it('random header text (JSON of any shape, or not JSON) ends in a load or a SafetensorsError', () => {
    const text = fc.oneof(
      fc.json(),
      fc.string({ unit: 'binary' }),
      fc.jsonValue().map((v) => `{"t":${JSON.stringify(v)}}`),
    );
    fc.assert(
      fc.property(text, fc.uint8Array({ maxLength: 64 }), (header, buffer) => {
        attempt(frame(header, buffer));
      }),
      { numRuns: 1000 },
    );
  });

  it('valid files of every dtype load with the shapes they declare', () => {
    fc.assert(
      fc.property(validFile, ({ specs, parts }) => {
        const result = attempt(fileOf(parts));
        if (!result.loaded) {
          // only an integer too wide for int32 in random contents may refuse a valid file
          expect(result.error).toBeInstanceOf(SafetensorsRangeError);
          expect(specs.some((s) => RANGED.has(s.dtype))).toBe(true);
          return;
        }
        for (const spec of specs) expect(result.tensors[spec.name]!.shape).toEqual(spec.shape);
      }),
      { numRuns: 500 },
    );
  });

  it('a file cut short anywhere is rejected: in the length prefix, the header, at its end, in a tensor, at a boundary', () => {
    const cuts = validFile.chain(({ parts }) => {
      const file = fileOf(parts);
      const headerEnd = file.length - parts.buffer.length;
      const boundaries = Object.values(parts.header).map((e) => headerEnd + (e as { data_offsets: number[] }).data_offsets[0]!);
      const inside = (lo: number, hi: number) => fc.integer({ min: lo, max: Math.max(lo, hi) });
      const cut = fc.oneof(
        inside(0, 7),
        inside(8, headerEnd - 1),
        fc.constant(headerEnd),
        inside(headerEnd, file.length - 1),
        fc.constantFrom(...boundaries),
      );
      return fc.tuple(fc.constant(file), cut);
    });
    fc.assert(
      fc.property(cuts, ([file, cut]) => {
        fc.pre(cut < file.length);
        expect(attempt(file.subarray(0, cut)).loaded).toBe(false);
      }),
      { numRuns: 800 },
    );
  });

  it('every cut point of a file holding every dtype is rejected', () => {
    const specs: TensorSpec[] = DTYPES.map((dtype, i) => ({ name: `t${i}`, dtype, shape: i % 3 === 0 ? [] : [2, i % 4] }));
    const parts = buildParts(specs, 1, { format: 'pt' });
    parts.buffer.fill(0); // zeros: in range for I64, U64 and U32 too
    const file = fileOf(parts);
    expect(attempt(file).loaded).toBe(true);
    expect(file.length).toBeGreaterThan(400);
    for (let cut = 0; cut < file.length; cut++) expect(attempt(file.subarray(0, cut)).loaded).toBe(false);
  });

  it('mutated header entries (dtype, shape, data_offsets, metadata, names) end in a load or a SafetensorsError', () => {
    const field = fc.constantFrom('dtype', 'shape', 'data_offsets', 'entry', 'delete', 'metadata', 'rename', 'add');
    fc.assert(
      fc.property(validFile, field, fc.nat(), hostileValue, fc.constantFrom(...DTYPES), ({ parts }, kind, pick, value, dtype) => {
        const header = structuredClone(parts.header);
        const names = Object.keys(header);
        const name = names[pick % names.length]!;
        const entry = header[name] as Record<string, unknown>;
        if (kind === 'dtype') entry.dtype = pick % 2 === 0 ? dtype : value;
        else if (kind === 'shape' || kind === 'data_offsets') entry[kind] = value;
        else if (kind === 'entry') header[name] = value;
        else if (kind === 'delete') delete entry[['dtype', 'shape', 'data_offsets'][pick % 3]!];
        else if (kind === 'metadata') header.__metadata__ = value;
        else if (kind === 'rename') {
          header[['__metadata__', '', 'x'.repeat(300)][pick % 3]!] = entry;
          delete header[name];
        } else header[`extra${pick}`] = { dtype, shape: value, data_offsets: value };
        attempt(frame(header, parts.buffer));
      }),
      { numRuns: 2500 },
    );
  });

  it('overlapping data_offsets are rejected', () => {
    const twoTensors = fc.tuple(fc.constantFrom(...DTYPES), fc.integer({ min: 1, max: 6 }), fc.nat(), fc.integer());
    fc.assert(
      fc.property(twoTensors, ([dtype, n, shift, seed]) => {
        const parts = buildParts(
          [
            { name: 'a', dtype, shape: [n] },
            { name: 'b', dtype, shape: [n] },
          ],
          seed,
        );
        const bytes = n * itemSize(dtype);
        const begin = shift % bytes; // b starts inside a
        (parts.header.b as { data_offsets: number[] }).data_offsets = [begin, begin + bytes];
        const result = attempt(fileOf(parts));
        expect(result.loaded).toBe(false);
        if (!result.loaded) expect(result.error).toBeInstanceOf(SafetensorsLayoutError);
      }),
      { numRuns: 300 },
    );
  });

  it('a wrong header length in the frame (up to 2⁶⁴ − 1) is rejected without reading past the file', () => {
    fc.assert(
      fc.property(validFile, fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), ({ parts }, length) => {
        const json = JSON.stringify(parts.header);
        fc.pre(length !== BigInt(new TextEncoder().encode(json).length));
        const result = attempt(frame(json, parts.buffer, length));
        expect(result.loaded).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('non-finite and out-of-range numbers written into the header text end in a load or a SafetensorsError', () => {
    const token = fc.constantFrom(
      'NaN',
      'Infinity',
      '-Infinity',
      '1e999',
      '-1e999',
      '-0',
      '1e-999',
      '9007199254740993',
      '0x10',
      '1.',
      '01',
    );
    fc.assert(
      fc.property(validFile, token, fc.nat(), ({ parts }, replacement, pick) => {
        const json = JSON.stringify(parts.header);
        const numbers = [...json.matchAll(/-?\d+(\.\d+)?/g)];
        fc.pre(numbers.length > 0);
        const match = numbers[pick % numbers.length]!;
        const text = json.slice(0, match.index) + replacement + json.slice(match.index + match[0].length);
        attempt(frame(text, parts.buffer));
      }),
      { numRuns: 600 },
    );
  });

  it('any value of the header replaced by deeply nested arrays or objects ends in a load or a SafetensorsError', () => {
    const nested = fc
      .tuple(fc.integer({ min: 1, max: 60_000 }), fc.boolean())
      .map(([depth, object]) => (object ? '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) : '['.repeat(depth) + ']'.repeat(depth)));
    fc.assert(
      fc.property(validFile, nested, fc.nat(), ({ parts }, value, pick) => {
        const json = JSON.stringify(parts.header);
        const values = [...json.matchAll(/:(\{|\[|"[^"]*"|-?\d+)/g)];
        const match = values[pick % values.length]!;
        const at = match.index + 1;
        const end = match[1] === '{' || match[1] === '[' ? closing(json, at) : at + match[1]!.length;
        attempt(frame(json.slice(0, at) + value + json.slice(end), parts.buffer));
      }),
      { numRuns: 200 },
    );
  });

  it('flipped bytes anywhere in a valid file end in a load or a SafetensorsError', () => {
    const flips = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(validFile, flips, ({ parts }, changes) => {
        const file = fileOf(parts);
        for (const [at, value] of changes) file[at % file.length] = value;
        attempt(file);
      }),
      { numRuns: 1000 },
    );
  });

  it('a shape or span claiming more than the file holds fails fast, allocating nothing', () => {
    const claim = fc.tuple(fc.constantFrom(...DTYPES), fc.array(fc.integer({ min: 1, max: 2 ** 40 }), { minLength: 1, maxLength: 3 }));
    fc.assert(
      fc.property(claim, fc.boolean(), ([dtype, shape], spanMatches) => {
        const bytes = shape.reduce((a, b) => a * b, 1) * itemSize(dtype);
        fc.pre(bytes > 64);
        const end = spanMatches ? bytes : 64;
        const file = frame({ t: { dtype, shape, data_offsets: [0, end] } }, new Uint8Array(64));
        const start = performance.now();
        const result = attempt(file);
        expect(performance.now() - start).toBeLessThan(100);
        expect(result.loaded).toBe(false);
        if (!result.loaded) expect(result.error).toBeInstanceOf(SafetensorsBoundsError);
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseSafetensors bounds (examples)', () => {
  it('runs under an armed allocation guard (a tensor larger than the limit cannot be made)', () => {
    allocationLimit = 63;
    try {
      expect(() => Tensor.empty([16], 'float32')).toThrow(/allocation of 64 bytes/);
    } finally {
      allocationLimit = Number.POSITIVE_INFINITY;
    }
    expect(Tensor.empty([16], 'float32').size).toBe(16);
  });

  it('rejects tensors that would take more than maxTensorBytes once read, naming the bytes, before allocating', () => {
    const file = fileOf(buildParts([{ name: 'mask', dtype: 'U8', shape: [100] }], 3));
    expect(parseSafetensors(file, { maxTensorBytes: 400 }).tensors.mask!.size).toBe(100);
    allocationLimit = 0; // nothing may be allocated
    try {
      expect(() => parseSafetensors(file, { maxTensorBytes: 399 })).toThrow(SafetensorsBoundsError);
      expect(() => parseSafetensors(file, { maxTensorBytes: 399 })).toThrow(/400 bytes/);
    } finally {
      allocationLimit = Number.POSITIVE_INFINITY;
    }
  });

  it('rejects a header nested deeper than JSON.stringify can print back, with a SafetensorsError', () => {
    const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    for (const text of [
      `{"t":{"dtype":"F32","shape":${deep(200_000)},"data_offsets":[0,0]}}`,
      `{"t":{"dtype":${deep(200_000)},"shape":[],"data_offsets":[0,4]}}`,
      `{"__metadata__":${deep(200_000)}}`,
      `{"t":${deep(200_000)}}`,
    ]) {
      const result = attempt(frame(text, new Uint8Array(4)));
      expect(result.loaded).toBe(false);
    }
  });

  it('rejects a header length above maxHeaderBytes before decoding it', () => {
    const file = frame('{}', new Uint8Array(0), 2n ** 63n);
    expect(() => parseSafetensors(file)).toThrow(SafetensorsHeaderError);
  });
});

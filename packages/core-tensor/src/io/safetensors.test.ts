import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TensorloomError } from '../errors.js';
import { Tensor } from '../tensor.js';
import {
  SafetensorsBoundsError,
  SafetensorsDTypeError,
  SafetensorsError,
  SafetensorsHeaderError,
  SafetensorsLayoutError,
  SafetensorsMetadataError,
  SafetensorsShapeError,
} from './errors.js';
import { parseSafetensors, serializeSafetensors } from './safetensors.js';
import { headerOf, rawFile } from './test-support.js';

const float32FromBits = (bits: number[], shape: number[]): Tensor =>
  new Tensor(new Float32Array(new Uint32Array(bits).buffer), shape, 'float32');
const float64FromBits = (bits: bigint[], shape: number[]): Tensor =>
  new Tensor(new Float64Array(new BigUint64Array(bits).buffer), shape, 'float64');
const bits32 = (t: Tensor): number[] => [...new Uint32Array(t.data.buffer, t.data.byteOffset, t.size)];
const bits64 = (t: Tensor): bigint[] => [...new BigUint64Array(t.data.buffer, t.data.byteOffset, t.size)];

const f32Entry = (shape: number[], begin: number, end: number) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });

describe('serializeSafetensors / parseSafetensors round trip', () => {
  it('keeps float32 bits exactly: NaN payloads, −0, subnormals, infinities', () => {
    const bits = [0x7fc00001, 0xffc12345, 0x7f800001, 0x80000000, 0x00000001, 0x007fffff, 0x7f800000, 0xff800000, 0x3f800000];
    const { tensors } = parseSafetensors(serializeSafetensors({ x: float32FromBits(bits, [3, 3]) }));
    expect(tensors.x!.dtype).toBe('float32');
    expect(tensors.x!.shape).toEqual([3, 3]);
    expect(bits32(tensors.x!)).toEqual(bits);
  });

  it('keeps float64 bits exactly: NaN payloads, −0, subnormals, infinities', () => {
    const bits = [
      0x7ff8000000000001n,
      0xfff0000000abcdefn,
      0x7ff0000000000001n,
      0x8000000000000000n,
      1n,
      0x000fffffffffffffn,
      0x7ff0000000000000n,
      0x3ff0000000000000n,
    ];
    const { tensors } = parseSafetensors(serializeSafetensors({ y: float64FromBits(bits, [2, 4]) }));
    expect(tensors.y!.dtype).toBe('float64');
    expect(bits64(tensors.y!)).toEqual(bits);
  });

  it('keeps int32 values including the extremes', () => {
    const values = [-2147483648, -1, 0, 1, 2147483647, 42];
    const { tensors } = parseSafetensors(serializeSafetensors({ i: new Tensor(new Int32Array(values), [2, 3], 'int32') }));
    expect(tensors.i!.dtype).toBe('int32');
    expect([...tensors.i!.data]).toEqual(values);
  });

  it('round-trips empty tensors and 0-d tensors of every dtype', () => {
    const input = {
      empty1: new Tensor(new Float32Array(0), [0], 'float32'),
      empty3: new Tensor(new Float64Array(0), [2, 0, 3], 'float64'),
      emptyInt: new Tensor(new Int32Array(0), [0, 5], 'int32'),
      s32: new Tensor(new Float32Array([2.5]), [], 'float32'),
      s64: new Tensor(new Float64Array([-Math.PI]), [], 'float64'),
      sInt: new Tensor(new Int32Array([-7]), [], 'int32'),
    };
    const { tensors } = parseSafetensors(serializeSafetensors(input));
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(input).sort());
    for (const [name, t] of Object.entries(input)) {
      expect(tensors[name]!.dtype).toBe(t.dtype);
      expect(tensors[name]!.shape).toEqual(t.shape);
      expect([...tensors[name]!.data]).toEqual([...t.data]);
    }
  });

  it('round-trips a file with no tensors', () => {
    const bytes = serializeSafetensors({});
    expect(headerOf(bytes).json).toEqual({});
    expect(parseSafetensors(bytes)).toEqual({ tensors: {}, metadata: {} });
  });

  it('round-trips string metadata, including non-ASCII text', () => {
    const metadata = { format: 'pt', note: 'π ≈ 3.14159 🙂', empty: '', quote: '"\\\n' };
    const result = parseSafetensors(serializeSafetensors({ a: new Tensor(new Float32Array([1]), [1], 'float32') }, { metadata }));
    expect(result.metadata).toEqual(metadata);
  });

  it('omits __metadata__ when no metadata is given and reads it back as {}', () => {
    const bytes = serializeSafetensors({ a: new Tensor(new Float32Array([1]), [1], 'float32') });
    expect(Object.keys(headerOf(bytes).json)).toEqual(['a']);
    expect(parseSafetensors(bytes).metadata).toEqual({});
  });

  it('keeps awkward names such as __proto__ and non-ASCII as own keys', () => {
    const input: Record<string, Tensor> = {};
    Object.defineProperty(input, '__proto__', { value: new Tensor(new Float32Array([3]), [1], 'float32'), enumerable: true });
    input['0.weight'] = new Tensor(new Float32Array([4]), [1], 'float32');
    input['λ.bias'] = new Tensor(new Float32Array([5]), [1], 'float32');
    const { tensors } = parseSafetensors(serializeSafetensors(input));
    expect(Object.hasOwn(tensors, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(tensors)).toBe(Object.prototype);
    expect(tensors['__proto__']!.data[0]).toBe(3);
    expect(tensors['0.weight']!.data[0]).toBe(4);
    expect(tensors['λ.bias']!.data[0]).toBe(5);
  });

  it('copies the data: the tensors do not alias the input bytes', () => {
    const bytes = serializeSafetensors({ a: new Tensor(new Float32Array([1, 2]), [2], 'float32') });
    const { tensors } = parseSafetensors(bytes);
    bytes.fill(0, bytes.length - 8);
    expect([...tensors.a!.data]).toEqual([1, 2]);
  });

  it('reads from an ArrayBuffer and from a Uint8Array at a nonzero, unaligned offset', () => {
    const bytes = serializeSafetensors({ d: new Tensor(new Float64Array([1.25, -2]), [2], 'float64') });
    expect([...parseSafetensors(bytes.slice().buffer).tensors.d!.data]).toEqual([1.25, -2]);
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect([...parseSafetensors(shifted.subarray(3)).tensors.d!.data]).toEqual([1.25, -2]);
  });
});

describe('serializeSafetensors layout', () => {
  const input = {
    b32: new Tensor(new Float32Array([1, 2, 3]), [3], 'float32'),
    a32: new Tensor(new Float32Array([4]), [1], 'float32'),
    int: new Tensor(new Int32Array([5, 6]), [2], 'int32'),
    z64: new Tensor(new Float64Array([7]), [1], 'float64'),
    a64: new Tensor(new Float64Array([8, 9]), [2], 'float64'),
  };

  it('pads the JSON header with spaces to a multiple of 8 bytes', () => {
    for (let n = 0; n < 9; n++) {
      const name = 'x'.repeat(n + 1);
      const bytes = serializeSafetensors({ [name]: new Tensor(new Float32Array([1]), [1], 'float32') }, { metadata: { k: 'v'.repeat(n) } });
      const { length, text } = headerOf(bytes);
      expect(length % 8).toBe(0);
      expect(text.startsWith('{')).toBe(true);
      expect(text.trimEnd().endsWith('}')).toBe(true);
      expect(/^ *$/.test(text.slice(text.lastIndexOf('}') + 1))).toBe(true);
      expect(bytes.length).toBe(8 + length + 4);
    }
  });

  it('lays out F64 tensors first, then F32, then I32, each group by name, with tight offsets', () => {
    const { json } = headerOf(serializeSafetensors(input, { metadata: { m: '1' } }));
    expect(Object.keys(json)).toEqual(['__metadata__', 'a64', 'z64', 'a32', 'b32', 'int']);
    expect(json.a64).toEqual({ dtype: 'F64', shape: [2], data_offsets: [0, 16] });
    expect(json.z64).toEqual({ dtype: 'F64', shape: [1], data_offsets: [16, 24] });
    expect(json.a32).toEqual({ dtype: 'F32', shape: [1], data_offsets: [24, 28] });
    expect(json.b32).toEqual({ dtype: 'F32', shape: [3], data_offsets: [28, 40] });
    expect(json.int).toEqual({ dtype: 'I32', shape: [2], data_offsets: [40, 48] });
  });

  it('does not depend on the insertion order of the record', () => {
    const reversed = Object.fromEntries(Object.entries(input).reverse());
    expect(serializeSafetensors(reversed)).toEqual(serializeSafetensors(input));
  });
});

describe('parseSafetensors validation', () => {
  const good = { a: f32Entry([2], 0, 8) };
  const eightBytes = new Uint8Array(8);

  it('accepts a well-formed hand-made file with padding and metadata', () => {
    const json = JSON.stringify({ __metadata__: { k: 'v' }, ...good });
    const { tensors, metadata } = parseSafetensors(rawFile(json + '   ', new Uint8Array(new Float32Array([1, 2]).buffer)));
    expect([...tensors.a!.data]).toEqual([1, 2]);
    expect(metadata).toEqual({ k: 'v' });
  });

  it('rejects a file shorter than 8 bytes with SafetensorsHeaderError', () => {
    expect(() => parseSafetensors(new Uint8Array(7))).toThrow(SafetensorsHeaderError);
    expect(() => parseSafetensors(new Uint8Array(0))).toThrow(SafetensorsHeaderError);
  });

  it('rejects a header length that runs past the end of the file', () => {
    const bytes = rawFile(good, eightBytes);
    new DataView(bytes.buffer).setUint32(0, bytes.length, true);
    expect(() => parseSafetensors(bytes)).toThrow(SafetensorsHeaderError);
    new DataView(bytes.buffer).setUint32(4, 1, true); // beyond 4 GiB
    expect(() => parseSafetensors(bytes)).toThrow(SafetensorsHeaderError);
  });

  it('rejects a header above maxHeaderBytes (default 100 MB)', () => {
    const bytes = rawFile(good, eightBytes);
    const length = headerOf(bytes).length;
    expect(() => parseSafetensors(bytes, { maxHeaderBytes: length - 1 })).toThrow(SafetensorsHeaderError);
    expect(parseSafetensors(bytes, { maxHeaderBytes: length }).tensors.a!.shape).toEqual([2]);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setUint32(0, 100_000_001, true);
    expect(() => parseSafetensors(huge)).toThrow(/exceeds the limit/);
  });

  it('rejects a header that is not UTF-8', () => {
    const rawHeader = new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]); // {"\xff":1}
    expect(() => parseSafetensors(rawFile(null, [], { rawHeader }))).toThrow(SafetensorsHeaderError);
  });

  it('rejects a header that is not JSON, or does not start with "{"', () => {
    expect(() => parseSafetensors(rawFile('{"a": '))).toThrow(SafetensorsHeaderError);
    expect(() => parseSafetensors(rawFile(' {}'))).toThrow(SafetensorsHeaderError);
    expect(() => parseSafetensors(rawFile('\ufeff{}'))).toThrow(SafetensorsHeaderError);
  });

  it('rejects a header that is not a JSON object', () => {
    expect(() => parseSafetensors(rawFile('[1, 2]'))).toThrow(SafetensorsHeaderError);
    expect(() => parseSafetensors(rawFile('null'))).toThrow(SafetensorsHeaderError);
    expect(() => parseSafetensors(rawFile('"{"'))).toThrow(SafetensorsHeaderError);
  });

  it('rejects a tensor entry that is not an object', () => {
    expect(() => parseSafetensors(rawFile({ a: [1, 2] }))).toThrow(SafetensorsHeaderError);
    expect(() => parseSafetensors(rawFile({ a: 'F32' }))).toThrow(SafetensorsHeaderError);
  });

  it('rejects unknown or missing dtypes with SafetensorsDTypeError', () => {
    for (const dtype of ['F128', 'f32', 'F8_E4M3', '', 32, undefined]) {
      expect(() => parseSafetensors(rawFile({ a: { dtype, shape: [2], data_offsets: [0, 8] } }, eightBytes))).toThrow(
        SafetensorsDTypeError,
      );
    }
  });

  it('rejects shapes that are not lists of non-negative integers with SafetensorsShapeError', () => {
    for (const shape of [[-1], [1.5], ['2'], 2, null, undefined, [2, null], [2 ** 60]]) {
      expect(() => parseSafetensors(rawFile({ a: { dtype: 'F32', shape, data_offsets: [0, 8] } }, eightBytes))).toThrow(
        SafetensorsShapeError,
      );
    }
  });

  it('rejects data_offsets that are not two integers with begin ≤ end ≤ buffer length', () => {
    for (const offsets of [[0], [0, 8, 8], [8, 0], [0, 16], [-1, 7], [0.5, 8], ['0', '8'], null, undefined]) {
      expect(() => parseSafetensors(rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: offsets } }, eightBytes))).toThrow(
        SafetensorsBoundsError,
      );
    }
  });

  it('rejects a byte span other than product(shape) · itemsize with SafetensorsBoundsError', () => {
    expect(() => parseSafetensors(rawFile({ a: f32Entry([3], 0, 8) }, eightBytes))).toThrow(SafetensorsBoundsError);
    expect(() => parseSafetensors(rawFile({ a: { dtype: 'F64', shape: [2], data_offsets: [0, 8] } }, eightBytes))).toThrow(
      SafetensorsBoundsError,
    );
    expect(() => parseSafetensors(rawFile({ a: f32Entry([2 ** 40, 2 ** 20], 0, 8) }, eightBytes))).toThrow(SafetensorsBoundsError);
  });

  it('rejects overlapping tensors with SafetensorsLayoutError', () => {
    expect(() => parseSafetensors(rawFile({ a: f32Entry([2], 0, 8), b: f32Entry([1], 4, 8) }, eightBytes))).toThrow(SafetensorsLayoutError);
    expect(() => parseSafetensors(rawFile({ a: f32Entry([2], 0, 8), b: f32Entry([2], 0, 8) }, eightBytes))).toThrow(SafetensorsLayoutError);
    expect(() => parseSafetensors(rawFile({ a: f32Entry([2], 0, 8), b: f32Entry([0], 4, 4) }, eightBytes))).toThrow(SafetensorsLayoutError);
  });

  it('rejects a hole between tensors or bytes after the last one with SafetensorsLayoutError', () => {
    const twelve = new Uint8Array(12);
    expect(() => parseSafetensors(rawFile({ a: f32Entry([1], 0, 4), b: f32Entry([1], 8, 12) }, twelve))).toThrow(SafetensorsLayoutError);
    expect(() => parseSafetensors(rawFile({ a: f32Entry([1], 4, 8) }, eightBytes))).toThrow(SafetensorsLayoutError);
    expect(() => parseSafetensors(rawFile({ a: f32Entry([1], 0, 4) }, eightBytes))).toThrow(SafetensorsLayoutError);
    expect(() => parseSafetensors(rawFile({}, eightBytes))).toThrow(SafetensorsLayoutError);
  });

  it('accepts tensors listed in any order, with empty tensors between them', () => {
    const buffer = new Uint8Array(new Float32Array([1, 2, 3]).buffer);
    const header = { c: f32Entry([1], 8, 12), e: f32Entry([0, 4], 8, 8), a: f32Entry([2], 0, 8) };
    const { tensors } = parseSafetensors(rawFile(header, buffer));
    expect([...tensors.a!.data]).toEqual([1, 2]);
    expect([...tensors.c!.data]).toEqual([3]);
    expect(tensors.e!.shape).toEqual([0, 4]);
  });

  it('rejects __metadata__ that is not an object of strings with SafetensorsMetadataError', () => {
    for (const metadata of [{ k: 1 }, { k: null }, { k: { nested: 'x' } }, ['a'], 'text', null]) {
      expect(() => parseSafetensors(rawFile({ __metadata__: metadata, ...good }, eightBytes))).toThrow(SafetensorsMetadataError);
    }
  });

  it('gives errors that are SafetensorsError and TensorloomError', () => {
    let caught: unknown;
    try {
      parseSafetensors(new Uint8Array(3));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SafetensorsError);
    expect(caught).toBeInstanceOf(TensorloomError);
    expect((caught as Error).name).toBe('SafetensorsHeaderError');
  });
});

describe('serializeSafetensors validation', () => {
  const one = new Tensor(new Float32Array([1]), [1], 'float32');

  it('rejects non-string metadata values with SafetensorsMetadataError', () => {
    expect(() => serializeSafetensors({ one }, { metadata: { epoch: 3 as unknown as string } })).toThrow(SafetensorsMetadataError);
    expect(() => serializeSafetensors({ one }, { metadata: 'x' as unknown as Record<string, string> })).toThrow(SafetensorsMetadataError);
  });

  it('rejects a tensor named __metadata__ with SafetensorsHeaderError', () => {
    expect(() => serializeSafetensors({ __metadata__: one })).toThrow(SafetensorsHeaderError);
  });

  it('rejects a value that is not a Tensor with SafetensorsError', () => {
    expect(() => serializeSafetensors({ a: [1, 2] as unknown as Tensor })).toThrow(SafetensorsError);
  });
});

describe('reading files written by PyTorch (test/fixtures/make_fixtures.py)', () => {
  interface Expected {
    dtype: string;
    shape: number[];
    bits?: string[];
    float32_bits?: string[];
    values?: number[];
  }
  const bytes = readFileSync(new URL('../../test/fixtures/io_sample.safetensors', import.meta.url));
  const { tensors, metadata } = parseSafetensors(bytes);
  const expected = JSON.parse(metadata.expected!) as Record<string, Expected>;
  const targetDType: Record<string, string> = {
    F32: 'float32',
    F64: 'float64',
    F16: 'float32',
    BF16: 'float32',
    I64: 'int32',
    I32: 'int32',
    U8: 'int32',
    BOOL: 'int32',
  };

  it('reads the metadata and every tensor the script wrote', () => {
    expect(metadata.format).toBe('pt');
    expect(metadata.producer).toBe('make_fixtures.py');
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(expected).sort());
    expect(Object.keys(expected)).toEqual(
      expect.arrayContaining(['f32', 'f64', 'i64', 'i32', 'u8', 'bool', 'f16', 'bf16', 'scalar_f64', 'empty_f32']),
    );
  });

  it.each(Object.keys(expected))('reads tensor %s with its dtype, shape and exact values', (name) => {
    const e = expected[name]!;
    const t = tensors[name]!;
    expect(t.dtype).toBe(targetDType[e.dtype]);
    expect(t.shape).toEqual(e.shape);
    if (e.values) expect([...t.data]).toEqual(e.values);
    else if (e.dtype === 'F64') expect(bits64(t)).toEqual(e.bits!.map((h) => BigInt(`0x${h}`)));
    else expect(bits32(t)).toEqual((e.float32_bits ?? e.bits)!.map((h) => Number.parseInt(h, 16)));
  });

  it('writes back what it read from PyTorch and reads the same values again', () => {
    const again = parseSafetensors(serializeSafetensors(tensors, { metadata })).tensors;
    for (const [name, t] of Object.entries(tensors)) {
      expect(again[name]!.dtype).toBe(t.dtype);
      expect(again[name]!.shape).toEqual(t.shape);
      expect(new Uint8Array(again[name]!.data.buffer, again[name]!.data.byteOffset, again[name]!.data.byteLength)).toEqual(
        new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
      );
    }
  });
});

import { describe, expect, it } from 'vitest';

import { Tensor } from '../tensor.js';
import { SafetensorsDTypeError, SafetensorsError, SafetensorsRangeError } from './errors.js';
import { parseSafetensors, serializeSafetensors } from './safetensors.js';
import { headerOf, rawFile } from './test-support.js';
import { halfToFloatBits } from './safetensors-dtypes.js';

describe('parseSafetensors dtype conversions', () => {
  function fileOf(dtype: string, shape: number[], bytes: number[] | Uint8Array): Uint8Array {
    return rawFile({ t: { dtype, shape, data_offsets: [0, bytes.length] } }, bytes);
  }
  const le = (array: ArrayBufferView): Uint8Array => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);

  it('reads I64 into int32 when every value fits', () => {
    const { tensors } = parseSafetensors(fileOf('I64', [4], le(new BigInt64Array([0n, -1n, 2147483647n, -2147483648n]))));
    expect(tensors.t!.dtype).toBe('int32');
    expect([...tensors.t!.data]).toEqual([0, -1, 2147483647, -2147483648]);
  });

  it('rejects I64 values outside int32 with SafetensorsRangeError', () => {
    expect(() => parseSafetensors(fileOf('I64', [2], le(new BigInt64Array([1n, 2147483648n]))))).toThrow(SafetensorsRangeError);
    expect(() => parseSafetensors(fileOf('I64', [1], le(new BigInt64Array([-2147483649n]))))).toThrow(SafetensorsRangeError);
    expect(() => parseSafetensors(fileOf('I64', [1], le(new BigInt64Array([1n << 40n]))))).toThrow(SafetensorsRangeError);
  });

  it('reads U64 and U32 into int32 and rejects values above 2^31 − 1', () => {
    expect([...parseSafetensors(fileOf('U64', [2], le(new BigUint64Array([0n, 2147483647n])))).tensors.t!.data]).toEqual([0, 2147483647]);
    expect(() => parseSafetensors(fileOf('U64', [1], le(new BigUint64Array([2147483648n]))))).toThrow(SafetensorsRangeError);
    expect(() => parseSafetensors(fileOf('U64', [1], le(new BigUint64Array([1n << 32n]))))).toThrow(SafetensorsRangeError);
    expect([...parseSafetensors(fileOf('U32', [2], le(new Uint32Array([7, 2147483647])))).tensors.t!.data]).toEqual([7, 2147483647]);
    expect(() => parseSafetensors(fileOf('U32', [1], le(new Uint32Array([4294967295]))))).toThrow(SafetensorsRangeError);
  });

  it('reads U8, I8, U16, I16 into int32', () => {
    expect([...parseSafetensors(fileOf('U8', [3], [0, 128, 255])).tensors.t!.data]).toEqual([0, 128, 255]);
    expect([...parseSafetensors(fileOf('I8', [3], [0, 128, 255])).tensors.t!.data]).toEqual([0, -128, -1]);
    expect([...parseSafetensors(fileOf('U16', [2], le(new Uint16Array([65535, 3])))).tensors.t!.data]).toEqual([65535, 3]);
    expect([...parseSafetensors(fileOf('I16', [2], le(new Int16Array([-32768, 3])))).tensors.t!.data]).toEqual([-32768, 3]);
  });

  it('reads BOOL into int32 0/1 (any nonzero byte is true)', () => {
    const t = parseSafetensors(fileOf('BOOL', [2, 2], [1, 0, 0, 2])).tensors.t!;
    expect(t.dtype).toBe('int32');
    expect(t.shape).toEqual([2, 2]);
    expect([...t.data]).toEqual([1, 0, 0, 1]);
  });

  it('widens F16 to float32 exactly (normals, subnormals, ±0, infinities, NaN)', () => {
    const halves = [0x3c00, 0xc100, 0x7bff, 0x0001, 0x03ff, 0x8000, 0x7c00, 0xfc00, 0x7e00];
    const t = parseSafetensors(fileOf('F16', [9], le(new Uint16Array(halves)))).tensors.t!;
    expect(t.dtype).toBe('float32');
    expect([...t.data].slice(0, 8)).toEqual([1, -2.5, 65504, 2 ** -24, 1023 * 2 ** -24, -0, Infinity, -Infinity]);
    expect(Object.is(t.data[5], -0)).toBe(true);
    expect(Number.isNaN(t.data[8])).toBe(true);
  });

  it('converts every one of the 65536 float16 bit patterns to the value the format defines', () => {
    const out = new Float32Array(1);
    const outBits = new Uint32Array(out.buffer);
    for (let h = 0; h < 0x10000; h++) {
      outBits[0] = halfToFloatBits(h);
      const sign = h & 0x8000 ? -1 : 1;
      const exponent = (h >> 10) & 0x1f;
      const mantissa = h & 0x3ff;
      const expected =
        exponent === 0
          ? sign * mantissa * 2 ** -24
          : exponent === 31
            ? mantissa
              ? NaN
              : sign * Infinity
            : sign * 2 ** (exponent - 15) * (1 + mantissa / 1024);
      if (!Object.is(out[0], expected)) expect.fail(`half 0x${h.toString(16)}: got ${out[0]}, expected ${expected}`);
    }
  });

  it('widens BF16 to float32 exactly', () => {
    const t = parseSafetensors(fileOf('BF16', [4], le(new Uint16Array([0x3f80, 0xc020, 0x0001, 0xff80])))).tensors.t!;
    expect(t.dtype).toBe('float32');
    expect([...t.data]).toEqual([1, -2.5, new Float32Array(new Uint32Array([0x00010000]).buffer)[0], -Infinity]);
  });
});

describe('serializeSafetensors with other integer dtypes (options.dtypes)', () => {
  const int32 = (values: number[]) => new Tensor(Int32Array.from(values), [values.length], 'int32');
  const le = (array: ArrayBufferView): number[] => [...new Uint8Array(array.buffer, array.byteOffset, array.byteLength)];

  it('writes int32 tensors as I64, I16, U16, I8 and U8 bytes that read back to the same values', () => {
    const tensors = {
      wide: int32([-2147483648, 0, 2147483647]),
      short: int32([-32768, 32767]),
      ushort: int32([0, 65535]),
      byte: int32([-128, 127]),
      ubyte: int32([0, 255]),
    };
    const dtypes = { wide: 'I64', short: 'I16', ushort: 'U16', byte: 'I8', ubyte: 'U8' } as const;
    const bytes = serializeSafetensors(tensors, { dtypes });
    const { json, length } = headerOf(bytes);
    expect(Object.fromEntries(Object.entries(json).map(([name, entry]) => [name, (entry as { dtype: string }).dtype]))).toEqual(dtypes);
    const buffer = [...bytes.subarray(8 + length)];
    const spans = Object.fromEntries(
      Object.entries(json).map(([name, entry]) => [name, (entry as { data_offsets: [number, number] }).data_offsets]),
    );
    const slice = (name: string) => buffer.slice(spans[name]![0], spans[name]![1]);
    expect(slice('wide')).toEqual(le(new BigInt64Array([-2147483648n, 0n, 2147483647n])));
    expect(slice('short')).toEqual(le(new Int16Array([-32768, 32767])));
    expect(slice('ushort')).toEqual(le(new Uint16Array([0, 65535])));
    expect(slice('byte')).toEqual(le(new Int8Array([-128, 127])));
    expect(slice('ubyte')).toEqual([0, 255]);
    const { tensors: back } = parseSafetensors(bytes);
    for (const [name, tensor] of Object.entries(tensors)) expect([...back[name]!.data]).toEqual([...tensor.data]);
  });

  it('orders the buffer widest first (I64, F64, F32, I32, U16, I16, I8, U8) so every tensor is aligned', () => {
    const f64 = new Tensor(new Float64Array([1]), [1], 'float64');
    const f32 = new Tensor(new Float32Array([1]), [1], 'float32');
    const bytes = serializeSafetensors(
      { u8: int32([1]), i8: int32([1]), i16: int32([1]), u16: int32([1]), i32: int32([1]), f32, f64, i64: int32([1]) },
      { dtypes: { u8: 'U8', i8: 'I8', i16: 'I16', u16: 'U16', i64: 'I64' } },
    );
    const { json } = headerOf(bytes);
    expect(Object.keys(json)).toEqual(['i64', 'f64', 'f32', 'i32', 'u16', 'i16', 'i8', 'u8']);
    for (const entry of Object.values(json) as { dtype: string; data_offsets: [number, number] }[]) {
      const size = { I64: 8, F64: 8, F32: 4, I32: 4, U16: 2, I16: 2, I8: 1, U8: 1 }[entry.dtype]!;
      expect(entry.data_offsets[0] % size).toBe(0);
    }
  });

  it('refuses a value outside the dtype with SafetensorsRangeError, naming the tensor and the index', () => {
    expect(() => serializeSafetensors({ t: int32([0, 65536]) }, { dtypes: { t: 'U16' } })).toThrow(SafetensorsRangeError);
    expect(() => serializeSafetensors({ t: int32([-1]) }, { dtypes: { t: 'U8' } })).toThrow(/'t' holds -1 at flat index 0/);
    expect(() => serializeSafetensors({ t: int32([128]) }, { dtypes: { t: 'I8' } })).toThrow(SafetensorsRangeError);
    expect(() => serializeSafetensors({ t: int32([-32769]) }, { dtypes: { t: 'I16' } })).toThrow(SafetensorsRangeError);
  });

  it('refuses a float tensor, an unknown dtype and a name that is no tensor', () => {
    const f32 = new Tensor(new Float32Array([1]), [1], 'float32');
    expect(() => serializeSafetensors({ f32 }, { dtypes: { f32: 'I16' } })).toThrow(SafetensorsDTypeError);
    expect(() => serializeSafetensors({ t: int32([1]) }, { dtypes: { t: 'I4' as never } })).toThrow(SafetensorsDTypeError);
    expect(() => serializeSafetensors({ t: int32([1]) }, { dtypes: { other: 'I16' } })).toThrow(SafetensorsError);
  });
});

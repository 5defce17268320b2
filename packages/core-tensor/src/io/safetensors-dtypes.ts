/**
 * The element codecs of safetensors: how each file dtype is read into one of tensorloom's dtypes,
 * and how tensorloom's dtypes are written. Files are little-endian; on a little-endian host a
 * same-type read or write is a plain byte copy (bit-exact, NaN payloads included).
 */
import type { DType, TypedArray } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { SafetensorsRangeError } from './errors.js';

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A file dtype this reader understands: its element size, the tensorloom dtype it becomes, and its decoder. */
export interface SafetensorsDTypeInfo {
  readonly itemSize: number;
  readonly target: DType;
  /** Fills `out` (of `target` dtype) from the element bytes in `view`; `name` is for error messages. */
  readonly decode: (view: DataView, out: TypedArray, name: string) => void;
}

function bytesOf(array: TypedArray): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

function viewBytes(view: DataView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function outOfRange(name: string, index: number, value: bigint | number, dtype: string): never {
  throw new SafetensorsRangeError(
    `parseSafetensors: tensor '${name}' (${dtype}) holds ${value} at flat index ${index}, outside int32 [-2147483648, 2147483647]`,
  );
}

/** float16 bits → float32 bits, exact (subnormals normalised, NaN payloads kept in the high mantissa bits). */
export function halfToFloatBits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exponent = (h >> 10) & 0x1f;
  let mantissa = h & 0x3ff;
  if (exponent === 0x1f) return (sign | 0x7f800000 | (mantissa << 13)) >>> 0;
  if (exponent !== 0) return (sign | ((exponent + 112) << 23) | (mantissa << 13)) >>> 0;
  if (mantissa === 0) return sign >>> 0;
  // value = mantissa · 2^-24; shift until the implicit bit (0x400) is set, lowering the exponent.
  let biased = 113;
  while ((mantissa & 0x400) === 0) {
    mantissa <<= 1;
    biased--;
  }
  return (sign | (biased << 23) | ((mantissa & 0x3ff) << 13)) >>> 0;
}

const copyOrSwap =
  (itemSize: 4 | 8, read: (view: DataView, offset: number) => number) =>
  (view: DataView, out: TypedArray): void => {
    if (LITTLE_ENDIAN_HOST) {
      bytesOf(out).set(viewBytes(view));
      return;
    }
    for (let i = 0; i < out.length; i++) out[i] = read(view, i * itemSize);
  };

/** Every file dtype the reader takes, by its safetensors name. */
export const SAFETENSORS_DTYPES: Readonly<Record<string, SafetensorsDTypeInfo>> = {
  F64: { itemSize: 8, target: 'float64', decode: copyOrSwap(8, (v, o) => v.getFloat64(o, true)) },
  F32: { itemSize: 4, target: 'float32', decode: copyOrSwap(4, (v, o) => v.getFloat32(o, true)) },
  I32: { itemSize: 4, target: 'int32', decode: copyOrSwap(4, (v, o) => v.getInt32(o, true)) },
  F16: {
    itemSize: 2,
    target: 'float32',
    decode: (view, out) => {
      const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
      for (let i = 0; i < out.length; i++) bits[i] = halfToFloatBits(view.getUint16(2 * i, true));
    },
  },
  BF16: {
    // bfloat16 is the top half of a float32: widening is a 16-bit shift.
    itemSize: 2,
    target: 'float32',
    decode: (view, out) => {
      const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
      for (let i = 0; i < out.length; i++) bits[i] = view.getUint16(2 * i, true) << 16;
    },
  },
  I64: {
    itemSize: 8,
    target: 'int32',
    decode: (view, out, name) => {
      for (let i = 0; i < out.length; i++) {
        const low = view.getInt32(8 * i, true);
        const high = view.getInt32(8 * i + 4, true);
        // fits int32 exactly when the high word is the sign extension of the low word
        if (high !== low >> 31) outOfRange(name, i, view.getBigInt64(8 * i, true), 'I64');
        out[i] = low;
      }
    },
  },
  U64: {
    itemSize: 8,
    target: 'int32',
    decode: (view, out, name) => {
      for (let i = 0; i < out.length; i++) {
        const low = view.getUint32(8 * i, true);
        if (view.getUint32(8 * i + 4, true) !== 0 || low > 0x7fffffff) outOfRange(name, i, view.getBigUint64(8 * i, true), 'U64');
        out[i] = low;
      }
    },
  },
  U32: {
    itemSize: 4,
    target: 'int32',
    decode: (view, out, name) => {
      for (let i = 0; i < out.length; i++) {
        const value = view.getUint32(4 * i, true);
        if (value > 0x7fffffff) outOfRange(name, i, value, 'U32');
        out[i] = value;
      }
    },
  },
  I16: { itemSize: 2, target: 'int32', decode: (view, out) => fill(out, (i) => view.getInt16(2 * i, true)) },
  U16: { itemSize: 2, target: 'int32', decode: (view, out) => fill(out, (i) => view.getUint16(2 * i, true)) },
  I8: { itemSize: 1, target: 'int32', decode: (view, out) => fill(out, (i) => view.getInt8(i)) },
  U8: { itemSize: 1, target: 'int32', decode: (view, out) => fill(out, (i) => view.getUint8(i)) },
  // PyTorch stores a bool as one byte, 0 or 1; any nonzero byte reads as true.
  BOOL: { itemSize: 1, target: 'int32', decode: (view, out) => fill(out, (i) => (view.getUint8(i) === 0 ? 0 : 1)) },
};

function fill(out: TypedArray, valueAt: (index: number) => number): void {
  for (let i = 0; i < out.length; i++) out[i] = valueAt(i);
}

/** The safetensors dtype a tensorloom dtype is written as. */
export const WRITE_DTYPES: Readonly<Record<DType, 'F64' | 'F32' | 'I32'>> = { float64: 'F64', float32: 'F32', int32: 'I32' };

/**
 * Integer file dtypes an int32 tensor may be stored as instead of I32: wider for PyTorch's int64
 * indices (`edge_index`), narrower for compact files. Values outside the dtype's range are refused.
 */
export type SafetensorsIntegerDType = 'I64' | 'I16' | 'U16' | 'I8' | 'U8';

/** Element size and value range of each integer dtype an int32 tensor can be written as. */
export const INTEGER_WRITE_DTYPES: Readonly<Record<SafetensorsIntegerDType, { itemSize: number; min: number; max: number }>> = {
  I64: { itemSize: 8, min: -2147483648, max: 2147483647 },
  I16: { itemSize: 2, min: -32768, max: 32767 },
  U16: { itemSize: 2, min: 0, max: 65535 },
  I8: { itemSize: 1, min: -128, max: 127 },
  U8: { itemSize: 1, min: 0, max: 255 },
};

/** The element size of a dtype the writer produces. */
export function writeItemSize(dtype: string): number {
  if (dtype === 'F64') return 8;
  if (dtype === 'F32' || dtype === 'I32') return 4;
  return INTEGER_WRITE_DTYPES[dtype as SafetensorsIntegerDType]!.itemSize;
}

/**
 * The little-endian bytes of a tensor's storage as `dtype` (default: its own, `WRITE_DTYPES`). On a
 * little-endian host and the tensor's own dtype this is a view of the storage itself (no copy);
 * elsewhere a converted copy. Callers check the value range of a narrower dtype first.
 */
export function encodeTensor(tensor: Tensor, dtype: string = WRITE_DTYPES[tensor.dtype]): Uint8Array {
  const data = tensor.data;
  if (LITTLE_ENDIAN_HOST && dtype === WRITE_DTYPES[tensor.dtype]) return bytesOf(data);
  const itemSize = writeItemSize(dtype);
  const out = new Uint8Array(data.length * itemSize);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!;
    switch (dtype) {
      case 'F64':
        view.setFloat64(8 * i, value, true);
        break;
      case 'F32':
        view.setFloat32(4 * i, value, true);
        break;
      case 'I32':
        view.setInt32(4 * i, value, true);
        break;
      case 'I64':
        view.setBigInt64(8 * i, BigInt(value), true);
        break;
      case 'I16':
        view.setInt16(2 * i, value, true);
        break;
      case 'U16':
        view.setUint16(2 * i, value, true);
        break;
      case 'I8':
        view.setInt8(i, value);
        break;
      default:
        view.setUint8(i, value);
    }
  }
  return out;
}

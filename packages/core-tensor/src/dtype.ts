/** The element types a tensor can hold. `float64` exists for gradient checks and exact tests. */
export type DType = 'float32' | 'float64' | 'int32';
export type FloatDType = 'float32' | 'float64';
export type TypedArray = Float32Array | Float64Array | Int32Array;
export type FloatArray = Float32Array | Float64Array;

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32'];

export function isDType(value: unknown): value is DType {
  return value === 'float32' || value === 'float64' || value === 'int32';
}

export function isFloatDType(dtype: DType): dtype is FloatDType {
  return dtype === 'float32' || dtype === 'float64';
}

/** The dtype of a typed array, as the storage of a tensor. */
export function dtypeOfArray(array: TypedArray): DType {
  if (array instanceof Float32Array) return 'float32';
  if (array instanceof Float64Array) return 'float64';
  return 'int32';
}

/** A fresh zero-filled array of `size` elements (the js storage; backends may allocate elsewhere). */
export function newArray(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(size);
    case 'float64':
      return new Float64Array(size);
    case 'int32':
      return new Int32Array(size);
  }
}

/**
 * Type promotion for binary ops, as PyTorch does it for these three types:
 * float64 wins over float32, any float wins over int32.
 */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  if (a === 'float64' || b === 'float64') return 'float64';
  return 'float32';
}

/** The dtype a plain JS number takes when it meets a tensor of `dtype` (PyTorch's scalar rules). */
export function scalarResultType(dtype: DType, value: number): DType {
  if (dtype === 'int32' && !Number.isInteger(value)) return 'float32';
  return dtype;
}

/** Bytes per element. */
export function itemSize(dtype: DType): number {
  return dtype === 'float64' ? 8 : 4;
}

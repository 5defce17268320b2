import type { DType, FloatArray, TypedArray } from '../dtype.js';

/**
 * The kernel contract. Ops validate their inputs, allocate outputs through `alloc` and call these
 * kernels; gradients are written with public ops, so a new backend needs nothing but this file's
 * interface. All arrays are contiguous row-major storage unless a kernel takes explicit strides.
 * Kernels never allocate their outputs: `out` is always given (and may be assumed zero-filled only
 * where a kernel says so).
 */
export interface Backend {
  readonly name: string;

  /** Zero-filled storage of `size` elements. A wasm backend may return views of its own memory. */
  alloc(dtype: DType, size: number): TypedArray;

  // ---- elementwise --------------------------------------------------------------------------
  /**
   * `out[i] = f(x[i])`; `p0`, `p1` carry parameters (slope, alpha, min, max). Float arrays for all
   * ops; `neg`, `abs`, `sign`, `square`, `relu`, `clamp`, `addScalar`, `mulScalar` and `isnan` are
   * also called on int32 storage (int32 results wrap as C integers do).
   */
  unary(op: UnaryOp, x: TypedArray, out: TypedArray, p0?: number, p1?: number): void;
  /**
   * `out[idx] = f(a[idx·aStrides], b[idx·bStrides])` over `shape` (the broadcast output shape);
   * a stride of 0 broadcasts. `out` is contiguous. Comparisons write 0/1 into an int32 `out`.
   */
  binary(op: BinaryOp, a: TypedArray, aStrides: readonly number[], b: TypedArray, bStrides: readonly number[], out: TypedArray, shape: readonly number[]): void;
  /** `out = cond ? a : b` with broadcasting strides for each input (cond is nonzero = true). */
  where(cond: TypedArray, condStrides: readonly number[], a: TypedArray, aStrides: readonly number[], b: TypedArray, bStrides: readonly number[], out: TypedArray, shape: readonly number[]): void;

  // ---- layout ---------------------------------------------------------------------------------
  /**
   * Strided copy: for every index `idx` of `shape`,
   * `dst[dstOffset + idx·dstStrides] = src[srcOffset + idx·srcStrides]`.
   * Serves permute, expand, slice, concat and stack.
   */
  copy(src: TypedArray, srcOffset: number, srcStrides: readonly number[], dst: TypedArray, dstOffset: number, dstStrides: readonly number[], shape: readonly number[]): void;

  // ---- reductions (over the middle axis of a [outer, size, inner] view) ------------------------
  /** `out[o, i] = reduce_k x[o, k, i]`; `out` has `outer·inner` elements. Empty sum is 0, empty max is -Infinity. */
  reduce(op: ReduceOp, x: TypedArray, outer: number, size: number, inner: number, out: TypedArray): void;
  /** Index of the first max / min along the middle axis (NaN counts as the max, as in PyTorch). */
  argReduce(op: ArgReduceOp, x: TypedArray, outer: number, size: number, inner: number, out: Int32Array): void;
  /** Softmax (or log-softmax) along the middle axis, numerically stable. */
  softmax(x: FloatArray, outer: number, size: number, inner: number, out: FloatArray, log: boolean): void;

  // ---- matmul ---------------------------------------------------------------------------------
  /**
   * Batched GEMM: for each batch b, `C_b = op(A_b) · op(B_b)` (`op` = transpose when the flag is
   * set, read in place: no copy). `A_b` starts at `b·aBatchStride`, and so on; a batch stride of 0
   * broadcasts one matrix over the batch. `out` is written (not accumulated).
   * Shapes: op(A) is [m, k], op(B) is [k, n], C is [m, n]; a stored A is [m, k] or, transposed, [k, m].
   */
  matmul(a: FloatArray, b: FloatArray, out: FloatArray, params: MatmulParams): void;

  // ---- indexing (over a [outer, size, inner] view of the indexed axis) -------------------------
  /** `out[o, j, i] = x[o, index[j], i]` for j < index.length; `out` is [outer, index.length, inner]. */
  indexSelect(x: TypedArray, outer: number, size: number, inner: number, index: Int32Array, out: TypedArray): void;
  /** `out[o, index[j], i] += src[o, j, i]`; `out` is [outer, size, inner], accumulated into. */
  indexAdd(src: TypedArray, outer: number, size: number, inner: number, index: Int32Array, out: TypedArray): void;
  /**
   * torch.gather along the middle axis: `out[o, j, i] = x[o, index[o, j, i], i]`, where x is
   * [outer, size, inner] and index / out are [outer, indexSize, inner].
   */
  gather(x: TypedArray, outer: number, size: number, inner: number, index: Int32Array, indexSize: number, out: TypedArray): void;
  /** torch.scatter_add_ along the middle axis: `out[o, index[o, j, i], i] += src[o, j, i]`. */
  scatterAdd(src: TypedArray, outer: number, size: number, inner: number, index: Int32Array, indexSize: number, out: TypedArray): void;
}

export type UnaryOp =
  | 'neg'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'rsqrt'
  | 'abs'
  | 'sign'
  | 'tanh'
  | 'sigmoid'
  | 'relu'
  | 'leakyRelu' // p0 = negative slope
  | 'elu' // p0 = alpha
  | 'gelu' // exact, with erf
  | 'geluTanh' // the tanh approximation
  | 'erf'
  | 'sin'
  | 'cos'
  | 'reciprocal'
  | 'square'
  | 'clamp' // p0 = min (or -Infinity), p1 = max (or Infinity)
  | 'powScalar' // p0 = exponent
  | 'addScalar' // p0
  | 'mulScalar' // p0
  | 'isnan';

export type BinaryOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'maximum'
  | 'minimum'
  | 'eq'
  | 'ne'
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge';

export type ReduceOp = 'sum' | 'max' | 'min' | 'prod';
export type ArgReduceOp = 'argmax' | 'argmin';

export interface MatmulParams {
  batch: number;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  aBatchStride: number;
  bBatchStride: number;
}

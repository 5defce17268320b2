import { runBackward, type BackwardOptions, type GradNode } from './autograd.js';
import { getBackend } from './backend/registry.js';
import { isFloatDType, type DType, type TypedArray } from './dtype.js';
import { DTypeError, ValueError, fmtShape } from './errors.js';
import { shapeSize } from './shape.js';
import { formatTensor } from './format.js';
import * as ops from './ops/index.js';
import type { TensorLike } from './ops/helpers.js';
import type { ReduceOptions, VarOptions } from './ops/reduce.js';
import type { SplitSizes } from './ops/join.js';

/** Nested JS arrays of numbers, as `tensor()` takes and `toArray()` returns. */
export type NestedArray = number | NestedArray[];

/**
 * An n-dimensional array with a dtype, a shape and contiguous row-major storage, that records the
 * operations made on it when it (or an input) requires a gradient.
 *
 * Create tensors with `tensor`, `zeros`, `randn`…; the constructor is for ops and backends.
 * Methods delegate to the op functions of the same name (`x.add(y)` is `add(x, y)`).
 */
export class Tensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Contiguous row-major storage of `size` elements. Treat as read-only unless you own the tensor. */
  readonly data: TypedArray;
  /** The gradient accumulated by `backward()` (leaves, and tensors that called `retainGrad()`). */
  grad: Tensor | null = null;
  /** The node that made this tensor, or null for a leaf. */
  gradFn: GradNode | null = null;
  /** Set by `retainGrad()`: a non-leaf keeps its gradient in `grad` too. */
  retainsGrad = false;
  private requiresGradFlag = false;

  constructor(data: TypedArray, shape: readonly number[], dtype: DType) {
    if (data.length !== shapeSize(shape)) {
      throw new ValueError(`Tensor: storage holds ${data.length} elements but shape ${fmtShape(shape)} needs ${shapeSize(shape)}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
  }

  /** Allocates an uninitialised (zero-filled) tensor on the current backend. */
  static empty(shape: readonly number[], dtype: DType): Tensor {
    return new Tensor(getBackend().alloc(dtype, shapeSize(shape)), shape, dtype);
  }

  get requiresGrad(): boolean {
    return this.requiresGradFlag;
  }

  set requiresGrad(value: boolean) {
    if (value && !isFloatDType(this.dtype)) {
      throw new DTypeError(`requiresGrad: only float tensors can require gradients, this one is ${this.dtype}`);
    }
    this.requiresGradFlag = value;
  }

  /** Sets `requiresGrad` in place and returns this tensor (for chaining). */
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** True when no op made this tensor (user-created tensors and parameters). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** Keep this non-leaf tensor's gradient in `grad` after backward (as PyTorch's `retain_grad`). */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  /**
   * Back-propagates from this tensor: accumulates d(this)/d(leaf) · gradient into every leaf's
   * `grad`. A one-element tensor implies a gradient of 1. The graph is freed afterwards unless
   * `retainGraph` is set.
   */
  backward(gradient?: Tensor, options: BackwardOptions = {}): void {
    runBackward(
      this,
      gradient,
      options,
      (like) => ops.onesLike(like),
      (a, b) => ops.add(a, b),
    );
  }

  /** The same values, cut from the graph: no gradient flows back through the result. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape, this.dtype);
  }

  /** A copy with its own storage (differentiable). */
  clone(): Tensor {
    return ops.clone(this);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new ValueError(`item: the tensor must have one element, it has shape ${fmtShape(this.shape)}`);
    return this.data[0]!;
  }

  /** The values as nested arrays (a number for a scalar). */
  toArray(): NestedArray {
    const { shape, data } = this;
    if (shape.length === 0) return data[0]!;
    const build = (dim: number, offset: number, stride: number): NestedArray[] => {
      const n = shape[dim]!;
      const inner = stride / Math.max(n, 1);
      const out: NestedArray[] = [];
      for (let i = 0; i < n; i++) {
        out.push(dim === shape.length - 1 ? data[offset + i]! : build(dim + 1, offset + i * inner, inner));
      }
      return out;
    };
    return build(0, 0, this.size);
  }

  /** A readable rendering: `tensor([[1.0000, 2.0000]], dtype=float64)`. */
  toString(): string {
    return formatTensor(this);
  }

  // ---- conversions ------------------------------------------------------------------------------
  /** Converts to another dtype (differentiable between float dtypes). */
  to(dtype: DType): Tensor {
    return ops.cast(this, dtype);
  }
  float(): Tensor {
    return ops.cast(this, 'float32');
  }
  double(): Tensor {
    return ops.cast(this, 'float64');
  }
  int(): Tensor {
    return ops.cast(this, 'int32');
  }

  // ---- elementwise ------------------------------------------------------------------------------
  add(other: TensorLike): Tensor {
    return ops.add(this, other);
  }
  sub(other: TensorLike): Tensor {
    return ops.sub(this, other);
  }
  mul(other: TensorLike): Tensor {
    return ops.mul(this, other);
  }
  div(other: TensorLike): Tensor {
    return ops.div(this, other);
  }
  pow(exponent: TensorLike): Tensor {
    return ops.pow(this, exponent);
  }
  maximum(other: TensorLike): Tensor {
    return ops.maximum(this, other);
  }
  minimum(other: TensorLike): Tensor {
    return ops.minimum(this, other);
  }
  neg(): Tensor {
    return ops.neg(this);
  }
  exp(): Tensor {
    return ops.exp(this);
  }
  log(): Tensor {
    return ops.log(this);
  }
  sqrt(): Tensor {
    return ops.sqrt(this);
  }
  rsqrt(): Tensor {
    return ops.rsqrt(this);
  }
  abs(): Tensor {
    return ops.abs(this);
  }
  sign(): Tensor {
    return ops.sign(this);
  }
  square(): Tensor {
    return ops.square(this);
  }
  reciprocal(): Tensor {
    return ops.reciprocal(this);
  }
  tanh(): Tensor {
    return ops.tanh(this);
  }
  sigmoid(): Tensor {
    return ops.sigmoid(this);
  }
  relu(): Tensor {
    return ops.relu(this);
  }
  leakyRelu(negativeSlope?: number): Tensor {
    return ops.leakyRelu(this, negativeSlope);
  }
  elu(alpha?: number): Tensor {
    return ops.elu(this, alpha);
  }
  gelu(options?: ops.GeluOptions): Tensor {
    return ops.gelu(this, options);
  }
  clamp(min?: number | null, max?: number | null): Tensor {
    return ops.clamp(this, min, max);
  }
  eq(other: TensorLike): Tensor {
    return ops.eq(this, other);
  }
  ne(other: TensorLike): Tensor {
    return ops.ne(this, other);
  }
  lt(other: TensorLike): Tensor {
    return ops.lt(this, other);
  }
  le(other: TensorLike): Tensor {
    return ops.le(this, other);
  }
  gt(other: TensorLike): Tensor {
    return ops.gt(this, other);
  }
  ge(other: TensorLike): Tensor {
    return ops.ge(this, other);
  }

  // ---- reductions -------------------------------------------------------------------------------
  sum(axis?: number | readonly number[], options?: ReduceOptions): Tensor {
    return ops.sum(this, axis, options);
  }
  mean(axis?: number | readonly number[], options?: ReduceOptions): Tensor {
    return ops.mean(this, axis, options);
  }
  max(axis?: number | readonly number[], options?: ReduceOptions): Tensor {
    return ops.max(this, axis, options);
  }
  min(axis?: number | readonly number[], options?: ReduceOptions): Tensor {
    return ops.min(this, axis, options);
  }
  argmax(axis?: number, options?: ReduceOptions): Tensor {
    return ops.argmax(this, axis, options);
  }
  argmin(axis?: number, options?: ReduceOptions): Tensor {
    return ops.argmin(this, axis, options);
  }
  var(axis?: number | readonly number[], options?: VarOptions): Tensor {
    return ops.variance(this, axis, options);
  }
  std(axis?: number | readonly number[], options?: VarOptions): Tensor {
    return ops.std(this, axis, options);
  }
  logsumexp(axis?: number | readonly number[], options?: ReduceOptions): Tensor {
    return ops.logsumexp(this, axis, options);
  }
  softmax(axis = -1): Tensor {
    return ops.softmax(this, axis);
  }
  logSoftmax(axis = -1): Tensor {
    return ops.logSoftmax(this, axis);
  }

  // ---- linear algebra ---------------------------------------------------------------------------
  matmul(other: Tensor): Tensor {
    return ops.matmul(this, other);
  }

  // ---- shape ------------------------------------------------------------------------------------
  reshape(...shape: number[] | [readonly number[]]): Tensor {
    return ops.reshape(this, normaliseShapeArgs(shape));
  }
  flatten(startDim?: number, endDim?: number): Tensor {
    return ops.flatten(this, startDim, endDim);
  }
  squeeze(axis?: number | readonly number[]): Tensor {
    return ops.squeeze(this, axis);
  }
  unsqueeze(axis: number): Tensor {
    return ops.unsqueeze(this, axis);
  }
  expand(...shape: number[] | [readonly number[]]): Tensor {
    return ops.expand(this, normaliseShapeArgs(shape));
  }
  transpose(dim0 = -2, dim1 = -1): Tensor {
    return ops.transpose(this, dim0, dim1);
  }
  /** The transpose of a matrix (the last two axes swapped). */
  get T(): Tensor {
    return ops.transpose(this, -2, -1);
  }
  permute(...dims: number[] | [readonly number[]]): Tensor {
    return ops.permute(this, normaliseShapeArgs(dims));
  }
  narrow(axis: number, start: number, length: number): Tensor {
    return ops.narrow(this, axis, start, length);
  }
  slice(axis: number, start?: number, end?: number, step?: number): Tensor {
    return ops.slice(this, axis, start, end, step);
  }
  split(sizes: SplitSizes, axis?: number): Tensor[] {
    return ops.split(this, sizes, axis);
  }
  chunk(chunks: number, axis?: number): Tensor[] {
    return ops.chunk(this, chunks, axis);
  }

  // ---- indexing ---------------------------------------------------------------------------------
  gather(axis: number, index: Tensor): Tensor {
    return ops.gather(this, axis, index);
  }
  indexSelect(axis: number, index: Tensor): Tensor {
    return ops.indexSelect(this, axis, index);
  }
  scatterAdd(axis: number, index: Tensor, src: Tensor): Tensor {
    return ops.scatterAdd(this, axis, index, src);
  }
}

function normaliseShapeArgs(args: number[] | [readonly number[]]): number[] {
  const first = args[0];
  return Array.isArray(first) ? [...(first as readonly number[])] : (args as number[]);
}

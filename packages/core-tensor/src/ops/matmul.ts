/**
 * Matrix products: matmul (torch.matmul semantics), mm, bmm, linear, outer, dot.
 *
 * Everything runs through one batched primitive over the backend's GEMM kernel, whose transpose
 * flags serve both the forward pass (`linear` reads W transposed in place) and the gradients:
 * for `C = op(A) · op(B)`, `dA = g · op(B)ᵀ` and `dB = op(A)ᵀ · g` are again single kernel calls
 * with flipped flags — no transpose is ever materialised. Gradients of operands broadcast over
 * the batch are summed back to their shapes.
 */
import { record } from '../autograd.js';
import type { FloatArray } from '../dtype.js';
import { getBackend } from '../backend/registry.js';
import { isFloatDType, promoteTypes } from '../dtype.js';
import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import { broadcastStrides, contiguousStrides, shapeSize } from '../shape.js';
import { Tensor } from '../tensor.js';
import { add } from './arithmetic.js';
import { cast } from './cast.js';
import { sumToShape } from './helpers.js';
import { reshape } from './shape.js';

/**
 * The matrix product with NumPy / PyTorch semantics (`torch.matmul`):
 * - 1-D · 1-D: the dot product, a 0-d tensor;
 * - 2-D · 2-D: the matrix product `[m, k] · [k, n] → [m, n]`;
 * - 1-D · N-D: `a` is taken as `[1, k]` and the prepended axis is removed from the result;
 * - N-D · 1-D: `b` is taken as `[k, 1]` and the appended axis is removed from the result;
 * - N-D · N-D: a batch of matrix products; the batch axes (all but the last two) broadcast,
 *   `[j, 1, m, k] · [l, k, n] → [j, l, m, n]`.
 *
 * `C[..., i, j] = Σ_p A[..., i, p] · B[..., p, j]`. float32 and float64; a float32 · float64 pair is
 * promoted to float64 (PyTorch would refuse the mix). int32 throws `DTypeError`; inner sizes that
 * differ, 0-d operands and batch axes that do not broadcast throw `ShapeError`. Gradients:
 * `dA = g · Bᵀ`, `dB = Aᵀ · g`, summed over the batch axes an operand was broadcast along.
 *
 * @example matmul(tensor([[1, 2], [3, 4]]), tensor([[5], [6]]))  // [[17], [39]]
 * @example matmul(randn([10, 3, 4]), randn([4, 5])).shape      // [10, 3, 5]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const op = 'matmul';
  [a, b] = promote(op, a, b);
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError(`${op}: both operands must be at least 1-D, got a ${fmtShape(a.shape)} and b ${fmtShape(b.shape)}`);
  }
  const k = a.shape[a.ndim - 1]!;
  const kb = b.ndim === 1 ? b.shape[0]! : b.shape[b.ndim - 2]!;
  if (k !== kb) throw innerMismatch(op, a, b);
  const a2 = a.ndim === 1 ? reshape(a, [1, k]) : a;
  const b2 = b.ndim === 1 ? reshape(b, [k, 1]) : b;
  const out = batchedMatmul(op, a2, b2, false, false, a, b);
  if (a.ndim > 1 && b.ndim > 1) return out;
  // Drop the axes that stood in for the vectors: [..., 1, n] → [..., n], [..., m, 1] → [..., m].
  const shape = out.shape.slice(0, -2);
  if (a.ndim > 1) shape.push(out.shape[out.ndim - 2]!);
  if (b.ndim > 1) shape.push(out.shape[out.ndim - 1]!);
  return reshape(out, shape);
}

/**
 * The product of two matrices, strictly 2-D (no broadcasting), as `torch.mm`:
 * `[m, k] · [k, n] → [m, n]`. Throws `ShapeError` for other ranks or differing inner sizes.
 * @example mm(ones([2, 3]), ones([3, 4]))  // [2, 4] filled with 3
 */
export function mm(a: Tensor, b: Tensor): Tensor {
  const op = 'mm';
  if (a.ndim !== 2 || b.ndim !== 2) {
    throw new ShapeError(`${op}: expected two 2-D matrices, got a ${fmtShape(a.shape)} and b ${fmtShape(b.shape)}`);
  }
  [a, b] = promote(op, a, b);
  if (a.shape[1] !== b.shape[0]) throw innerMismatch(op, a, b);
  return batchedMatmul(op, a, b, false, false, a, b);
}

/**
 * A batch of matrix products with equal batch sizes (no broadcasting), as `torch.bmm`:
 * `[batch, m, k] · [batch, k, n] → [batch, m, n]`. Throws `ShapeError` for other ranks, differing
 * batch sizes or differing inner sizes.
 * @example bmm(randn([8, 2, 3]), randn([8, 3, 4])).shape  // [8, 2, 4]
 */
export function bmm(a: Tensor, b: Tensor): Tensor {
  const op = 'bmm';
  if (a.ndim !== 3 || b.ndim !== 3) {
    throw new ShapeError(`${op}: expected two 3-D tensors, got a ${fmtShape(a.shape)} and b ${fmtShape(b.shape)}`);
  }
  [a, b] = promote(op, a, b);
  if (a.shape[0] !== b.shape[0]) {
    throw new ShapeError(`${op}: batch sizes differ: a is ${fmtShape(a.shape)}, b is ${fmtShape(b.shape)}`);
  }
  if (a.shape[2] !== b.shape[1]) throw innerMismatch(op, a, b);
  return batchedMatmul(op, a, b, false, false, a, b);
}

/**
 * The affine map of a fully connected layer, as PyTorch's `F.linear`: `y = x · Wᵀ + b`, with the
 * weight stored `[outFeatures, inFeatures]` and read transposed in place by the kernel.
 *
 * Shapes: x `[..., in]` (any leading axes, or just `[in]`), weight `[out, in]`, bias `[out]`
 * (optional; a 0-d bias broadcasts too) → `[..., out]`. Throws `ShapeError` when the sizes do not
 * fit, `DTypeError` for int32. Mixed float dtypes promote to float64.
 * @example linear(randn([32, 10]), randn([5, 10]), zeros([5])).shape  // [32, 5]
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const op = 'linear';
  [x, weight] = promote(op, x, weight);
  if (weight.ndim !== 2) throw new ShapeError(`${op}: the weight must be 2-D [out, in], got ${fmtShape(weight.shape)}`);
  if (x.ndim === 0) throw new ShapeError(`${op}: the input must be at least 1-D [..., in], got ${fmtShape(x.shape)}`);
  const inFeatures = weight.shape[1]!;
  const outFeatures = weight.shape[0]!;
  if (x.shape[x.ndim - 1] !== inFeatures) {
    throw new ShapeError(`${op}: input features differ: x is ${fmtShape(x.shape)}, weight is ${fmtShape(weight.shape)} ([out, in])`);
  }
  if (bias) {
    if (!isFloatDType(bias.dtype)) throw new DTypeError(`${op}: expected a float32 or float64 bias, got ${bias.dtype}`);
    if (bias.ndim > 1 || (bias.ndim === 1 && bias.shape[0] !== outFeatures)) {
      throw new ShapeError(`${op}: the bias must be [${outFeatures}] for a weight ${fmtShape(weight.shape)}, got ${fmtShape(bias.shape)}`);
    }
  }
  const x2 = x.ndim === 1 ? reshape(x, [1, inFeatures]) : x;
  let y = batchedMatmul(op, x2, weight, false, true, x, weight);
  if (x.ndim === 1) y = reshape(y, [outFeatures]);
  return bias ? add(y, bias) : y;
}

/**
 * The outer product of two vectors, as `torch.outer`: `C[i, j] = a[i] · b[j]`,
 * `[n] ⊗ [m] → [n, m]`. Throws `ShapeError` unless both are 1-D.
 * @example outer(tensor([1, 2]), tensor([3, 4, 5]))  // [[3, 4, 5], [6, 8, 10]]
 */
export function outer(a: Tensor, b: Tensor): Tensor {
  const op = 'outer';
  if (a.ndim !== 1 || b.ndim !== 1) {
    throw new ShapeError(`${op}: expected two 1-D vectors, got a ${fmtShape(a.shape)} and b ${fmtShape(b.shape)}`);
  }
  [a, b] = promote(op, a, b);
  return batchedMatmul(op, reshape(a, [a.shape[0]!, 1]), reshape(b, [1, b.shape[0]!]), false, false, a, b);
}

/**
 * The dot product of two vectors of the same length, as `torch.dot`: `Σ_i a[i] · b[i]`, a 0-d
 * tensor (0 for empty vectors). Throws `ShapeError` unless both are 1-D of equal length.
 * @example dot(tensor([1, 2, 3]), tensor([4, 5, 6]))  // 32
 */
export function dot(a: Tensor, b: Tensor): Tensor {
  const op = 'dot';
  if (a.ndim !== 1 || b.ndim !== 1) {
    throw new ShapeError(`${op}: expected two 1-D vectors, got a ${fmtShape(a.shape)} and b ${fmtShape(b.shape)}`);
  }
  [a, b] = promote(op, a, b);
  if (a.shape[0] !== b.shape[0]) {
    throw new ShapeError(`${op}: the vectors differ in length: a is ${fmtShape(a.shape)}, b is ${fmtShape(b.shape)}`);
  }
  const k = a.shape[0]!;
  return reshape(batchedMatmul(op, reshape(a, [1, k]), reshape(b, [k, 1]), false, false, a, b), []);
}

// ---- the batched primitive -----------------------------------------------------------------------

/**
 * `C = op(A) · op(B)` over broadcast batch axes, `a` and `b` at least 2-D of one float dtype and
 * already validated. op(A) is `[..., m, k]` (stored `[..., k, m]` when `transA`), op(B) is
 * `[..., k, n]` (stored `[..., n, k]` when `transB`); the result is `[...batch, m, n]`.
 * `shownA` / `shownB` are the user's operands, for error messages.
 */
function batchedMatmul(op: string, a: Tensor, b: Tensor, transA: boolean, transB: boolean, shownA: Tensor, shownB: Tensor): Tensor {
  const aRows = a.shape[a.ndim - 2]!;
  const aCols = a.shape[a.ndim - 1]!;
  const bRows = b.shape[b.ndim - 2]!;
  const bCols = b.shape[b.ndim - 1]!;
  const [m, k] = transA ? [aCols, aRows] : [aRows, aCols];
  const [kb, n] = transB ? [bCols, bRows] : [bRows, bCols];
  if (k !== kb) throw innerMismatch(op, shownA, shownB);
  const batchShape = broadcastBatch(op, a.shape.slice(0, -2), b.shape.slice(0, -2), shownA, shownB);
  const batch = shapeSize(batchShape);
  const out = Tensor.empty([...batchShape, m, n], a.dtype);
  const aLayout = batchLayout(a, batchShape);
  const bLayout = batchLayout(b, batchShape);
  getBackend().matmul({
    a: aLayout.data,
    b: bLayout.data,
    out: out.data as FloatArray,
    batch,
    m,
    n,
    k,
    transA,
    transB,
    aBatchStride: aLayout.stride,
    bBatchStride: bLayout.stride,
  });

  return record(out, op, [a, b], (g) => {
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    if (a.requiresGrad) {
      // dop(A) = g · op(B)ᵀ; a transposed A takes its transpose: (g · op(B)ᵀ)ᵀ = op(B) · gᵀ.
      const full = transA ? batchedMatmul(op, b, g, transB, true, b, g) : batchedMatmul(op, g, b, false, !transB, g, b);
      ga = sumToShape(full, a.shape);
    }
    if (b.requiresGrad) gb = gradB(op, a, b, g, transA, transB, batch, m, n, k);
    return [ga, gb];
  });
}

/**
 * dop(B) = op(A)ᵀ · g (or its transpose, gᵀ · op(A), for a transposed B), summed over the batch
 * axes B was broadcast along. When one B served a whole row-major batch of A's (a layer applied to
 * a `[batch, ..., in]` input), the sum over the batch is folded into the product's inner dimension:
 * `Σ_t A_tᵀ g_t = A_allᵀ · g_all` with A_all `[batch·m, k]`, one GEMM instead of `batch` GEMMs and a sum.
 */
function gradB(
  op: string,
  a: Tensor,
  b: Tensor,
  g: Tensor,
  transA: boolean,
  transB: boolean,
  batch: number,
  m: number,
  n: number,
  k: number,
): Tensor {
  const bShared = shapeSize(b.shape.slice(0, -2)) === 1;
  const aFull = shapeSize(a.shape.slice(0, -2)) === batch;
  if (batch > 1 && bShared && aFull && !transA) {
    const aAll = reshape(a, [batch * m, k]);
    const gAll = reshape(g, [batch * m, n]);
    const summed = transB ? batchedMatmul(op, gAll, aAll, true, false, gAll, aAll) : batchedMatmul(op, aAll, gAll, true, false, aAll, gAll);
    return reshape(summed, b.shape);
  }
  const full = transB ? batchedMatmul(op, g, a, true, transA, g, a) : batchedMatmul(op, a, g, !transA, false, a, g);
  return sumToShape(full, b.shape);
}

/**
 * How the kernel reads an operand's batch: one shared matrix (stride 0), its own contiguous
 * stack (stride = matrix size), or — when it broadcasts along some batch axes but not all — a
 * stack expanded to the full batch with the backend's strided copy.
 */
function batchLayout(x: Tensor, batchShape: readonly number[]): { data: FloatArray; stride: number } {
  const rows = x.shape[x.ndim - 2]!;
  const cols = x.shape[x.ndim - 1]!;
  const count = shapeSize(x.shape.slice(0, -2));
  if (count === 1) return { data: x.data as FloatArray, stride: 0 };
  if (count === shapeSize(batchShape)) return { data: x.data as FloatArray, stride: rows * cols };
  const shape = [...batchShape, rows, cols];
  const expanded = getBackend().alloc(x.dtype, shapeSize(shape));
  getBackend().copy({
    src: x.data,
    srcOffset: 0,
    srcStrides: broadcastStrides(x.shape, shape),
    dst: expanded,
    dstOffset: 0,
    dstStrides: contiguousStrides(shape),
    shape,
  });
  return { data: expanded as FloatArray, stride: rows * cols };
}

function broadcastBatch(op: string, aBatch: readonly number[], bBatch: readonly number[], shownA: Tensor, shownB: Tensor): number[] {
  const rank = Math.max(aBatch.length, bBatch.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = aBatch[i - rank + aBatch.length] ?? 1;
    const db = bBatch[i - rank + bBatch.length] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${op}: batch dimensions cannot be broadcast: a is ${fmtShape(shownA.shape)}, b is ${fmtShape(shownB.shape)}`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Checks both operands are float and brings them to one dtype (differentiably). */
function promote(op: string, a: Tensor, b: Tensor): [Tensor, Tensor] {
  for (const [name, x] of [
    ['a', a],
    ['b', b],
  ] as const) {
    if (!isFloatDType(x.dtype)) throw new DTypeError(`${op}: expected float32 or float64 operands, ${name} is ${x.dtype}`);
  }
  const dtype = promoteTypes(a.dtype, b.dtype);
  return [cast(a, dtype), cast(b, dtype)];
}

function innerMismatch(op: string, a: Tensor, b: Tensor): ShapeError {
  return new ShapeError(`${op}: inner dimensions differ: a is ${fmtShape(a.shape)}, b is ${fmtShape(b.shape)}`);
}

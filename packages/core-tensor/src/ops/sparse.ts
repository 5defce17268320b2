/**
 * Sparse matrices in CSR form and the sparse-dense product, the aggregation step of graph
 * convolutions (`Â · (X W)` for a normalised adjacency Â).
 *
 * The structure (`rowPtr`, `colIndex`) is plain Int32Array and never differentiable; the values
 * are a tensor that may require a gradient. A structure is validated once: later `SparseCSR`s over
 * the same arrays (`withValues`, `transpose`, a new epoch) reuse the check and the transposed
 * structure, which the backward pass of `spmm` needs (`dX = Aᵀ · dY`) and which is built once per
 * structure, on first use, by a counting sort.
 */
import { record } from '../autograd.js';
import { getBackend } from '../backend/registry.js';
import { isFloatDType, promoteTypes, type FloatArray, type FloatDType } from '../dtype.js';
import { DTypeError, IndexError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { zeros } from './creation.js';
import { assertFloat, castData } from './helpers.js';
import { indexAdd, indexSelect } from './indexing.js';
import { reshape } from './shape.js';

/** What `new SparseCSR` takes. */
export interface SparseCSRInit {
  /** `rows + 1` non-decreasing offsets into `colIndex`, from 0 to nnz. */
  rowPtr: Int32Array;
  /** The column of every entry, in [0, cols), ascending within each row (repeats allowed). */
  colIndex: Int32Array;
  /** `[nnz]` float32 / float64 values in CSR order; null or left out: every entry is 1. */
  values?: Tensor | null;
  /** `[rows, cols]`. */
  shape: readonly [number, number];
}

/** Options of {@link SparseCSR.fromCoo}. */
export interface SparseFromCooOptions {
  /** `[rows, cols]` of the matrix. */
  shape: readonly [number, number];
  /** `[E]` float values of the (row, col) pairs, in input order. Default null: every entry is 1. */
  values?: Tensor | null;
  /**
   * Merge entries with the same (row, col) into one whose value is their sum (with implicit ones,
   * the multiplicity). Default false: duplicates stay separate entries (spmm sums them anyway).
   */
  sumDuplicates?: boolean;
}

/** Options of {@link SparseCSR.toDense}. */
export interface SparseToDenseOptions {
  /** The dense tensor's dtype. Default: the values' dtype, float32 for implicit ones. */
  dtype?: FloatDType;
}

/** The transpose of a structure: its CSR arrays and, per entry, the entry of the original it came from. */
interface TransposedStructure {
  rowPtr: Int32Array;
  colIndex: Int32Array;
  permutation: Tensor;
}

/** A structure that passed validation, keyed by its colIndex array (and checked against rowPtr and cols). */
interface KnownStructure {
  rowPtr: Int32Array;
  cols: number;
  transposed: TransposedStructure | null;
}

const structures = new WeakMap<Int32Array, KnownStructure>();

function checkShape(op: string, shape: readonly number[]): [number, number] {
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ShapeError(
      `${op}: shape must be [rows, cols] of non-negative integers, got ${Array.isArray(shape) ? fmtShape(shape) : String(shape)}`,
    );
  }
  return [shape[0]!, shape[1]!];
}

function checkStructure(op: string, rowPtr: Int32Array, colIndex: Int32Array, rows: number, cols: number): void {
  if (!(rowPtr instanceof Int32Array) || !(colIndex instanceof Int32Array)) {
    throw new DTypeError(
      `${op}: rowPtr and colIndex must be Int32Arrays, got ${rowPtr?.constructor?.name} and ${colIndex?.constructor?.name}`,
    );
  }
  if (rowPtr.length !== rows + 1) throw new ShapeError(`${op}: rowPtr must have rows + 1 = ${rows + 1} offsets, got ${rowPtr.length}`);
  if (rowPtr[0] !== 0 || rowPtr[rows] !== colIndex.length) {
    throw new ValueError(`${op}: rowPtr must run from 0 to nnz = ${colIndex.length}, got ${rowPtr[0]} … ${rowPtr[rows]}`);
  }
  for (let r = 0; r < rows; r++) {
    const start = rowPtr[r]!;
    const end = rowPtr[r + 1]!;
    if (end < start) throw new ValueError(`${op}: rowPtr must not decrease, but rowPtr[${r}] = ${start} > rowPtr[${r + 1}] = ${end}`);
    for (let k = start; k < end; k++) {
      const c = colIndex[k]!;
      if (c < 0 || c >= cols) throw new IndexError(`${op}: column index ${c} (entry ${k}, row ${r}) is out of bounds for ${cols} columns`);
      if (k > start && c < colIndex[k - 1]!) {
        throw new ValueError(
          `${op}: colIndex must be ascending within each row, row ${r} has ${colIndex[k - 1]} before ${c}; build it with SparseCSR.fromCoo`,
        );
      }
    }
  }
}

function checkValues(op: string, values: Tensor | null | undefined, nnz: number): Tensor | null {
  if (values === null || values === undefined) return null;
  if (!(values instanceof Tensor)) throw new ValueError(`${op}: values must be a Tensor or null`);
  if (!isFloatDType(values.dtype)) throw new DTypeError(`${op}: values must be float32 or float64, got ${values.dtype}`);
  if (values.ndim !== 1 || values.size !== nnz)
    throw new ShapeError(`${op}: values must be [nnz] = [${nnz}], got ${fmtShape(values.shape)}`);
  return values;
}

/** A 1-D int32 index as an Int32Array (an int32 tensor's storage, not copied). */
function indexArray(op: string, name: string, index: Int32Array | Tensor): Int32Array {
  if (index instanceof Int32Array) return index;
  if (!(index instanceof Tensor) || index.dtype !== 'int32') {
    throw new DTypeError(
      `${op}: ${name} must be an Int32Array or an int32 tensor, got ${index instanceof Tensor ? `a ${index.dtype} tensor` : String(index)}`,
    );
  }
  if (index.ndim !== 1) throw new ShapeError(`${op}: ${name} must be 1-D [E], got ${fmtShape(index.shape)}`);
  return index.data as Int32Array;
}

/** Stable counting sort: the positions of `keys` ordered by key (ties keep the order of `order`). */
function countingSort(keys: Int32Array, size: number, order: Int32Array): { sorted: Int32Array; starts: Int32Array } {
  const starts = new Int32Array(size + 1);
  for (let e = 0; e < keys.length; e++) starts[keys[e]! + 1]!++;
  for (let s = 0; s < size; s++) starts[s + 1]! += starts[s]!;
  const next = starts.slice(0, size);
  const sorted = new Int32Array(order.length);
  for (let j = 0; j < order.length; j++) {
    const e = order[j]!;
    sorted[next[keys[e]!]!++] = e;
  }
  return { sorted, starts };
}

function buildTranspose(rowPtr: Int32Array, colIndex: Int32Array, rows: number, cols: number): TransposedStructure {
  const nnz = colIndex.length;
  const tPtr = new Int32Array(cols + 1);
  for (let k = 0; k < nnz; k++) tPtr[colIndex[k]! + 1]!++;
  for (let c = 0; c < cols; c++) tPtr[c + 1]! += tPtr[c]!;
  const next = tPtr.slice(0, cols);
  const tCol = new Int32Array(nnz);
  const permutation = new Int32Array(nnz);
  // Rows in ascending order: each transposed row comes out sorted, and stable for repeats.
  for (let r = 0; r < rows; r++) {
    for (let k = rowPtr[r]!; k < rowPtr[r + 1]!; k++) {
      const p = next[colIndex[k]!]!++;
      tCol[p] = r;
      permutation[p] = k;
    }
  }
  // The transpose of the transpose is this structure again: register that too.
  const inverse = new Int32Array(nnz);
  for (let p = 0; p < nnz; p++) inverse[permutation[p]!] = p;
  structures.set(tCol, { rowPtr: tPtr, cols: rows, transposed: { rowPtr, colIndex, permutation: new Tensor(inverse, [nnz], 'int32') } });
  return { rowPtr: tPtr, colIndex: tCol, permutation: new Tensor(permutation, [nnz], 'int32') };
}

/**
 * A sparse `[rows, cols]` matrix in CSR (compressed sparse row) form: the entries of row r are
 * `k ∈ [rowPtr[r], rowPtr[r + 1])`, at column `colIndex[k]` with value `values[k]` (1 when
 * `values` is null). Columns ascend within a row; repeated (row, col) entries are allowed and add
 * up in every product. The structure is plain Int32Array (never differentiable, treat as
 * read-only); `values` may require a gradient, which `spmm`, `transpose` and `toDense` carry.
 *
 * Build one from an edge list with {@link SparseCSR.fromCoo}. The constructor checks the
 * structure (ShapeError for lengths, IndexError for a column out of range, ValueError for
 * decreasing offsets or unsorted columns); a structure already checked is not checked again.
 *
 * @example
 * // The course's 3-node path 0 – 1 – 2 with self-loops, as a 0/1 matrix:
 * const a = SparseCSR.fromCoo(new Int32Array([0, 0, 1, 1, 1, 2, 2]), new Int32Array([0, 1, 0, 1, 2, 1, 2]), { shape: [3, 3] });
 * spmm(a, ones([3, 2]));   // [[2, 2], [3, 3], [2, 2]]
 */
export class SparseCSR {
  readonly shape: readonly [number, number];
  readonly rowPtr: Int32Array;
  readonly colIndex: Int32Array;
  /** `[nnz]` float values in CSR order, or null for implicit ones. */
  readonly values: Tensor | null;
  readonly nnz: number;
  private inputPositions: Int32Array | null = null;

  constructor(init: SparseCSRInit) {
    const op = 'SparseCSR';
    const [rows, cols] = checkShape(op, init.shape);
    const { rowPtr, colIndex } = init;
    const known = colIndex instanceof Int32Array ? structures.get(colIndex) : undefined;
    if (known === undefined || known.rowPtr !== rowPtr || known.cols !== cols || rowPtr.length !== rows + 1) {
      checkStructure(op, rowPtr, colIndex, rows, cols);
      structures.set(colIndex, { rowPtr, cols, transposed: null });
    }
    this.shape = Object.freeze([rows, cols] as const);
    this.rowPtr = rowPtr;
    this.colIndex = colIndex;
    this.nnz = colIndex.length;
    this.values = checkValues(op, init.values, this.nnz);
  }

  /**
   * From COO pairs (PyG's `edge_index` rows): entry e is at `(row[e], col[e])` with value
   * `values[e]`. The sort is stable: entries keep their input order within a (row, col) pair, and
   * `permutation[k]` is the input position of CSR entry k. The values are reordered with
   * `indexSelect`, so their gradient reaches the input's order. Duplicates are kept unless
   * `sumDuplicates` (then entry k is the sum of its pair's values and `permutation[k]` the first of
   * them). Indices out of range are an IndexError, unequal lengths a ShapeError.
   *
   * Shapes: row, col `[E]` int32; values `[E]` → nnz = E (fewer with `sumDuplicates`).
   * @example
   * const [src, dst] = [new Int32Array([1, 0, 2]), new Int32Array([0, 1, 1])];
   * const a = SparseCSR.fromCoo(dst, src, { shape: [3, 3], values: tensor([0.5, 0.25, 2]) });
   * a.rowPtr;       // [0, 1, 3, 3]
   * a.permutation;  // [0, 1, 2]
   */
  static fromCoo(row: Int32Array | Tensor, col: Int32Array | Tensor, options: SparseFromCooOptions): SparseCSR {
    const op = 'SparseCSR.fromCoo';
    const [rows, cols] = checkShape(op, options.shape);
    const r = indexArray(op, 'row', row);
    const c = indexArray(op, 'col', col);
    if (r.length !== c.length) throw new ShapeError(`${op}: row and col must have the same length, got ${r.length} and ${c.length}`);
    const count = r.length;
    const values = checkValues(op, options.values, count);
    for (let e = 0; e < count; e++) {
      if (r[e]! < 0 || r[e]! >= rows) throw new IndexError(`${op}: row index ${r[e]} (entry ${e}) is out of bounds for ${rows} rows`);
      if (c[e]! < 0 || c[e]! >= cols) throw new IndexError(`${op}: column index ${c[e]} (entry ${e}) is out of bounds for ${cols} columns`);
    }
    // LSD radix sort: by column, then stably by row.
    const identity = new Int32Array(count);
    for (let e = 0; e < count; e++) identity[e] = e;
    const byCol = countingSort(c, cols, identity).sorted;
    const { sorted: order, starts: rowPtr } = countingSort(r, rows, byCol);
    const colIndex = new Int32Array(count);
    for (let k = 0; k < count; k++) colIndex[k] = c[order[k]!]!;

    if (!options.sumDuplicates) {
      const csrValues = values === null ? null : indexSelect(values, 0, new Tensor(order, [count], 'int32'));
      const out = new SparseCSR({ rowPtr, colIndex, values: csrValues, shape: [rows, cols] });
      out.inputPositions = order;
      return out;
    }
    // Merge runs of equal (row, col): target[e] is the merged entry of input e.
    const target = new Int32Array(count);
    const mergedPtr = new Int32Array(rows + 1);
    const mergedCol: number[] = [];
    const first: number[] = [];
    for (let i = 0; i < rows; i++) {
      for (let k = rowPtr[i]!; k < rowPtr[i + 1]!; k++) {
        if (k === rowPtr[i] || colIndex[k] !== colIndex[k - 1]) {
          mergedCol.push(colIndex[k]!);
          first.push(order[k]!);
        }
        target[order[k]!] = mergedCol.length - 1;
      }
      mergedPtr[i + 1] = mergedCol.length;
    }
    const merged = mergedCol.length;
    let mergedValues: Tensor | null = null;
    if (values !== null) {
      mergedValues = indexAdd(zeros([merged], { dtype: values.dtype }), 0, new Tensor(target, [count], 'int32'), values);
    } else if (merged < count) {
      const multiplicity = Tensor.empty([merged], 'float32');
      for (let e = 0; e < count; e++) multiplicity.data[target[e]!]!++;
      mergedValues = multiplicity;
    }
    const out = new SparseCSR({ rowPtr: mergedPtr, colIndex: Int32Array.from(mergedCol), values: mergedValues, shape: [rows, cols] });
    out.inputPositions = Int32Array.from(first);
    return out;
  }

  /**
   * The non-zero entries of a dense 2-d float tensor, row by row, as CSR with those values (a
   * fresh tensor of x's dtype, not connected to x's gradient). For features that are mostly zeros
   * (bag-of-words rows), `spmm(SparseCSR.fromDense(x), w)` costs one multiply-add per non-zero
   * instead of per entry. A DTypeError for int32, a ShapeError for other ranks.
   *
   * Shapes: x `[rows, cols]` → `[rows, cols]` with nnz = the non-zero count.
   * @example SparseCSR.fromDense(tensor([[0, 2], [3, 0]])).colIndex  // [1, 0]
   */
  static fromDense(x: Tensor): SparseCSR {
    const op = 'SparseCSR.fromDense';
    if (!isFloatDType(x.dtype)) throw new DTypeError(`${op}: expected a float32 or float64 tensor, got ${x.dtype}`);
    if (x.ndim !== 2) throw new ShapeError(`${op}: expected a 2-d tensor [rows, cols], got ${fmtShape(x.shape)}`);
    const [rows, cols] = x.shape as [number, number];
    const data = x.data;
    let count = 0;
    for (let i = 0; i < data.length; i++) if (data[i] !== 0) count++;
    const rowPtr = new Int32Array(rows + 1);
    const colIndex = new Int32Array(count);
    const values = Tensor.empty([count], x.dtype);
    const v = values.data;
    let k = 0;
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      for (let c = 0; c < cols; c++) {
        const value = data[base + c]!;
        if (value !== 0) {
          colIndex[k] = c;
          v[k++] = value;
        }
      }
      rowPtr[r + 1] = k;
    }
    return new SparseCSR({ rowPtr, colIndex, values, shape: [rows, cols] });
  }

  /**
   * `permutation[k]` = the input position of CSR entry k when built by `fromCoo` (carried through
   * `transpose` and `withValues`), else null.
   */
  get permutation(): Int32Array | null {
    return this.inputPositions;
  }

  /**
   * The same structure with other values (`[nnz]` float, or null for ones): the cheap way to
   * reweight a fixed graph, e.g. with attention coefficients. Shares the structure's checks and
   * cached transpose.
   * @example a.withValues(edgeWeight)  // same sparsity pattern, new weights
   */
  withValues(values: Tensor | null): SparseCSR {
    const out = new SparseCSR({ rowPtr: this.rowPtr, colIndex: this.colIndex, values, shape: this.shape });
    out.inputPositions = this.inputPositions;
    return out;
  }

  /**
   * Aᵀ, `[cols, rows]`, in CSR form with sorted columns. The transposed structure is built once
   * per structure and cached; the values are carried along with `indexSelect` (differentiable).
   * `permutation` is carried too: it still names each entry's position in the COO input.
   * @example a.transpose().shape  // [cols, rows]
   */
  transpose(): SparseCSR {
    const [rows, cols] = this.shape;
    let known = structures.get(this.colIndex);
    if (known === undefined || known.rowPtr !== this.rowPtr || known.cols !== cols) {
      // Another matrix over the same colIndex array took the cache entry: take it back.
      known = { rowPtr: this.rowPtr, cols, transposed: null };
      structures.set(this.colIndex, known);
    }
    known.transposed ??= buildTranspose(this.rowPtr, this.colIndex, rows, cols);
    const t = known.transposed;
    const values = this.values === null ? null : indexSelect(this.values, 0, t.permutation);
    const out = new SparseCSR({ rowPtr: t.rowPtr, colIndex: t.colIndex, values, shape: [cols, rows] });
    const positions = this.inputPositions;
    if (positions !== null) {
      const perm = t.permutation.data as Int32Array;
      const composed = new Int32Array(perm.length);
      for (let k = 0; k < perm.length; k++) composed[k] = positions[perm[k]!]!;
      out.inputPositions = composed;
    }
    return out;
  }

  /**
   * The dense `[rows, cols]` matrix; repeated entries add up. Differentiable in the values.
   * Options: `dtype` (default: the values' dtype, float32 for implicit ones).
   * @example SparseCSR.fromCoo(new Int32Array([0, 1]), new Int32Array([1, 1]), { shape: [2, 2] }).toDense()  // [[0, 1], [0, 1]]
   */
  toDense(options: SparseToDenseOptions = {}): Tensor {
    const [rows, cols] = this.shape;
    const dtype = options.dtype ?? this.values?.dtype ?? 'float32';
    if (!isFloatDType(dtype)) throw new DTypeError(`SparseCSR.toDense: dtype must be float32 or float64, got ${String(dtype)}`);
    const flat = new Int32Array(this.nnz);
    for (let r = 0; r < rows; r++) for (let k = this.rowPtr[r]!; k < this.rowPtr[r + 1]!; k++) flat[k] = r * cols + this.colIndex[k]!;
    if (this.values === null) {
      const out = Tensor.empty([rows, cols], dtype);
      for (let k = 0; k < this.nnz; k++) out.data[flat[k]!]!++;
      return out;
    }
    const dense = indexAdd(zeros([rows * cols], { dtype }), 0, new Tensor(flat, [this.nnz], 'int32'), cast(this.values, dtype));
    return reshape(dense, [rows, cols]);
  }
}

/**
 * The sparse-dense product `Y = A · X` (torch.sparse.mm, PyG's `spmm`): for A `[r, c]` sparse and
 * X `[c, f]` dense, `Y[i, :] = Σ_{k ∈ row i} v_k · X[colIndex[k], :]` (`v_k = 1` with implicit
 * values); a 1-D X `[c]` gives `[r]`. Rows without entries are zeros, repeated entries add up.
 * Values and X of different float dtypes are promoted to the wider one; int32 X is a DTypeError,
 * an X whose first axis is not c a ShapeError.
 *
 * Gradients: `dX = Aᵀ · dY` (through the cached transposed structure) and
 * `d(values)[k] = dY[row_k, :] · X[col_k, :]` (the sampled product, one kernel).
 *
 * Shapes: A `[r, c]`, X `[c, f]` → `[r, f]`; X `[c]` → `[r]`.
 * @example
 * const a = SparseCSR.fromCoo(new Int32Array([0, 1, 1]), new Int32Array([1, 0, 1]), { shape: [2, 2], values: tensor([2, 3, 4]) });
 * spmm(a, tensor([[1, 0], [0, 1]]));  // [[0, 2], [3, 4]]
 */
export function spmm(a: SparseCSR, x: Tensor): Tensor {
  const op = 'spmm';
  if (!(a instanceof SparseCSR)) throw new ValueError(`${op}: a must be a SparseCSR, got ${String(a)}`);
  assertFloat(op, x);
  const [rows, cols] = a.shape;
  if ((x.ndim !== 1 && x.ndim !== 2) || x.shape[0] !== cols) {
    throw new ShapeError(
      `${op}: x must be [${cols}, features] or [${cols}] to multiply A of shape ${fmtShape(a.shape)}, got ${fmtShape(x.shape)}`,
    );
  }
  const dtype = (a.values === null ? x.dtype : promoteTypes(a.values.dtype, x.dtype)) as FloatDType;
  const xt = cast(x, dtype);
  const vt = a.values === null ? null : cast(a.values, dtype);
  const csr = vt === a.values ? a : a.withValues(vt);
  const feat = x.ndim === 2 ? x.shape[1]! : 1;
  const out = Tensor.empty(x.ndim === 2 ? [rows, feat] : [rows], dtype);
  if (out.size > 0)
    getBackend().spmmCsr({
      rowPtr: a.rowPtr,
      colIndex: a.colIndex,
      values: (vt?.data ?? null) as FloatArray | null,
      x: xt.data as FloatArray,
      rows,
      feat,
      out: out.data as FloatArray,
    });
  return record(out, op, vt === null ? [xt] : [xt, vt], (g) => {
    const dx = xt.requiresGrad ? spmm(csr.transpose(), g) : null;
    let dv: Tensor | null = null;
    if (vt?.requiresGrad) {
      dv = Tensor.empty([a.nnz], dtype);
      if (a.nnz > 0)
        getBackend().sddmmCsr({
          rowPtr: a.rowPtr,
          colIndex: a.colIndex,
          a: castData(g, dtype).data as FloatArray,
          b: xt.data as FloatArray,
          rows,
          feat,
          out: dv.data as FloatArray,
        });
    }
    return [dx, dv];
  });
}

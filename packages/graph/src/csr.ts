/** COO → CSR in O(E + rows + cols): two stable counting sorts (by column, then by row). */
import { ValueError } from '@tensorloom/core-tensor';
import { checkNodeIds } from './tensors.js';

/** The structure of a CSR matrix, and where each entry came from. */
export interface CSRStructure {
  readonly shape: readonly [number, number];
  /** `rowPtr[r] … rowPtr[r+1]` are the entries of row r; length rows + 1. */
  readonly rowPtr: Int32Array;
  /** Column of each entry, ascending within a row (ties keep their input order). */
  readonly colIndex: Int32Array;
  /** `permutation[k]` = the input position of CSR entry k. */
  readonly permutation: Int32Array;
}

/**
 * Sorts the COO pairs `(row[e], col[e])` into CSR order. Stable: equal pairs (duplicate edges) keep
 * their input order and are not merged. O(E + rows + cols) time, no comparison sort.
 *
 * @example
 * const { rowPtr, colIndex, permutation } = cooToCsr(new Int32Array([1, 0, 1]), new Int32Array([0, 1, 1]), { shape: [2, 2] });
 * // rowPtr [0, 1, 3], colIndex [1, 0, 1], permutation [1, 0, 2]
 */
export function cooToCsr(row: Int32Array, col: Int32Array, options: { shape: readonly [number, number] }): CSRStructure {
  const [rows, cols] = options.shape;
  const op = 'cooToCsr';
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new ValueError(`${op}: shape must be two non-negative integers, got [${rows}, ${cols}]`);
  }
  if (row.length !== col.length) throw new ValueError(`${op}: row has ${row.length} entries but col has ${col.length}`);
  checkNodeIds(op, row, rows, 'row');
  checkNodeIds(op, col, cols, 'column');
  const nnz = row.length;

  // Pass 1: stable order by column.
  const colCount = new Int32Array(cols + 1);
  for (let e = 0; e < nnz; e++) colCount[col[e]! + 1]!++;
  for (let c = 0; c < cols; c++) colCount[c + 1]! += colCount[c]!;
  const byCol = new Int32Array(nnz);
  for (let e = 0; e < nnz; e++) byCol[colCount[col[e]!]!++] = e;

  // Pass 2: stable order by row over the column order, so each row's columns come out ascending.
  const rowPtr = new Int32Array(rows + 1);
  for (let e = 0; e < nnz; e++) rowPtr[row[e]! + 1]!++;
  for (let r = 0; r < rows; r++) rowPtr[r + 1]! += rowPtr[r]!;
  const next = rowPtr.slice(0, rows);
  const permutation = new Int32Array(nnz);
  const colIndex = new Int32Array(nnz);
  for (let k = 0; k < nnz; k++) {
    const e = byCol[k]!;
    const slot = next[row[e]!]!++;
    permutation[slot] = e;
    colIndex[slot] = col[e]!;
  }
  return { shape: [rows, cols], rowPtr, colIndex, permutation };
}

/**
 * Gathers `values` into CSR order: `out[k] = values[permutation[k]]`.
 * @example permuteValues(Float32Array.from([10, 20, 30]), cooToCsr(row, col, { shape }).permutation)
 */
export function permuteValues<T extends Float32Array | Float64Array | Int32Array>(values: T, permutation: Int32Array): T {
  const out = new (values.constructor as new (n: number) => T)(permutation.length);
  for (let k = 0; k < permutation.length; k++) out[k] = values[permutation[k]!]!;
  return out;
}

/** Internal: reading and making the edge-index, weight and index tensors, with the checks every function shares. */
import {
  DTypeError,
  IndexError,
  ShapeError,
  Tensor,
  ValueError,
  fmtShape,
  isFloatDType,
  type FloatArray,
  type FloatDType,
} from '@tensorloom/core-tensor';

/** The two rows of an int32 `[2, E]` edge index, as views on its storage (no copy). */
export interface EdgeArrays {
  readonly row: Int32Array;
  readonly col: Int32Array;
  readonly numEdges: number;
}

/** Validates an edge index (int32, `[2, E]`, and with `numNodes` every entry in `[0, numNodes)`) and views its rows. */
export function readEdgeIndex(op: string, edgeIndex: Tensor, numNodes?: number): EdgeArrays {
  if (!(edgeIndex instanceof Tensor)) throw new ValueError(`${op}: edgeIndex must be a Tensor, got ${typeof edgeIndex}`);
  if (edgeIndex.dtype !== 'int32') throw new DTypeError(`${op}: edgeIndex must be int32, got ${edgeIndex.dtype}`);
  if (edgeIndex.ndim !== 2 || edgeIndex.shape[0] !== 2) {
    throw new ShapeError(`${op}: edgeIndex must be [2, E], got ${fmtShape(edgeIndex.shape)}`);
  }
  const numEdges = edgeIndex.shape[1]!;
  const data = edgeIndex.data as Int32Array;
  const row = data.subarray(0, numEdges);
  const col = data.subarray(numEdges, 2 * numEdges);
  if (numNodes !== undefined) {
    checkNumNodes(op, numNodes);
    checkNodeIds(op, row, numNodes, 'source');
    checkNodeIds(op, col, numNodes, 'target');
  }
  return { row, col, numEdges };
}

export function checkNumNodes(op: string, numNodes: number): void {
  if (!Number.isInteger(numNodes) || numNodes < 0) throw new ValueError(`${op}: numNodes must be a non-negative integer, got ${numNodes}`);
}

export function checkNodeIds(op: string, ids: Int32Array, numNodes: number, what: string): void {
  for (let e = 0; e < ids.length; e++) {
    const v = ids[e]!;
    if (v < 0 || v >= numNodes) throw new IndexError(`${op}: ${what} node ${v} (entry ${e}) is out of range for numNodes ${numNodes}`);
  }
}

/** Validates an optional edge weight (float, `[E]`). */
export function readEdgeWeight(op: string, edgeWeight: Tensor | null | undefined, numEdges: number, name = 'edgeWeight'): Tensor | null {
  if (edgeWeight === null || edgeWeight === undefined) return null;
  if (!isFloatDType(edgeWeight.dtype)) throw new DTypeError(`${op}: ${name} must be float32 or float64, got ${edgeWeight.dtype}`);
  if (edgeWeight.ndim !== 1 || edgeWeight.shape[0] !== numEdges) {
    throw new ShapeError(`${op}: ${name} must be [${numEdges}] (one value per edge), got ${fmtShape(edgeWeight.shape)}`);
  }
  return edgeWeight;
}

/** An int32 `[2, E]` tensor owning `row` then `col` (copied into one buffer). */
export function makeEdgeIndex(row: ArrayLike<number>, col: ArrayLike<number>): Tensor {
  const numEdges = row.length;
  const data = new Int32Array(2 * numEdges);
  data.set(row, 0);
  data.set(col, numEdges);
  return new Tensor(data, [2, numEdges], 'int32');
}

/** An int32 `[2, E]` tensor over `data` (row then col), without a copy. */
export function wrapEdgeIndex(data: Int32Array): Tensor {
  return new Tensor(data, [2, data.length / 2], 'int32');
}

/** An int32 `[n]` tensor over `data`, without a copy. */
export function wrapInt32(data: Int32Array): Tensor {
  return new Tensor(data, [data.length], 'int32');
}

/** A float `[n]` (or `shape`) tensor over `data`, without a copy. */
export function wrapFloat(data: FloatArray, dtype: FloatDType, shape: readonly number[] = [data.length]): Tensor {
  return new Tensor(data, shape, dtype);
}

export function newFloatArray(dtype: FloatDType, size: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
}

export function checkFloatDType(op: string, dtype: unknown): FloatDType {
  if (dtype !== 'float32' && dtype !== 'float64') throw new DTypeError(`${op}: dtype must be float32 or float64, got ${String(dtype)}`);
  return dtype;
}

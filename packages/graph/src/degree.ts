/** Node degrees from an index vector, PyG's `degree` (with optional weights). */
import { DTypeError, ShapeError, indexAdd, zeros, fmtShape, type FloatDType, type Tensor } from '@tensorloom/core-tensor';
import { checkFloatDType, checkNodeIds, checkNumNodes, newFloatArray, readEdgeWeight, wrapFloat } from './tensors.js';

export interface DegreeOptions {
  /** N, the length of the result. */
  numNodes: number;
  /** `[E]` float weights: the weighted degree `Σ_e weight[e]` (differentiable). Default: count edges. */
  weight?: Tensor | null;
  /** The result's dtype without weights (default `'float32'`); with weights it is theirs. */
  dtype?: FloatDType;
}

/**
 * `deg[i] = #{e : index[e] = i}` (or `Σ_{e : index[e] = i} weight[e]`). Pass `edgeIndex[1]`
 * (targets) for in-degrees, the degree GCN normalises by, or `edgeIndex[0]` for out-degrees.
 *
 * Shapes: index int32 `[E]`, weight `[E]` → `[N]`.
 * @example degree(tensor([0, 1, 0], { dtype: 'int32' }), { numNodes: 3 })  // [2, 1, 0]
 */
export function degree(index: Tensor, options: DegreeOptions): Tensor {
  const op = 'degree';
  const { numNodes } = options;
  checkNumNodes(op, numNodes);
  if (index.dtype !== 'int32') throw new DTypeError(`${op}: index must be int32, got ${index.dtype}`);
  if (index.ndim !== 1) throw new ShapeError(`${op}: index must be 1-D [E], got ${fmtShape(index.shape)}`);
  const ids = index.data as Int32Array;
  checkNodeIds(op, ids, numNodes, 'index');
  const weight = readEdgeWeight(op, options.weight, ids.length, 'weight');
  if (weight !== null) return indexAdd(zeros([numNodes], { dtype: weight.dtype }), 0, index, weight);
  const dtype = checkFloatDType(op, options.dtype ?? 'float32');
  const out = newFloatArray(dtype, numNodes);
  for (let e = 0; e < ids.length; e++) out[ids[e]!]! += 1;
  return wrapFloat(out, dtype);
}

/** GCN's symmetric normalisation of an edge list, PyG's `gcn_norm`. */
import {
  indexAdd,
  indexSelect,
  isGradEnabled,
  mul,
  ne,
  pow,
  ValueError,
  where,
  zeros,
  type FloatDType,
  type Tensor,
} from '@tensorloom/core-tensor';
import { addRemainingSelfLoops } from './self-loops.js';
import { checkFloatDType, newFloatArray, readEdgeIndex, readEdgeWeight, wrapFloat, wrapInt32 } from './tensors.js';

export type Flow = 'source_to_target' | 'target_to_source';

export interface GCNNormOptions {
  /** N, the number of nodes. */
  numNodes: number;
  /** `[E]` float edge weights (default all ones). Differentiable. */
  edgeWeight?: Tensor | null;
  /** Give every node a self-loop first, as `addRemainingSelfLoops` (default true). */
  addSelfLoops?: boolean;
  /** The self-loop weight is 2 instead of 1 (`Ã = A + 2I`, default false). */
  improved?: boolean;
  /**
   * Which end's degree is summed (default `'source_to_target'`: in-degree at the target, the
   * receiving node, as PyG).
   */
  flow?: Flow;
  /** dtype of the weights when `edgeWeight` is not given (default `'float32'`). */
  dtype?: FloatDType;
}

/**
 * The per-edge coefficients of `Â = D̃^-1/2 Ã D̃^-1/2` (Kipf & Welling), as PyG's `gcn_norm`:
 *
 * ```
 * Ã = A + fill·I   (only nodes without a loop get one; fill = 1, or 2 when improved)
 * d̃_i = Σ_{e : target(e) = i} w_e
 * norm_e = w_e / √(d̃_source(e) · d̃_target(e))     (a node of degree 0 contributes 0, not ∞)
 * ```
 *
 * Duplicate edges are kept (each is counted in the degree and gets its own coefficient), and the
 * coefficients are differentiable in `edgeWeight`.
 *
 * Shapes: edgeIndex int32 `[2, E]`, edgeWeight `[E]` → edgeIndex `[2, E']`, edgeWeight `[E']`
 * (E' = E − L + N with self-loops, E without).
 * @example
 * const { edgeIndex, edgeWeight } = gcnNorm(data.edgeIndex, { numNodes: data.numNodes });
 * // out_i = Σ_e edgeWeight[e] · x[source(e)] over the edges e into i is Â·X.
 */
export function gcnNorm(edgeIndex: Tensor, options: GCNNormOptions): { edgeIndex: Tensor; edgeWeight: Tensor } {
  const op = 'gcnNorm';
  const { numNodes, addSelfLoops = true, improved = false, flow = 'source_to_target' } = options;
  if (flow !== 'source_to_target' && flow !== 'target_to_source') {
    throw new ValueError(`${op}: flow must be 'source_to_target' or 'target_to_source', got ${String(flow)}`);
  }
  const { numEdges } = readEdgeIndex(op, edgeIndex, numNodes);
  let weight = readEdgeWeight(op, options.edgeWeight, numEdges);
  if (weight === null) {
    const dtype = checkFloatDType(op, options.dtype ?? 'float32');
    weight = wrapFloat(newFloatArray(dtype, numEdges).fill(1), dtype);
  }
  let index = edgeIndex;
  if (addSelfLoops) {
    const looped = addRemainingSelfLoops(edgeIndex, { numNodes, edgeWeight: weight, fillValue: improved ? 2 : 1 });
    index = looped.edgeIndex;
    weight = looped.edgeWeight!;
  }
  const { row, col } = readEdgeIndex(op, index);
  const degreeAt = flow === 'source_to_target' ? col : row;
  if (weight.requiresGrad && isGradEnabled()) {
    return { edgeIndex: index, edgeWeight: differentiableNorm(weight, row, col, degreeAt, numNodes) };
  }
  const w = weight.data as Float32Array | Float64Array;
  const deg = newFloatArray(weight.dtype as FloatDType, numNodes);
  for (let e = 0; e < w.length; e++) deg[degreeAt[e]!]! += w[e]!;
  for (let i = 0; i < numNodes; i++) deg[i] = deg[i] === 0 ? 0 : 1 / Math.sqrt(deg[i]!);
  const out = newFloatArray(weight.dtype as FloatDType, w.length);
  for (let e = 0; e < w.length; e++) out[e] = deg[row[e]!]! * w[e]! * deg[col[e]!]!;
  return { edgeIndex: index, edgeWeight: wrapFloat(out, weight.dtype as FloatDType) };
}

/** The same formula through recorded ops, so gradients reach `weight`. */
function differentiableNorm(weight: Tensor, row: Int32Array, col: Int32Array, degreeAt: Int32Array, numNodes: number): Tensor {
  const deg = indexAdd(zeros([numNodes], { dtype: weight.dtype }), 0, wrapInt32(degreeAt.slice()), weight);
  const nonzero = ne(deg, 0);
  // Raise a safe base so that masked nodes give 0, not 0 · ∞ = NaN, in the backward pass.
  const invSqrt = where(nonzero, pow(where(nonzero, deg, 1), -0.5), 0);
  const sourceScale = indexSelect(invSqrt, 0, wrapInt32(row.slice()));
  const targetScale = indexSelect(invSqrt, 0, wrapInt32(col.slice()));
  return mul(mul(sourceScale, weight), targetScale);
}

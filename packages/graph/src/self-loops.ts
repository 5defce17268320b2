/**
 * Self-loop utilities on edge indices, PyG's `add_self_loops`, `add_remaining_self_loops`,
 * `remove_self_loops` and `contains_self_loops`. Edge weights follow the edges through one
 * `indexSelect` over `[edgeWeight, fill]`, so they stay differentiable.
 */
import { concat, full, indexSelect, type Tensor } from '@tensorloom/core-tensor';
import { readEdgeIndex, readEdgeWeight, wrapEdgeIndex, wrapInt32 } from './tensors.js';

/** An edge index with its (optional) per-edge weights. */
export interface WeightedEdges {
  /** int32 `[2, E']`. */
  edgeIndex: Tensor;
  /** `[E']` weights in edge order, or null when none came in. */
  edgeWeight: Tensor | null;
}

export interface SelfLoopOptions {
  /** N, the number of nodes (loops go on `0 … N-1`). */
  numNodes: number;
  /** `[E]` float weights carried along (default none: the result's `edgeWeight` is null). */
  edgeWeight?: Tensor | null;
  /** The weight of each added loop (default 1). */
  fillValue?: number;
}

/** `[edgeWeight, fillValue]` indexed by `take`, where index E means "the fill value". */
function takeWeights(edgeWeight: Tensor | null, take: Int32Array, fillValue: number): Tensor | null {
  if (edgeWeight === null) return null;
  const extended = concat([edgeWeight, full([1], fillValue, { dtype: edgeWeight.dtype })]);
  return indexSelect(extended, 0, wrapInt32(take));
}

/**
 * Appends one self-loop `(i, i)` per node after the existing edges, keeping any loops already
 * there (PyG's `add_self_loops`): Ã = A + I, so a node with a loop ends with two.
 *
 * Shapes: edgeIndex `[2, E]` → `[2, E + N]`; edgeWeight `[E]` → `[E + N]` (new entries `fillValue`).
 * @example addSelfLoops(edgeIndex, { numNodes: 3 }).edgeIndex  // …edges, then [[0,1,2],[0,1,2]]
 */
export function addSelfLoops(edgeIndex: Tensor, options: SelfLoopOptions): WeightedEdges {
  const op = 'addSelfLoops';
  const { numNodes, fillValue = 1 } = options;
  const { row, col, numEdges } = readEdgeIndex(op, edgeIndex, numNodes);
  const weight = readEdgeWeight(op, options.edgeWeight, numEdges);
  const total = numEdges + numNodes;
  const data = new Int32Array(2 * total);
  data.set(row, 0);
  data.set(col, total);
  const take = new Int32Array(total);
  for (let e = 0; e < numEdges; e++) take[e] = e;
  for (let i = 0; i < numNodes; i++) {
    data[numEdges + i] = i;
    data[total + numEdges + i] = i;
    take[numEdges + i] = numEdges;
  }
  return { edgeIndex: wrapEdgeIndex(data), edgeWeight: takeWeights(weight, take, fillValue) };
}

/**
 * Gives every node exactly one self-loop (PyG's `add_remaining_self_loops`): the non-loop edges
 * keep their order, every existing loop is taken out, and then one loop per node `0 … N-1` is
 * appended. A node that had a loop keeps its weight (the last one, if it had several); the others
 * get `fillValue`. This is what GCN's normalisation uses.
 *
 * Shapes: edgeIndex `[2, E]` → `[2, E − L + N]` for L existing loops.
 * @example addRemainingSelfLoops(tensor([[0, 1], [1, 1]], { dtype: 'int32' }), { numNodes: 2 }).edgeIndex   // [[0, 0, 1], [1, 0, 1]]
 */
export function addRemainingSelfLoops(edgeIndex: Tensor, options: SelfLoopOptions): WeightedEdges {
  const op = 'addRemainingSelfLoops';
  const { numNodes, fillValue = 1 } = options;
  const { row, col, numEdges } = readEdgeIndex(op, edgeIndex, numNodes);
  const weight = readEdgeWeight(op, options.edgeWeight, numEdges);
  const loopSource = new Int32Array(numNodes).fill(numEdges); // numEdges = "use the fill value"
  let kept = 0;
  for (let e = 0; e < numEdges; e++) {
    if (row[e] === col[e]) loopSource[row[e]!] = e;
    else kept++;
  }
  const total = kept + numNodes;
  const data = new Int32Array(2 * total);
  const take = new Int32Array(total);
  let k = 0;
  for (let e = 0; e < numEdges; e++) {
    if (row[e] === col[e]) continue;
    data[k] = row[e]!;
    data[total + k] = col[e]!;
    take[k++] = e;
  }
  for (let i = 0; i < numNodes; i++, k++) {
    data[k] = i;
    data[total + k] = i;
    take[k] = loopSource[i]!;
  }
  return { edgeIndex: wrapEdgeIndex(data), edgeWeight: takeWeights(weight, take, fillValue) };
}

/**
 * Drops every edge `(i, i)` (PyG's `remove_self_loops`); the others keep their order and weights.
 *
 * Shapes: edgeIndex `[2, E]` → `[2, E − L]`; edgeWeight likewise.
 * @example removeSelfLoops(tensor([[0, 1], [1, 1]], { dtype: 'int32' })).edgeIndex   // [[0], [1]]
 */
export function removeSelfLoops(edgeIndex: Tensor, options: { edgeWeight?: Tensor | null } = {}): WeightedEdges {
  const op = 'removeSelfLoops';
  const { row, col, numEdges } = readEdgeIndex(op, edgeIndex);
  const weight = readEdgeWeight(op, options.edgeWeight, numEdges);
  let kept = 0;
  for (let e = 0; e < numEdges; e++) if (row[e] !== col[e]) kept++;
  const data = new Int32Array(2 * kept);
  const take = new Int32Array(kept);
  let k = 0;
  for (let e = 0; e < numEdges; e++) {
    if (row[e] === col[e]) continue;
    data[k] = row[e]!;
    data[kept + k] = col[e]!;
    take[k++] = e;
  }
  return { edgeIndex: wrapEdgeIndex(data), edgeWeight: takeWeights(weight, take, 0) };
}

/**
 * True when some edge is a self-loop `(i, i)` (PyG's `contains_self_loops`).
 * @example containsSelfLoops(tensor([[0, 1], [1, 1]], { dtype: 'int32' }))   // true
 */
export function containsSelfLoops(edgeIndex: Tensor): boolean {
  const { row, col, numEdges } = readEdgeIndex('containsSelfLoops', edgeIndex);
  for (let e = 0; e < numEdges; e++) if (row[e] === col[e]) return true;
  return false;
}

/**
 * A spatio-temporal signal on a static graph (PyTorch Geometric Temporal's
 * `StaticGraphTemporalSignal`): one graph, and per time step a node-feature matrix and a node target.
 * Stored as whole tensors (features `[T, N, F]`) rather than a list of snapshots, so a recurrent
 * graph cell can be unrolled over `features` directly and a snapshot is a row of it.
 */
import { DTypeError, ShapeError, Tensor, ValueError, fmtShape, isFloatDType, type FloatDType } from '@tensorloom/core-tensor';
import { readEdgeIndex, readEdgeWeight } from '../tensors.js';

/**
 * A static graph with a sequence of `length` snapshots.
 *
 * - `edgeIndex` int32 `[2, E]`, `edgeWeight` `[E]` (the features' dtype; all ones when the graph is unweighted);
 * - `features` `[T, N, F]` (float32 or float64): snapshot t's node features are `features[t]`;
 * - `targets` `[T, N]`, the features' dtype: snapshot t's node targets are `targets[t]`;
 * - `numNodes` N, `length` T, and `nodeNames` (N names by node id) when the source has them.
 */
export interface TemporalSignal {
  edgeIndex: Tensor;
  edgeWeight: Tensor;
  features: Tensor;
  targets: Tensor;
  numNodes: number;
  length: number;
  nodeNames?: readonly string[];
}

/** What `createTemporalSignal` takes: the tensors of a signal, the edge weight optional. */
export interface TemporalSignalInit {
  /** int32 `[2, E]`, every id in `[0, N)`. */
  edgeIndex: Tensor;
  /** `[E]` of the features' dtype. Default: all ones. */
  edgeWeight?: Tensor | null;
  /** `[T, N, F]`, float32 or float64. */
  features: Tensor;
  /** `[T, N]`, the features' dtype. */
  targets: Tensor;
  /** N names, by node id. */
  nodeNames?: readonly string[];
}

/**
 * A `TemporalSignal` from its tensors, checked: `features` float `[T, N, F]`, `targets` `[T, N]` of
 * the same dtype, `edgeIndex` int32 `[2, E]` with ids in `[0, N)`, `edgeWeight` `[E]` of the same dtype
 * (default all ones), `nodeNames` N long. A wrong shape is a `ShapeError`, a wrong dtype a
 * `DTypeError`, an id out of range an `IndexError`, and a NaN or infinity in the features, targets or
 * weights a `ValueError` naming where. The tensors are used as given (not copied).
 *
 * @example
 * const signal = createTemporalSignal({
 *   edgeIndex: tensor([[0, 1], [1, 0]], { dtype: 'int32' }),
 *   features: zeros([10, 2, 3]),   // 10 steps, 2 nodes, 3 features
 *   targets: zeros([10, 2]),
 * });
 * signal.length;                   // 10
 */
export function createTemporalSignal(init: TemporalSignalInit): TemporalSignal {
  const op = 'createTemporalSignal';
  const { features, targets } = init;
  const dtype = readFloat(op, 'features', features);
  if (features.ndim !== 3) throw new ShapeError(`${op}: features must be [T, N, F], got ${fmtShape(features.shape)}`);
  const [length, numNodes] = features.shape as [number, number, number];
  readFloat(op, 'targets', targets, dtype);
  if (targets.ndim !== 2 || targets.shape[0] !== length || targets.shape[1] !== numNodes) {
    throw new ShapeError(`${op}: targets must be [T, N] = [${length}, ${numNodes}] as the features, got ${fmtShape(targets.shape)}`);
  }
  const edgeWeight = signalEdgeWeight(op, init.edgeIndex, init.edgeWeight, numNodes, dtype);
  checkFinite(op, 'features', features);
  checkFinite(op, 'targets', targets);
  return { edgeIndex: init.edgeIndex, edgeWeight, features, targets, numNodes, length, ...names(op, init.nodeNames, numNodes) };
}

/** Internal: the dtype of a float tensor (which must equal `expected` when given). */
export function readFloat(op: string, name: string, x: Tensor, expected?: FloatDType): FloatDType {
  if (!(x instanceof Tensor)) throw new ValueError(`${op}: ${name} must be a Tensor, got ${typeof x}`);
  if (!isFloatDType(x.dtype)) throw new DTypeError(`${op}: ${name} must be float32 or float64, got ${x.dtype}`);
  if (expected !== undefined && x.dtype !== expected) {
    throw new DTypeError(`${op}: ${name} must have the features' dtype ${expected}, got ${x.dtype} (convert it with .to('${expected}'))`);
  }
  return x.dtype as FloatDType;
}

/** Internal: checks the graph of a signal and returns its edge weight (all ones when none is given). */
export function signalEdgeWeight(
  op: string,
  edgeIndex: Tensor,
  edgeWeight: Tensor | null | undefined,
  numNodes: number,
  dtype: FloatDType,
): Tensor {
  const { numEdges } = readEdgeIndex(op, edgeIndex, numNodes);
  const weight = readEdgeWeight(op, edgeWeight, numEdges);
  if (weight === null) {
    const ones = Tensor.empty([numEdges], dtype);
    ones.data.fill(1);
    return ones;
  }
  readFloat(op, 'edgeWeight', weight, dtype);
  checkFinite(op, 'edgeWeight', weight);
  return weight;
}

/** Internal: `{ nodeNames }` when names are given (checked to be N strings), else `{}`. */
export function names(op: string, nodeNames: readonly string[] | undefined, numNodes: number): { nodeNames?: readonly string[] } {
  if (nodeNames === undefined) return {};
  if (!Array.isArray(nodeNames) || nodeNames.some((name) => typeof name !== 'string')) {
    throw new ValueError(`${op}: nodeNames must be an array of strings`);
  }
  if (nodeNames.length !== numNodes)
    throw new ShapeError(`${op}: nodeNames must name the ${numNodes} nodes, got ${nodeNames.length} names`);
  return { nodeNames: Object.freeze([...nodeNames]) };
}

/**
 * Internal: a NaN or infinity is an error naming the first one by its index and how many there are:
 * a model would turn it into a NaN loss far from where it came from.
 */
export function checkFinite(op: string, name: string, x: Tensor): void {
  const data = x.data;
  let count = 0;
  let first = -1;
  for (let i = 0; i < data.length; i++) {
    if (Number.isFinite(data[i]!)) continue;
    if (count++ === 0) first = i;
  }
  if (count === 0) return;
  const index: number[] = [];
  let rest = first;
  for (let d = x.ndim - 1; d >= 0; d--) {
    index.unshift(rest % x.shape[d]!);
    rest = Math.floor(rest / x.shape[d]!);
  }
  throw new ValueError(
    `${op}: ${name} ${fmtShape(x.shape)} holds ${count} non-finite value${count === 1 ? '' : 's'}, ` +
      `the first ${String(data[first])} at [${index.join(', ')}]; fill or drop the missing data first`,
  );
}

/** Internal: rows `[start, end)` of `x` (all by default) with their own storage, outside autograd (a dataset's tensors are data). */
export function copyRows(x: Tensor, start = 0, end = x.shape[0]!): Tensor {
  const rowSize = x.shape.slice(1).reduce((a, b) => a * b, 1);
  const out = Tensor.empty([end - start, ...x.shape.slice(1)], x.dtype);
  out.data.set(x.data.subarray(start * rowSize, end * rowSize));
  return out;
}

/** Internal: the shapes and dtypes of a signal, as every function that takes one needs them (no scan of the values). */
export function checkSignal(op: string, signal: TemporalSignal): void {
  if (typeof signal !== 'object' || signal === null) throw new ValueError(`${op}: expected a TemporalSignal, got ${String(signal)}`);
  const { features, targets, length, numNodes } = signal;
  const dtype = readFloat(op, 'signal.features', features);
  if (features.ndim !== 3 || features.shape[0] !== length || features.shape[1] !== numNodes) {
    throw new ShapeError(
      `${op}: signal.features must be [length, numNodes, F] = [${length}, ${numNodes}, F], got ${fmtShape(features.shape)}`,
    );
  }
  readFloat(op, 'signal.targets', targets, dtype);
  if (targets.ndim !== 2 || targets.shape[0] !== length || targets.shape[1] !== numNodes) {
    throw new ShapeError(`${op}: signal.targets must be [length, numNodes] = [${length}, ${numNodes}], got ${fmtShape(targets.shape)}`);
  }
}

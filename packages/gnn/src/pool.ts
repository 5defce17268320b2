/**
 * Global pooling: one vector per graph from the node vectors of a batch of graphs (PyTorch
 * Geometric's `global_add_pool`, `global_mean_pool`, `global_max_pool`), for graph-level tasks.
 */
import {
  DTypeError,
  IndexError,
  ShapeError,
  ValueError,
  fmtShape,
  isFloatDType,
  max,
  mean,
  scatter,
  sum,
  type Tensor,
} from '@tensorloom/core-tensor';

/** Options of the global pooling functions. */
export interface GlobalPoolOptions {
  /** The number of graphs B. Default: `max(batch) + 1` (1 without `batch`). */
  size?: number;
}

type Reduce = 'sum' | 'mean' | 'max';

function globalPool(op: string, reduce: Reduce, x: Tensor, batch: Tensor | null | undefined, options: GlobalPoolOptions): Tensor {
  if (!isFloatDType(x.dtype)) throw new DTypeError(`${op}: x must be float32 or float64, got ${x.dtype}`);
  if (x.ndim !== 2) throw new ShapeError(`${op}: x must be [N, F], got ${fmtShape(x.shape)}`);
  if (batch === null || batch === undefined) {
    if (options.size !== undefined && options.size !== 1)
      throw new ValueError(`${op}: without a batch vector there is one graph, got size ${options.size}`);
    if (reduce === 'sum') return sum(x, 0, { keepdim: true });
    if (reduce === 'mean') return mean(x, 0, { keepdim: true });
    return max(x, 0, { keepdim: true });
  }
  if (batch.dtype !== 'int32') throw new DTypeError(`${op}: batch must be int32, got ${batch.dtype}`);
  if (batch.ndim !== 1 || batch.shape[0] !== x.shape[0]) {
    throw new ShapeError(`${op}: batch must be [N] with N = ${x.shape[0]} (one graph index per node), got ${fmtShape(batch.shape)}`);
  }
  const graphOf = batch.data as Int32Array;
  let size = options.size;
  if (size === undefined) {
    size = 0;
    for (let k = 0; k < graphOf.length; k++) size = Math.max(size, graphOf[k]! + 1);
  } else if (!Number.isInteger(size) || size < 0) {
    throw new ValueError(`${op}: size must be a non-negative integer, got ${size}`);
  }
  for (let k = 0; k < graphOf.length; k++) {
    if (graphOf[k]! < 0 || graphOf[k]! >= size)
      throw new IndexError(`${op}: node ${k} belongs to graph ${graphOf[k]}, out of range for ${size} graphs`);
  }
  return scatter(x, batch, { dimSize: size, reduce });
}

/**
 * Sums the nodes of each graph: `out[b] = Σ_{n : batch[n] = b} x[n]`.
 *
 * Shapes: x `[N, F]`, batch int32 `[N]` (graph of each node; null = all one graph) → `[B, F]`
 * (`B = size`, default max(batch) + 1; a graph without nodes gives zeros).
 * @example globalAddPool(x, tensor([0, 0, 1], { dtype: 'int32' }))  // [2, F]
 */
export function globalAddPool(x: Tensor, batch?: Tensor | null, options: GlobalPoolOptions = {}): Tensor {
  return globalPool('globalAddPool', 'sum', x, batch, options);
}

/**
 * Averages the nodes of each graph: `out[b] = mean_{n : batch[n] = b} x[n]` (zeros for a graph
 * without nodes). Shapes as {@link globalAddPool}.
 * @example globalMeanPool(x, batch, { size: 4 })  // [4, F]
 */
export function globalMeanPool(x: Tensor, batch?: Tensor | null, options: GlobalPoolOptions = {}): Tensor {
  return globalPool('globalMeanPool', 'mean', x, batch, options);
}

/**
 * The feature-wise maximum over the nodes of each graph (zeros for a graph without nodes; the
 * gradient goes to the first maximal node). Shapes as {@link globalAddPool}.
 * @example globalMaxPool(x, batch)  // [B, F]
 */
export function globalMaxPool(x: Tensor, batch?: Tensor | null, options: GlobalPoolOptions = {}): Tensor {
  return globalPool('globalMaxPool', 'max', x, batch, options);
}

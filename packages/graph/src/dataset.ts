/** The node-classification dataset type shared by the loaders and the gnn package. */
import type { Tensor } from '@tensorloom/core-tensor';
import type { AnyGraph } from './graphology.js';
import type { NodeIndex } from './node-index.js';

/**
 * A node-classification dataset: PyG's `Data` with the Planetoid split as node rows.
 *
 * - `x` float32 `[N, F]` (not row-normalised: see `normalizeFeatures`), `y` int32 `[N]` with -1
 *   for unlabelled nodes;
 * - `edgeIndex` int32 `[2, E]`, both directions of every undirected edge, no self-loops;
 * - `trainIndex`, `valIndex`, `testIndex` int32 node rows;
 * - `graph` a graphology graph over the same nodes (built on first access for the loaders).
 */
export interface GraphDataset {
  readonly name: string;
  readonly graph: AnyGraph;
  readonly index: NodeIndex;
  readonly x: Tensor;
  readonly y: Tensor;
  readonly edgeIndex: Tensor;
  /** `[E]` edge weights, or null (unweighted). The loaders always set it. */
  readonly edgeWeight?: Tensor | null;
  readonly numNodes: number;
  readonly numFeatures: number;
  readonly numClasses: number;
  readonly trainIndex: Tensor;
  readonly valIndex: Tensor;
  readonly testIndex: Tensor;
  /** Class names by id when the source has them (karate: `['Mr. Hi', 'Officer']`), else null. The loaders always set it. */
  readonly classNames?: readonly string[] | null;
}

/** What `createGraphDataset` takes: a dataset whose graph may be built lazily. */
export interface GraphDatasetInit extends Omit<GraphDataset, 'graph'> {
  /** The graph, or a function that builds it on first access of `dataset.graph`. */
  graph: AnyGraph | (() => AnyGraph);
}

/**
 * A `GraphDataset` from its parts; a `graph` given as a function runs once, on first access.
 * @example
 * createGraphDataset({ name: 'mine', graph: () => toGraph(edgeIndex, { numNodes }), index: NodeIndex.range(numNodes),
 *   x, y, edgeIndex, … })
 */
export function createGraphDataset(init: GraphDatasetInit): GraphDataset {
  const { graph, ...rest } = init;
  let built: AnyGraph | null = typeof graph === 'function' ? null : graph;
  const build = typeof graph === 'function' ? graph : null;
  return {
    ...rest,
    edgeWeight: init.edgeWeight ?? null,
    classNames: init.classNames ?? null,
    get graph(): AnyGraph {
      if (built === null) built = build!();
      return built;
    },
  };
}

/** The course's example graph (Assignment 2, Part 3). */
import { UndirectedGraph, type AnyGraph } from './graphology.js';

/** The six nodes of the course's example graph, in order. */
export const SEED_GRAPH_NODES = ['A', 'B', 'C', 'D', 'E', 'F'] as const;

/** Its six undirected edges. */
export const SEED_GRAPH_EDGES = [
  ['A', 'B'],
  ['A', 'E'],
  ['A', 'F'],
  ['B', 'D'],
  ['C', 'D'],
  ['D', 'F'],
] as const;

/**
 * The course's undirected example graph: nodes A–F (in that order, so rows 0–5), edges A–B, A–E,
 * A–F, B–D, C–D, D–F. Its `Ã = A + I` is
 *
 * ```
 *   A B C D E F
 * A 1 1 0 0 1 1
 * B 1 1 0 1 0 0
 * C 0 0 1 1 0 0
 * D 0 1 1 1 0 1
 * E 1 0 0 0 1 0
 * F 1 0 0 1 0 1
 * ```
 *
 * and information from C reaches E after 4 message-passing layers (C–D–B–A–E or C–D–F–A–E).
 *
 * @example
 * const { edgeIndex } = toEdgeIndex(seedGraph());
 * gcnMatrices(edgeIndex, { numNodes: 6 }).adjacencyWithSelfLoops.toDense();   // Ã above
 */
export function seedGraph(): AnyGraph {
  const graph = new UndirectedGraph();
  for (const node of SEED_GRAPH_NODES) graph.addNode(node);
  for (const [u, v] of SEED_GRAPH_EDGES) graph.addEdge(u, v);
  return graph;
}

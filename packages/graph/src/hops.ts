/**
 * How far information travels under message passing: after k layers, node v has heard from every
 * node u with a path u → … → v of at most k edges (each layer moves information one edge along
 * source → target; undirected edges carry it both ways).
 */
import { ValueError } from '@tensorloom/core-tensor';
import type { AnyGraph } from './graphology.js';

function requireNode(op: string, graph: AnyGraph, node: string): void {
  if (!graph.hasNode(node)) throw new ValueError(`${op}: node '${node}' is not in the graph`);
}

function requireLayers(op: string, layers: number): void {
  if (!Number.isInteger(layers) || layers < 0) throw new ValueError(`${op}: layers must be a non-negative integer, got ${layers}`);
}

/**
 * Breadth-first distances from `start`, following edges forwards (out and undirected neighbours)
 * or backwards (in and undirected), up to `limit` hops.
 */
function bfs(graph: AnyGraph, start: string, direction: 'forward' | 'backward', limit: number, stopAt?: string): Map<string, number> {
  const distance = new Map<string, number>([[start, 0]]);
  let frontier = [start];
  for (let hops = 1; hops <= limit && frontier.length > 0; hops++) {
    const next: string[] = [];
    for (const node of frontier) {
      const visit = (neighbor: string): void => {
        if (distance.has(neighbor)) return;
        distance.set(neighbor, hops);
        next.push(neighbor);
      };
      if (direction === 'forward') graph.forEachOutboundNeighbor(node, visit);
      else graph.forEachInboundNeighbor(node, visit);
    }
    if (stopAt !== undefined && distance.has(stopAt)) break;
    frontier = next;
  }
  return distance;
}

/**
 * The number of message-passing layers after which information from `from` first reaches `to`:
 * the length of the shortest path `from → … → to` (directed edges only forwards, undirected both
 * ways). 0 when `from === to`; `Infinity` when no number of layers suffices.
 *
 * @example hopDistance(seedGraph(), 'C', 'E')   // 4 (C–D–B–A–E)
 */
export function hopDistance(graph: AnyGraph, from: string, to: string): number {
  const op = 'hopDistance';
  requireNode(op, graph, from);
  requireNode(op, graph, to);
  return bfs(graph, from, 'forward', Infinity, to).get(to) ?? Infinity;
}

/**
 * Hop distances from `from` to every node it reaches (within `maxHops`, default no limit), as
 * graphology's `singleSourceLength`: a mapping key → layers, unreachable nodes left out.
 *
 * @example hopDistances(seedGraph(), 'C')   // { C: 0, D: 1, B: 2, F: 2, A: 3, E: 4 }
 */
export function hopDistances(graph: AnyGraph, from: string, options: { maxHops?: number } = {}): Record<string, number> {
  const op = 'hopDistances';
  requireNode(op, graph, from);
  const maxHops = options.maxHops ?? Infinity;
  if (maxHops !== Infinity) requireLayers(op, maxHops);
  return Object.fromEntries(bfs(graph, from, 'forward', maxHops));
}

/**
 * The k-hop receptive field of `node`: every node whose information reaches it within `layers`
 * message-passing layers (paths u → … → node of at most k edges), itself included, nearest first.
 *
 * @example receptiveField(seedGraph(), 'E', { layers: 2 })   // ['E', 'A', 'B', 'F']
 */
export function receptiveField(graph: AnyGraph, node: string, options: { layers: number }): string[] {
  const op = 'receptiveField';
  requireNode(op, graph, node);
  requireLayers(op, options.layers);
  return [...bfs(graph, node, 'backward', options.layers).keys()];
}

export interface ReceptiveFieldSizeOptions {
  /** k, the number of message-passing layers. */
  layers: number;
}

export interface ReceptiveFieldSizeAssignOptions extends ReceptiveFieldSizeOptions {
  /** The node attribute written (default `'receptiveFieldSize'`). */
  attribute?: string;
}

/**
 * The size of every node's k-hop receptive field (itself included), as a mapping key → count;
 * `receptiveFieldSize.assign` writes it to a node attribute instead, as graphology's metrics do.
 *
 * @example
 * receptiveFieldSize(seedGraph(), { layers: 1 }).A            // 4 (A, B, E, F)
 * receptiveFieldSize.assign(graph, { layers: 2 });             // graph.getNodeAttribute('A', 'receptiveFieldSize')
 */
export const receptiveFieldSize: {
  (graph: AnyGraph, options: ReceptiveFieldSizeOptions): Record<string, number>;
  assign(graph: AnyGraph, options: ReceptiveFieldSizeAssignOptions): void;
} = Object.assign(
  (graph: AnyGraph, options: ReceptiveFieldSizeOptions): Record<string, number> => {
    requireLayers('receptiveFieldSize', options.layers);
    const sizes: Record<string, number> = {};
    graph.forEachNode((node) => {
      sizes[node] = bfs(graph, node, 'backward', options.layers).size;
    });
    return sizes;
  },
  {
    assign(graph: AnyGraph, options: ReceptiveFieldSizeAssignOptions): void {
      const sizes = receptiveFieldSize(graph, options);
      const attribute = options.attribute ?? 'receptiveFieldSize';
      graph.updateEachNodeAttributes((node, attributes) => ({ ...attributes, [attribute]: sizes[node] }));
    },
  },
);

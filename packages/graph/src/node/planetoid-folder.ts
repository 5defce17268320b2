/** Planetoid-style CSV folders on disk (Node): the format, its checks, `loadPlanetoid` and `savePlanetoid`. */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ValueError } from '@tensorloom/core-tensor';
import type { GraphDataset } from '../dataset.js';
import { readNumericCsv } from '../datasets/csv.js';
import { checkPlanetoidSize, featureWidth, planetoidDataset, type PlanetoidFeatureOptions } from '../datasets/planetoid.js';
import { DatasetNotFoundError, GraphParseError, MissingAttributeError } from '../errors.js';
import { checkSplit } from '../split.js';
import { readTextFile } from './files.js';

export interface LoadPlanetoidOptions extends PlanetoidFeatureOptions {
  /**
   * Receives notices, such as the choice of random features for a folder without `features.csv`.
   * Default: print each distinct one to stderr once.
   */
  onNotice?: (message: string) => void;
  /**
   * The column of `labels.csv` that holds the classes (default `'label'`). A `labels.csv` without
   * it is a `MissingAttributeError` listing the columns it has.
   */
  labelColumn?: string;
}

const printed = new Set<string>();

function printOnce(message: string): void {
  if (printed.has(message)) return;
  printed.add(message);
  process.stderr.write(`${message}\n`);
}

const INT32_MAX = 2 ** 31 - 1;

interface Meta {
  name?: string;
  numNodes?: number;
  numFeatures?: number;
  numClasses?: number;
}

function readJson(file: string, maxBytes: number | undefined): unknown {
  const text = readTextFile(file, maxBytes);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new GraphParseError(`invalid JSON: ${(error as Error).message}`, file, null);
  }
}

function readMeta(file: string, maxBytes: number | undefined): Meta {
  if (!existsSync(file)) return {};
  const raw = readJson(file, maxBytes);
  if (typeof raw !== 'object' || raw === null) throw new GraphParseError('meta.json must hold an object', file, null);
  const meta = raw as Record<string, unknown>;
  if (meta.name !== undefined && typeof meta.name !== 'string') {
    throw new GraphParseError(`name must be a string, got ${JSON.stringify(meta.name)}`, file, null);
  }
  for (const key of ['numNodes', 'numFeatures', 'numClasses']) {
    const v = meta[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isInteger(v) && v >= 0)) {
      throw new GraphParseError(`${key} must be a non-negative integer, got ${JSON.stringify(v)}`, file, null);
    }
  }
  // Class ids are int32; the node and feature counts are checked against memory by the caller.
  if (meta.numClasses !== undefined && (meta.numClasses as number) > INT32_MAX) {
    throw new GraphParseError(`numClasses ${String(meta.numClasses)} is more than int32 labels can number (${INT32_MAX})`, file, null);
  }
  return meta as Meta;
}

function requireFile(op: string, folder: string, name: string): string {
  const file = join(folder, name);
  if (!existsSync(file)) throw new DatasetNotFoundError(`${op}: ${file} is missing`);
  return file;
}

function maxOf(values: Int32Array, start = -1): number {
  let max = start;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  return max;
}

function readSplit(file: string, numNodes: number, maxBytes: number | undefined): { train: Int32Array; val: Int32Array; test: Int32Array } {
  const raw = readJson(file, maxBytes);
  const part = (name: 'train' | 'val' | 'test'): number[] => {
    const list = (raw as Record<string, unknown> | null)?.[name];
    if (!Array.isArray(list)) throw new GraphParseError(`split.json needs a "${name}" array of node ids`, file, null);
    list.forEach((v: unknown, i) => {
      if (typeof v !== 'number' || !Number.isInteger(v)) {
        throw new GraphParseError(`"${name}" holds ${JSON.stringify(v)} at position ${i}, not an integer node id`, file, null);
      }
    });
    return list as number[];
  };
  const split = { train: part('train'), val: part('val'), test: part('test') };
  checkSplit(split, numNodes, file);
  return { train: Int32Array.from(split.train), val: Int32Array.from(split.val), test: Int32Array.from(split.test) };
}

/** The header of a CSV file, as `readNumericCsv` reads it (lower-cased, trimmed). */
function csvHeader(text: string): string[] {
  const end = text.indexOf('\n');
  return (end === -1 ? text : text.slice(0, end))
    .replace(/^\uFEFF/, '')
    .split(',')
    .map((h) => h.trim().toLowerCase());
}

/**
 * Loads a Planetoid-style dataset from a folder of CSV files, the format of your own citation
 * graph (the shipped Cora, CiteSeer and PubMed come from `@tensorloom/datasets` instead):
 *
 * | file | contents |
 * |---|---|
 * | `edges.csv` | header `source,target`, one undirected edge per line (either direction; repeats and self-loops are dropped) |
 * | `labels.csv` | header `node,label`; label `-1` (or no line) = unlabelled |
 * | `split.json` | `{"train": [ids], "val": [ids], "test": [ids]}` |
 * | `features.csv` (optional) | header `node,feature[,value]`, one non-zero per line (value 1 when absent) |
 * | `meta.json` (optional) | `{"name", "numNodes", "numFeatures", "numClasses"}`; inferred from the files when absent |
 *
 * Node ids are 0-based integers. The result is `planetoidDataset`'s (PyG's `Planetoid` with the
 * public split): `edgeIndex` both directions, sorted; `x` float32, not row-normalised; `y` -1 for
 * unlabelled nodes; a graphology `graph` on first access. Without `features.csv` the features are
 * random, announced through `onNotice`, unless `features` is given.
 *
 * Strict: malformed files throw `GraphParseError` (file, line, column), bytes that are not UTF-8
 * text `BinaryInputError`, a `labels.csv` without the `labelColumn` `MissingAttributeError`, a split
 * whose parts overlap, repeat a node or name one out of range `SplitError`, and a node or feature
 * count (from `meta.json` or the largest id) that would need more than `maxBytes` a `GraphSizeError`
 * before anything is allocated; a missing folder or file is a `DatasetNotFoundError`.
 *
 * @example
 * import { loadPlanetoid } from '@tensorloom/graph/node';
 * const mine = loadPlanetoid('data/my-citations');
 */
export function loadPlanetoid(folderPath: string, options: LoadPlanetoidOptions = {}): GraphDataset {
  const op = 'loadPlanetoid';
  const folder = resolve(folderPath);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    const shipped = ['cora', 'citeseer', 'pubmed'].includes(folderPath.toLowerCase());
    throw new DatasetNotFoundError(
      `${op}: no dataset folder at ${folder}` +
        (shipped ? `; the shipped ${folderPath} comes from @tensorloom/datasets (loadCora, loadCiteSeer, loadPubMed)` : ''),
    );
  }
  const notice = options.onNotice ?? printOnce;
  const metaFile = join(folder, 'meta.json');
  const meta = readMeta(metaFile, options.maxBytes);
  const name = meta.name ?? folder.split(/[\\/]/).filter(Boolean).pop() ?? folderPath;
  const labelColumn = (options.labelColumn ?? 'label').toLowerCase();

  const featuresFile = join(folder, 'features.csv');
  const hasFeatureFile = existsSync(featuresFile);
  let features = options.features;
  if (features === undefined) {
    features = hasFeatureFile ? 'file' : 'random';
    if (!hasFeatureFile) {
      notice(
        `${op}: ${name} has no features.csv (${folder}); using random standard-normal features. ` +
          `Pass features: 'random' (or 'identity') to choose explicitly and silence this notice.`,
      );
    }
  }
  if (features === 'file' && !hasFeatureFile) {
    throw new DatasetNotFoundError(`${op}: features: 'file' needs ${featuresFile}, which is missing; use features: 'identity' or 'random'`);
  }
  const widthOf = (numNodes: number, numFeatures: number | null) => featureWidth(numNodes, numFeatures, { ...options, features });
  if (meta.numNodes !== undefined) {
    const withFeatures = features === 'file' && meta.numFeatures !== undefined ? ` × numFeatures ${meta.numFeatures}` : '';
    const field = `${metaFile} numNodes ${meta.numNodes}${withFeatures}`;
    checkPlanetoidSize(op, field, meta.numNodes, widthOf(meta.numNodes, meta.numFeatures ?? 0), options.maxBytes);
  }
  const nodeLimit = (meta.numNodes ?? INT32_MAX) - 1;

  const labelsFile = requireFile(op, folder, 'labels.csv');
  const labelsText = readTextFile(labelsFile, options.maxBytes);
  const header = csvHeader(labelsText);
  if (header[0] === 'node' && !header.slice(1).includes(labelColumn)) {
    throw new MissingAttributeError(
      `no '${labelColumn}' column to take the classes from: the header names ${header.join(', ')}`,
      labelsFile,
      labelColumn,
      header.slice(1),
    );
  }
  const labels = readNumericCsv(labelsText, labelsFile, [
    { name: 'node', kind: 'int', range: [0, nodeLimit] },
    { name: labelColumn, kind: 'int', range: [-1, meta.numClasses === undefined ? INT32_MAX : meta.numClasses - 1] },
  ]);
  const edgesFile = requireFile(op, folder, 'edges.csv');
  const edges = readNumericCsv(readTextFile(edgesFile, options.maxBytes), edgesFile, [
    { name: 'source', kind: 'int', range: [0, nodeLimit] },
    { name: 'target', kind: 'int', range: [0, nodeLimit] },
  ]);
  const labelNodes = labels.get('node') as Int32Array;
  const labelValues = labels.get(labelColumn) as Int32Array;
  const source = edges.get('source') as Int32Array;
  const target = edges.get('target') as Int32Array;

  const featureColumns =
    features === 'file'
      ? readNumericCsv(readTextFile(featuresFile, options.maxBytes), featuresFile, [
          { name: 'node', kind: 'int', range: [0, nodeLimit] },
          { name: 'feature', kind: 'int', range: [0, meta.numFeatures === undefined ? INT32_MAX - 1 : meta.numFeatures - 1] },
          { name: 'value', kind: 'float', optional: true },
        ])
      : null;

  const numNodes =
    meta.numNodes ??
    1 + Math.max(maxOf(labelNodes), maxOf(source), maxOf(target), featureColumns ? maxOf(featureColumns.get('node') as Int32Array) : -1);
  const columns = featureColumns?.get('feature') as Int32Array | undefined;
  const numFeatures = columns === undefined ? null : (meta.numFeatures ?? maxOf(columns) + 1);
  if (meta.numNodes === undefined || (numFeatures !== null && meta.numFeatures === undefined)) {
    // Sizes inferred from the largest ids: a single line '0,2000000000' must not allocate 2·10⁹ rows.
    const field =
      `the largest node id in ${folder}'s CSV files (${numNodes - 1})` +
      (numFeatures !== null && meta.numFeatures === undefined ? ` × the largest feature id in features.csv (${numFeatures - 1})` : '');
    checkPlanetoidSize(op, field, numNodes, widthOf(numNodes, numFeatures), options.maxBytes);
  }
  const y = new Int32Array(numNodes).fill(-1);
  for (let i = 0; i < labelNodes.length; i++) y[labelNodes[i]!] = labelValues[i]!;
  const split = readSplit(requireFile(op, folder, 'split.json'), numNodes, options.maxBytes);
  const values = featureColumns?.get('value');
  return planetoidDataset(
    {
      name,
      numNodes,
      ...(meta.numClasses === undefined ? {} : { numClasses: meta.numClasses }),
      source,
      target,
      labels: y,
      split,
      features:
        featureColumns === null
          ? null
          : {
              numFeatures: numFeatures!,
              nodes: featureColumns.get('node') as Int32Array,
              columns: columns!,
              ...(values === undefined ? {} : { values }),
            },
    },
    { ...options, features },
  );
}

export interface SavePlanetoidOptions {
  /** Write into a folder that already holds files, replacing the dataset files (default false: an error). */
  overwrite?: boolean;
}

/**
 * Writes `dataset` as a Planetoid-style folder, the format `loadPlanetoid` reads (so a dataset goes
 * to a Python script, or comes back, as plain CSV and JSON): `edges.csv` with each undirected edge
 * once (`source < target`, sorted), `labels.csv` for every node (-1 = unlabelled), `split.json`,
 * `features.csv` with one line per non-zero (a `value` column only when some value is not 1) and
 * `meta.json` (`name`, `numNodes`, `numFeatures`, `numClasses`). Node ids are the dataset's rows.
 *
 * The folder is created; an existing folder with files in it is refused (`ValueError`) unless
 * `overwrite` is set, so no earlier data is replaced by accident.
 *
 * @example
 * import { loadCora } from '@tensorloom/datasets';
 * savePlanetoid(await loadCora(), 'data/cora');
 */
export function savePlanetoid(dataset: GraphDataset, folderPath: string, options: SavePlanetoidOptions = {}): void {
  const op = 'savePlanetoid';
  const folder = resolve(folderPath);
  if (existsSync(folder)) {
    if (!statSync(folder).isDirectory()) throw new ValueError(`${op}: ${folder} is a file, not a folder`);
    if (!options.overwrite && readdirSync(folder).length > 0) {
      throw new ValueError(`${op}: ${folder} already holds files; pass overwrite: true to replace the dataset files in it`);
    }
  }
  const { numNodes, numFeatures, numClasses } = dataset;
  const x = dataset.x;
  if (x.ndim !== 2 || x.shape[0] !== numNodes) throw new ValueError(`${op}: x must be [${numNodes}, F], got [${x.shape.join(', ')}]`);
  const e = dataset.edgeIndex.shape[1]!;
  const edges = dataset.edgeIndex.data;
  const pairs = new Set<number>();
  for (let k = 0; k < e; k++) {
    const [s, t] = [edges[k]!, edges[e + k]!];
    if (s !== t) pairs.add(Math.min(s, t) * numNodes + Math.max(s, t));
  }
  const edgeLines = [...pairs].sort((a, b) => a - b).map((p) => `${Math.floor(p / numNodes)},${p % numNodes}`);
  const labels = Array.from(dataset.y.data, (label, node) => `${node},${label}`);
  const data = x.data;
  const nonZeros: string[] = [];
  let binary = true;
  for (let i = 0; i < data.length; i++) if (data[i] !== 0 && data[i] !== 1) binary = false;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 0) continue;
    const [node, feature] = [Math.floor(i / numFeatures), i % numFeatures];
    nonZeros.push(binary ? `${node},${feature}` : `${node},${feature},${data[i]}`);
  }
  const split = { train: [...dataset.trainIndex.data], val: [...dataset.valIndex.data], test: [...dataset.testIndex.data] };
  mkdirSync(folder, { recursive: true });
  const write = (name: string, text: string): void => writeFileSync(join(folder, name), text);
  write('edges.csv', `source,target\n${edgeLines.map((line) => `${line}\n`).join('')}`);
  write('labels.csv', `node,label\n${labels.map((line) => `${line}\n`).join('')}`);
  write('features.csv', `node,feature${binary ? '' : ',value'}\n${nonZeros.map((line) => `${line}\n`).join('')}`);
  write('split.json', `${JSON.stringify(split)}\n`);
  write('meta.json', `${JSON.stringify({ name: dataset.name, numNodes, numFeatures, numClasses }, null, 1)}\n`);
}

/** Planetoid-style CSV folders on disk (Node): the format, its checks, `loadPlanetoid` and `savePlanetoid`. */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ValueError } from '@tensorloom/core-tensor';
import type { GraphDataset } from '../dataset.js';
import { readNumericCsv } from '../datasets/csv.js';
import { planetoidDataset, type PlanetoidFeatureOptions } from '../datasets/planetoid.js';
import { DatasetNotFoundError, GraphParseError } from '../errors.js';

export interface LoadPlanetoidOptions extends PlanetoidFeatureOptions {
  /**
   * Receives notices, such as the choice of random features for a folder without `features.csv`.
   * Default: print each distinct one to stderr once.
   */
  onNotice?: (message: string) => void;
}

const printed = new Set<string>();

function printOnce(message: string): void {
  if (printed.has(message)) return;
  printed.add(message);
  process.stderr.write(`${message}\n`);
}

interface Meta {
  name?: string;
  numNodes?: number;
  numFeatures?: number;
  numClasses?: number;
}

function readJson(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new GraphParseError(`invalid JSON: ${(error as Error).message}`, file, null);
  }
}

function readMeta(file: string): Meta {
  if (!existsSync(file)) return {};
  const raw = readJson(file);
  if (typeof raw !== 'object' || raw === null) throw new GraphParseError('meta.json must hold an object', file, null);
  const meta = raw as Record<string, unknown>;
  for (const key of ['numNodes', 'numFeatures', 'numClasses']) {
    const v = meta[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isInteger(v) && v >= 0)) {
      throw new GraphParseError(`${key} must be a non-negative integer, got ${JSON.stringify(v)}`, file, null);
    }
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

function readSplit(file: string, numNodes: number): { train: Int32Array; val: Int32Array; test: Int32Array } {
  const raw = readJson(file);
  const part = (name: 'train' | 'val' | 'test'): Int32Array => {
    const list = (raw as Record<string, unknown> | null)?.[name];
    if (!Array.isArray(list)) throw new GraphParseError(`split.json needs a "${name}" array of node ids`, file, null);
    return Int32Array.from(list, (v: unknown) => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= numNodes) {
        throw new GraphParseError(`"${name}" holds ${JSON.stringify(v)}, not a node id in [0, ${numNodes})`, file, null);
      }
      return v;
    });
  };
  return { train: part('train'), val: part('val'), test: part('test') };
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
 * random, announced through `onNotice`, unless `features` is given. Malformed files throw
 * `GraphParseError` (file and line), a missing folder or file `DatasetNotFoundError`.
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
  const meta = readMeta(join(folder, 'meta.json'));
  const name = meta.name ?? folder.split(/[\\/]/).filter(Boolean).pop() ?? folderPath;
  const nodeLimit = (meta.numNodes ?? 2 ** 31 - 1) - 1;

  const labelsFile = requireFile(op, folder, 'labels.csv');
  const labels = readNumericCsv(readFileSync(labelsFile, 'utf8'), labelsFile, [
    { name: 'node', kind: 'int', range: [0, nodeLimit] },
    { name: 'label', kind: 'int', range: [-1, meta.numClasses === undefined ? 2 ** 31 - 1 : meta.numClasses - 1] },
  ]);
  const edgesFile = requireFile(op, folder, 'edges.csv');
  const edges = readNumericCsv(readFileSync(edgesFile, 'utf8'), edgesFile, [
    { name: 'source', kind: 'int', range: [0, nodeLimit] },
    { name: 'target', kind: 'int', range: [0, nodeLimit] },
  ]);
  const labelNodes = labels.get('node') as Int32Array;
  const labelValues = labels.get('label') as Int32Array;
  const source = edges.get('source') as Int32Array;
  const target = edges.get('target') as Int32Array;

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
  const featureColumns =
    features === 'file'
      ? readNumericCsv(readFileSync(featuresFile, 'utf8'), featuresFile, [
          { name: 'node', kind: 'int', range: [0, nodeLimit] },
          { name: 'feature', kind: 'int', range: [0, meta.numFeatures === undefined ? 2 ** 31 - 1 : meta.numFeatures - 1] },
          { name: 'value', kind: 'float', optional: true },
        ])
      : null;

  const numNodes =
    meta.numNodes ??
    1 + Math.max(maxOf(labelNodes), maxOf(source), maxOf(target), featureColumns ? maxOf(featureColumns.get('node') as Int32Array) : -1);
  const y = new Int32Array(numNodes).fill(-1);
  for (let i = 0; i < labelNodes.length; i++) y[labelNodes[i]!] = labelValues[i]!;
  const split = readSplit(requireFile(op, folder, 'split.json'), numNodes);
  const columns = featureColumns?.get('feature') as Int32Array | undefined;
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
              numFeatures: meta.numFeatures ?? maxOf(columns!) + 1,
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

/**
 * The forecasting workloads' data: a spatio-temporal signal as PyTorch Geometric Temporal ships it
 * (`temporal/chickenpox.json` under the data root: `edges`, the series `FX` or `X`, optional
 * `weights`), read by every implementation from the same file (python/forecast_torch.py has the same
 * reader). Without a data root the bench writes the chickenpox signal embedded in
 * @tensorloom/datasets as such a file (`writeEmbeddedTemporal`), so a fresh clone runs them too.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadChickenpox } from '@tensorloom/datasets';

/** The signal files the bench can write from @tensorloom/datasets. */
export const EMBEDDED_TEMPORAL = ['temporal/chickenpox.json'] as const;

/** Why the signal file `name` cannot be read under `root`, or undefined when it is there. */
export function missingTemporal(root: string, name: string): string | undefined {
  const file = path.join(root, name);
  if (existsSync(file)) return undefined;
  return `${name} not found: no ${file} (set TENSORLOOM_DATA to the folder holding ${path.dirname(name)}/)`;
}

/** A signal file as plain arrays: the series `[steps, nodes]` row-major, the edges in the file's order. */
export interface TemporalArrays {
  steps: number;
  nodes: number;
  series: Float64Array;
  source: Int32Array;
  target: Int32Array;
  /** One weight per edge, or null for an unweighted graph (all ones). */
  weights: Float64Array | null;
}

/** Reads `<root>/<name>` (PyG Temporal's JSON). Throws when it is missing or not such a file. */
export function readTemporal(root: string, name: string): TemporalArrays {
  const problem = missingTemporal(root, name);
  if (problem !== undefined) throw new Error(problem);
  const raw = JSON.parse(readFileSync(path.join(root, name), 'utf8')) as {
    edges: number[][];
    FX?: number[][];
    X?: number[][];
    weights?: number[];
  };
  const rows = raw.FX ?? raw.X;
  if (!Array.isArray(rows) || rows.length === 0 || !Array.isArray(raw.edges))
    throw new Error(`${name}: expected 'edges' and a series 'FX' or 'X'`);
  const nodes = rows[0]!.length;
  const series = new Float64Array(rows.length * nodes);
  rows.forEach((row, t) => series.set(row, t * nodes));
  return {
    steps: rows.length,
    nodes,
    series,
    source: Int32Array.from(raw.edges, (e) => e[0]!),
    target: Int32Array.from(raw.edges, (e) => e[1]!),
    weights: raw.weights === undefined ? null : Float64Array.from(raw.weights),
  };
}

/**
 * Writes the chickenpox signal of @tensorloom/datasets to `<root>/temporal/chickenpox.json` in PyG
 * Temporal's format (edges, node_ids, FX), unless it is there. The embedded series is the source's
 * numbers (float64), so the file holds the same values as the original.
 */
export async function writeEmbeddedTemporal(root: string, log?: (line: string) => void): Promise<void> {
  const name = EMBEDDED_TEMPORAL[0];
  if (missingTemporal(root, name) === undefined) return;
  const file = path.join(root, name);
  log?.(`writing the embedded chickenpox (@tensorloom/datasets) to ${file}`);
  // With one lag, the features are the weeks 0 … T0−2 and the targets the weeks 1 … T0−1: the series.
  const signal = await loadChickenpox({ lags: 1, dtype: 'float64' });
  const { numNodes, length } = signal;
  const week = (t: number): number[] =>
    t < length
      ? Array.from(signal.features.data.subarray(t * numNodes, (t + 1) * numNodes))
      : Array.from(signal.targets.data.subarray((length - 1) * numNodes));
  const edges = signal.edgeIndex.shape[1]!;
  const index = signal.edgeIndex.data;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(
    file,
    JSON.stringify({
      edges: Array.from({ length: edges }, (_, e) => [index[e]!, index[edges + e]!]),
      node_ids: Object.fromEntries(signal.nodeNames.map((n, i) => [n, i])),
      FX: Array.from({ length: length + 1 }, (_, t) => week(t)),
    }),
  );
}

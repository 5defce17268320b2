/**
 * Internal: the embedded form of the spatio-temporal datasets, its writer and its reader.
 *
 * The source files are PyTorch Geometric Temporal's JSON (`edges`, optional `weights`, optional
 * `node_ids`, and the series `FX` or `X`, steps × nodes). Each becomes a safetensors file, embedded
 * as base64 in `src/data/<name>.ts` and imported on first load (a chunk of its own in a bundle):
 * `edge_index` `[2, E]` (U8/U16, the JSON's edge order), `series` F64 `[T0, N]` (the JSON's numbers
 * exactly), `edge_weight` F64 `[E]` when the source has weights, and the node names, source and
 * licence in the metadata. `temporalDataModule` writes a module: `scripts/build-data.ts` writes them
 * from the originals and `--check` rebuilds and compares them, as for the other datasets.
 */
import { Tensor, ValueError, parseSafetensors, serializeSafetensors } from '@tensorloom/core-tensor';
import { decodeBase64 } from './embedded.js';

/** The spatio-temporal datasets this package ships. */
export type TemporalName = 'chickenpox' | 'pedalme';

/** The embedded modules, loaded on first use. */
export const TEMPORAL_MODULES = {
  chickenpox: () => import('./data/chickenpox.js'),
  pedalme: () => import('./data/pedalme.js'),
} as const satisfies Record<TemporalName, () => Promise<{ default: string }>>;

/** What an embedded dataset decodes to. */
export interface TemporalData {
  /** float64 `[T0, N]`. */
  series: Tensor;
  /** int32 `[2, E]`. */
  edgeIndex: Tensor;
  /** float64 `[E]`, or null when the source has no weights. */
  edgeWeight: Tensor | null;
  /** N names by node id. */
  nodeNames: readonly string[];
  metadata: Record<string, string>;
}

/** Where each source file comes from, its keys and licence: written into the module and the metadata. */
export const TEMPORAL_SOURCES = {
  chickenpox: {
    file: 'chickenpox.json',
    seriesKey: 'FX',
    source: 'benedekrozemberczki/pytorch_geometric_temporal dataset/chickenpox.json, commit adefe44265ad8faf239fd6cf3b59b95ca3ee60aa',
    licence: 'MIT (PyTorch Geometric Temporal); the data is also published under CC BY 4.0 (UCI, Rozemberczki et al. 2021)',
  },
  pedalme: {
    file: 'pedalme_london.json',
    seriesKey: 'X',
    source: 'benedekrozemberczki/pytorch_geometric_temporal dataset/pedalme_london.json, commit adefe44265ad8faf239fd6cf3b59b95ca3ee60aa',
    licence: 'MIT (PyTorch Geometric Temporal)',
  },
} as const satisfies Record<TemporalName, { file: string; seriesKey: string; source: string; licence: string }>;

const fail = (name: string, message: string): never => {
  throw new ValueError(`temporalDataModule(${name}): ${message}`);
};

const isIndex = (v: unknown, size: number): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) < size;

/**
 * The module text of one dataset from its JSON source (`sourceSha256` the file's digest, for the
 * header). Checks the source as it goes: a rectangular numeric series, edges between existing
 * nodes, one weight per edge, `node_ids` a one-to-one map onto `0 … N−1`.
 */
export function temporalDataModule(name: TemporalName, jsonText: string, sourceSha256: string): string {
  const { file, seriesKey, source, licence } = TEMPORAL_SOURCES[name];
  const json = JSON.parse(jsonText) as Record<string, unknown>;
  const rows = json[seriesKey];
  if (!Array.isArray(rows) || rows.length === 0 || !Array.isArray(rows[0])) fail(name, `'${seriesKey}' must be a list of rows`);
  const steps = (rows as unknown[][]).length;
  const numNodes = (rows as unknown[][])[0]!.length;
  const series = new Float64Array(steps * numNodes);
  (rows as unknown[][]).forEach((row, t) => {
    if (!Array.isArray(row) || row.length !== numNodes)
      fail(name, `'${seriesKey}' row ${t} has ${String(row?.length)} values, row 0 has ${numNodes}`);
    row.forEach((v, n) => {
      if (typeof v !== 'number' || !Number.isFinite(v))
        fail(name, `'${seriesKey}'[${t}][${n}] is ${JSON.stringify(v)}, not a finite number`);
      series[t * numNodes + n] = v as number;
    });
  });
  const edges = json.edges;
  if (!Array.isArray(edges)) fail(name, "'edges' must be a list of [source, target] pairs");
  const numEdges = (edges as unknown[]).length;
  const edgeIndex = new Int32Array(2 * numEdges);
  (edges as unknown[]).forEach((pair, e) => {
    if (!Array.isArray(pair) || pair.length !== 2 || !isIndex(pair[0], numNodes) || !isIndex(pair[1], numNodes)) {
      fail(name, `edge ${e} is ${JSON.stringify(pair)}, not a pair of node ids in [0, ${numNodes})`);
    }
    [edgeIndex[e], edgeIndex[numEdges + e]] = pair as [number, number];
  });
  const tensors: Record<string, Tensor> = {
    edge_index: new Tensor(edgeIndex, [2, numEdges], 'int32'),
    series: new Tensor(series, [steps, numNodes], 'float64'),
  };
  if (json.weights !== undefined) {
    const weights = json.weights;
    if (!Array.isArray(weights) || weights.length !== numEdges || weights.some((w) => typeof w !== 'number' || !Number.isFinite(w))) {
      fail(name, `'weights' must be ${numEdges} finite numbers, one per edge`);
    }
    tensors.edge_weight = new Tensor(Float64Array.from(weights as number[]), [numEdges], 'float64');
  }
  const nodeNames = Array.from({ length: numNodes }, (_, i) => String(i));
  if (json.node_ids !== undefined) {
    const seen = new Set<number>();
    for (const [nodeName, id] of Object.entries(json.node_ids as Record<string, unknown>)) {
      if (!isIndex(id, numNodes) || seen.has(id))
        fail(name, `node_ids maps '${nodeName}' to ${JSON.stringify(id)}: not a new id in [0, ${numNodes})`);
      seen.add(id as number);
      nodeNames[id as number] = nodeName;
    }
    if (seen.size !== numNodes) fail(name, `node_ids names ${seen.size} of the ${numNodes} nodes`);
  }
  const metadata = { name, nodeNames: JSON.stringify(nodeNames), source, sourceSha256, licence };
  const bytes = serializeSafetensors(tensors, { metadata, dtypes: { edge_index: numNodes <= 256 ? 'U8' : 'U16' } });
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return (
    `// Generated by temporalDataModule (src/temporal-data.ts) from PyTorch Geometric Temporal's ${file}\n` +
    `// (${new TextEncoder().encode(jsonText).length} bytes, sha256 ${sourceSha256}; see the package README: provenance). Do not edit.\n` +
    `// A safetensors file (${bytes.length} bytes), base64.\n` +
    `const data = '${btoa(binary)}';\nexport default data;\n`
  );
}

/** The tensors and node names of an embedded dataset (fresh tensors on every call). */
export async function temporalData(name: TemporalName): Promise<TemporalData> {
  const module = await TEMPORAL_MODULES[name]();
  const { tensors, metadata } = parseSafetensors(decodeBase64(module.default));
  return {
    series: tensors.series!,
    edgeIndex: tensors.edge_index!,
    edgeWeight: tensors.edge_weight ?? null,
    nodeNames: Object.freeze(JSON.parse(metadata.nodeNames!) as string[]),
    metadata,
  };
}

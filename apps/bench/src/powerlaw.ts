/**
 * The synthetic graphs of `gcn-scale`: undirected power-law graphs drawn from the LCG stream of
 * data.ts, generated once by the orchestrator and handed to every implementation as a binary file,
 * so PyTorch and tensorloom train on the same edges.
 *
 * The draw (a Chung–Lu-like edge sampling with only exactly rounded arithmetic, so it is the same
 * wherever it runs): each endpoint takes one state `s` of the stream, `u = s / 2³²`,
 * `r = min(⌊u·u·N⌋, N − 1)` — node rank r is hit with probability ∝ r^(−1/2), so expected degrees
 * fall as rank^(−1/2) and the degree distribution has a power-law tail P(D ≥ d) ∝ d^(−2) (exponent 3,
 * the Barabási–Albert one) — and the node id is `(48271·r + 12345) mod N`, which scatters the hubs over
 * the ids. A candidate pair is two endpoints; self-loops and pairs already drawn are dropped, and
 * rounds of `m − have` further candidates follow until the graph has `m = round(N · avgDegree / 2)`
 * undirected edges. The result lists both directions of each edge, sorted by (source, target).
 */
import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ValueError } from '@tensorloom/core-tensor';
import { lcgNext } from './data.js';

/** A directed edge list holding both directions of each undirected edge, sorted by (source, target). */
export interface EdgeList {
  numNodes: number;
  source: Int32Array;
  target: Int32Array;
}

/** The size and seed of a power-law graph. */
export interface PowerLawOptions {
  nodes: number;
  /** Mean degree: the graph gets `round(nodes · avgDegree / 2)` undirected edges. */
  avgDegree: number;
  seed: number;
}

const TWO_32 = 4294967296;
const SCATTER = 48271;
const MAX_ROUNDS = 200;

/** Sorted, duplicate-free union of two sorted duplicate-free arrays. */
function mergeUnique(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i++]! : b[j++]!;
    if (k === 0 || out[k - 1] !== next) out[k++] = next;
  }
  return out.slice(0, k);
}

/**
 * The undirected power-law graph of `options` (see the module comment), as both directions of each
 * edge sorted by (source, target): no self-loops, no repeated edges. Deterministic in `seed`.
 */
export function powerLawGraph(options: PowerLawOptions): EdgeList {
  const { nodes: n, avgDegree, seed } = options;
  if (!Number.isInteger(n) || n < 2 || n > 2 ** 31 - 1)
    throw new ValueError(`powerLawGraph: nodes must be an integer in [2, 2³¹), got ${n}`);
  if (n % SCATTER === 0) throw new ValueError(`powerLawGraph: nodes must not be a multiple of ${SCATTER}, got ${n}`);
  const m = Math.round((n * avgDegree) / 2);
  // Hubs saturate long before the complete graph: stay far below it so the rounds end.
  if (!(m >= 1) || m > (n * (n - 1)) / 8) {
    throw new ValueError(`powerLawGraph: avgDegree must give 1 to N(N−1)/8 edges (${(n * (n - 1)) / 8} for ${n} nodes), got ${m}`);
  }
  let state = seed >>> 0;
  const endpoint = (): number => {
    state = lcgNext(state);
    const u = state / TWO_32;
    const rank = Math.min(Math.floor(u * u * n), n - 1);
    return (rank * SCATTER + 12345) % n;
  };
  let keys: Float64Array = new Float64Array(0);
  for (let round = 0; keys.length < m; round++) {
    if (round === MAX_ROUNDS)
      throw new ValueError(`powerLawGraph: ${MAX_ROUNDS} rounds gave ${keys.length} of ${m} edges; lower avgDegree`);
    const need = m - keys.length;
    const candidates = new Float64Array(need);
    let count = 0;
    for (let i = 0; i < need; i++) {
      const a = endpoint();
      const b = endpoint();
      if (a !== b) candidates[count++] = a < b ? a * n + b : b * n + a;
    }
    keys = mergeUnique(keys, candidates.subarray(0, count).sort());
  }
  const directed = new Float64Array(2 * m);
  for (let e = 0; e < m; e++) {
    const key = keys[e]!;
    const a = Math.floor(key / n);
    const b = key - a * n;
    directed[2 * e] = key;
    directed[2 * e + 1] = b * n + a;
  }
  directed.sort();
  const source = new Int32Array(2 * m);
  const target = new Int32Array(2 * m);
  for (let e = 0; e < 2 * m; e++) {
    const s = Math.floor(directed[e]! / n);
    source[e] = s;
    target[e] = directed[e]! - s * n;
  }
  return { numNodes: n, source, target };
}

/**
 * The graph file: a header of four little-endian int32 (`GRAPH_FILE_MAGIC`, version 1, nodes, directed
 * edges E), then E int32 sources and E int32 targets. python/bench_torch_scale.py reads it with
 * `numpy.fromfile`.
 */
export const GRAPH_FILE_MAGIC = 0x3147_4c54; // 'TLG1' read as little-endian bytes
const HEADER_BYTES = 16;

/** The header of a graph file, or undefined when it is missing, malformed or truncated. */
export function readGraphHeader(file: string): { numNodes: number; numEdges: number } | undefined {
  if (!existsSync(file)) return undefined;
  const header = new Int32Array(4);
  const fd = openSync(file, 'r');
  try {
    if (readSync(fd, header, 0, HEADER_BYTES, 0) !== HEADER_BYTES) return undefined;
  } finally {
    closeSync(fd);
  }
  const [magic, version, numNodes, numEdges] = header as unknown as [number, number, number, number];
  if (magic !== GRAPH_FILE_MAGIC || version !== 1 || statSync(file).size !== HEADER_BYTES + 8 * numEdges) return undefined;
  return { numNodes, numEdges };
}

/** Writes `graph` as a graph file (atomically: a temporary file renamed). */
export function writeGraphFile(file: string, graph: EdgeList): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const e = graph.source.length;
  const tmp = `${file}.${process.pid}.tmp`;
  const header = Int32Array.of(GRAPH_FILE_MAGIC, 1, graph.numNodes, e);
  writeFileSync(tmp, Buffer.concat([Buffer.from(header.buffer), Buffer.from(graph.source.buffer, graph.source.byteOffset, 4 * e)]));
  writeFileSync(tmp, Buffer.from(graph.target.buffer, graph.target.byteOffset, 4 * e), { flag: 'a' });
  renameSync(tmp, file);
}

/**
 * Reads a graph file's edges into `source` and `target` (each of length E; a tensor's own storage
 * works, so nothing is copied twice). Throws ValueError when the file is malformed or the sizes differ.
 */
export function readGraphFileInto(file: string, source: Int32Array, target: Int32Array): void {
  const header = readGraphHeader(file);
  if (header === undefined) throw new ValueError(`readGraphFileInto: ${file} is not a complete graph file`);
  if (source.length !== header.numEdges || target.length !== header.numEdges) {
    throw new ValueError(`readGraphFileInto: ${file} holds ${header.numEdges} edges, got arrays of ${source.length} and ${target.length}`);
  }
  const fd = openSync(file, 'r');
  try {
    for (const [array, start] of [
      [source, HEADER_BYTES],
      [target, HEADER_BYTES + 4 * header.numEdges],
    ] as const) {
      const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
      for (let done = 0; done < bytes.length;) {
        const read = readSync(fd, bytes, done, Math.min(bytes.length - done, 1 << 30), start + done);
        if (read <= 0) throw new ValueError(`readGraphFileInto: ${file} ended early`);
        done += read;
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Where the graph of `options` is kept: `<dir>/powerlaw-v1-n<N>-d<D>-s<seed>.i32`, `dir` default `<tmpdir>/tensorloom-bench`. */
export function graphFilePath(options: PowerLawOptions, dir = path.join(os.tmpdir(), 'tensorloom-bench')): string {
  return path.join(dir, `powerlaw-v1-n${options.nodes}-d${options.avgDegree}-s${options.seed}.i32`);
}

/**
 * The graph file of `options`, generated and written when it is not there yet (a complete file from
 * an earlier run is reused: the generator is deterministic). Returns its path and size.
 */
export function ensureGraphFile(
  options: PowerLawOptions,
  dir?: string,
  log?: (line: string) => void,
): { file: string; numNodes: number; numEdges: number } {
  const file = graphFilePath(options, dir);
  const existing = readGraphHeader(file);
  if (existing !== undefined && existing.numNodes === options.nodes) return { file, ...existing };
  const start = performance.now();
  const graph = powerLawGraph(options);
  writeGraphFile(file, graph);
  log?.(
    `generated a ${options.nodes}-node power-law graph (${graph.source.length} directed edges) in ` +
      `${((performance.now() - start) / 1000).toFixed(1)} s: ${file}`,
  );
  return { file, numNodes: graph.numNodes, numEdges: graph.source.length };
}

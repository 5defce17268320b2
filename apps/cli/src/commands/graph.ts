/**
 * `tensorloom graph info|hops|receptive-field`: look at a graph the way the course's Part 3 does —
 * its size, degrees and components, the GCN matrices A, Ã, D̃ and Â, how many message-passing
 * layers information needs to travel between two nodes, and each node's k-hop receptive field.
 * The graph comes from a file (GEXF, GraphML, edge list), a dataset (karate, Cora, …) or the
 * course's example graph built in (`--example seed`, the default): see `graph-sources.ts`.
 */
import { type AnyGraph, gcnMatrices, hopDistance, hopDistances, receptiveField, toEdgeIndex } from '@tensorloom/graph';
import type { Tensor } from '@tensorloom/core-tensor';
import { UsageError, stringOption, type Command } from '../cli.js';
import { GRAPH_SOURCE_SETTINGS, loadGraphSource } from '../graph-sources.js';
import { int, resolveSettings, settingOptions } from '../settings.js';

export { readGraphFile } from '../graph-sources.js';

/** Dense matrices are printed for graphs up to this many nodes. */
export const MATRIX_NODE_LIMIT = 20;

function requireNode(graph: AnyGraph, flag: string, key: string | undefined): string {
  if (key === undefined) throw new UsageError(`--${flag} is required: the key of a node`);
  if (graph.hasNode(key)) return key;
  const some = graph.nodes().slice(0, 8);
  throw new UsageError(
    `--${flag}: node '${key}' is not in the graph (its nodes: ${some.join(', ')}${graph.order > some.length ? ', …' : ''})`,
  );
}

// ---- graph info -------------------------------------------------------------------------------

export interface DegreeSummary {
  min: number;
  mean: number;
  max: number;
}

/** What `graph info` reports. */
export interface GraphSummary {
  nodes: number;
  /** graphology edges: an undirected edge counts once. */
  edges: number;
  /** 'directed', 'undirected' or 'mixed'. */
  type: string;
  multi: boolean;
  /** Degree (graphology's: in + out + undirected neighbours, parallel edges counted) over the nodes. */
  degree: DegreeSummary;
  /** For directed and mixed graphs: in- and out-degree. */
  inDegree?: DegreeSummary;
  outDegree?: DegreeSummary;
  /** Nodes without any edge to another node. */
  isolatedNodes: number;
  selfLoops: number;
  /** Connected components (weakly connected for directed edges) and the largest one's size. */
  components: number;
  largestComponent: number;
}

function summarize(values: readonly number[]): DegreeSummary {
  if (values.length === 0) return { min: 0, mean: 0, max: 0 };
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  return { min, mean: sum / values.length, max };
}

/** Sizes of the (weakly) connected components, largest first. */
export function componentSizes(graph: AnyGraph): number[] {
  const seen = new Set<string>();
  const sizes: number[] = [];
  graph.forEachNode((start) => {
    if (seen.has(start)) return;
    seen.add(start);
    const stack = [start];
    let size = 0;
    while (stack.length > 0) {
      const node = stack.pop()!;
      size++;
      graph.forEachNeighbor(node, (neighbor) => {
        if (seen.has(neighbor)) return;
        seen.add(neighbor);
        stack.push(neighbor);
      });
    }
    sizes.push(size);
  });
  return sizes.sort((a, b) => b - a);
}

/** Size, degrees, isolated nodes, self-loops and components of any graphology graph. */
export function graphSummary(graph: AnyGraph): GraphSummary {
  const nodes = graph.nodes();
  const sizes = componentSizes(graph);
  const directed = graph.type !== 'undirected';
  return {
    nodes: graph.order,
    edges: graph.size,
    type: graph.type,
    multi: graph.multi,
    degree: summarize(nodes.map((n) => graph.degree(n))),
    ...(directed
      ? { inDegree: summarize(nodes.map((n) => graph.inDegree(n))), outDegree: summarize(nodes.map((n) => graph.outDegree(n))) }
      : {}),
    isolatedNodes: nodes.filter((n) => graph.degreeWithoutSelfLoops(n) === 0).length,
    selfLoops: graph.selfLoopCount,
    components: sizes.length,
    largestComponent: sizes[0] ?? 0,
  };
}

/** A number as a short, exact-looking string: integers as they are, others to 3 decimals. */
function short(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return value.toFixed(3).replace(/0+$/, '').replace(/\.$/, '');
}

/** A dense matrix with row and column labels, each cell right-aligned. */
export function formatMatrix(name: string, rows: readonly (readonly number[])[], labels: readonly string[]): string[] {
  const cells = rows.map((row) => row.map(short));
  const width = Math.max(...labels.map((l) => l.length), ...cells.flat().map((c) => c.length));
  const labelWidth = Math.max(...labels.map((l) => l.length));
  return [
    `${name}:`,
    `  ${''.padEnd(labelWidth)} ${labels.map((l) => l.padStart(width)).join(' ')}`,
    ...cells.map((row, i) => `  ${labels[i]!.padEnd(labelWidth)} ${row.map((c) => c.padStart(width)).join(' ')}`),
  ];
}

/** The course's matrices A, Ã = A + I, D̃ and Â = D̃^-1/2 Ã D̃^-1/2 as dense nested arrays, in node order. */
export function denseGcnMatrices(graph: AnyGraph): {
  order: readonly string[];
  A: number[][];
  Atilde: number[][];
  Dtilde: number[][];
  Ahat: number[][];
} {
  const { index, edgeIndex } = toEdgeIndex(graph);
  const m = gcnMatrices(edgeIndex, { numNodes: index.size });
  const dense = (t: Tensor) => t.toArray() as number[][];
  return {
    order: index.keys(),
    A: dense(m.adjacency.toDense()),
    Atilde: dense(m.adjacencyWithSelfLoops.toDense()),
    Dtilde: dense(m.degreeMatrix.toDense()),
    Ahat: dense(m.normalized.toDense()),
  };
}

const fixed = (d: DegreeSummary) => `min ${d.min}, mean ${d.mean.toFixed(2)}, max ${d.max}`;

export const graphInfoCommand: Command = {
  path: ['graph', 'info'],
  summary: 'Nodes, edges, degrees, isolated nodes, self-loops and components of a graph; --matrices prints A, Ã, D̃, Â.',
  details: [
    'The graph: --file GRAPH (GEXF, GraphML or an edge list), --dataset NAME|FOLDER, or --example seed',
    "(the course's graph: nodes A–F, edges A–B, A–E, A–F, B–D, C–D, D–F; the default).",
    `--matrices prints the GCN matrices densely for graphs of at most ${MATRIX_NODE_LIMIT} nodes, rows and columns in node`,
    'order: A, Ã = A + I (a loop added only where none is), D̃ = diag(Σ_j Ã_ij) and Â = D̃^-1/2 Ã D̃^-1/2.',
    'Row i holds what node i aggregates (for directed graphs the transpose of the usual adjacency).',
  ].join('\n'),
  options: {
    ...settingOptions(GRAPH_SOURCE_SETTINGS),
    matrices: { type: 'boolean', description: `Print A, Ã, D̃ and Â (graphs of at most ${MATRIX_NODE_LIMIT} nodes).` },
  },
  async run(values, ctx) {
    const source = await loadGraphSource(values, ctx);
    const { graph, dataset } = source;
    if (values.matrices === true && graph.order > MATRIX_NODE_LIMIT) {
      throw new UsageError(
        `--matrices: ${source.name} has ${graph.order} nodes; dense matrices are printed for at most ${MATRIX_NODE_LIMIT}`,
      );
    }
    const summary = graphSummary(graph);
    ctx.print(`${source.name}: ${summary.nodes} nodes, ${summary.edges} edges, ${summary.type}${summary.multi ? ' multigraph' : ''}`);
    ctx.print(`  degree: ${fixed(summary.degree)}`);
    if (summary.inDegree && summary.outDegree) {
      ctx.print(`  in-degree: ${fixed(summary.inDegree)}`);
      ctx.print(`  out-degree: ${fixed(summary.outDegree)}`);
    }
    ctx.print(`  isolated nodes: ${summary.isolatedNodes}`);
    ctx.print(`  self-loops: ${summary.selfLoops}`);
    ctx.print(`  components: ${summary.components} (largest ${summary.largestComponent} nodes)`);
    let datasetInfo: Record<string, unknown> | undefined;
    if (dataset) {
      datasetInfo = {
        features: dataset.numFeatures,
        classes: dataset.numClasses,
        ...(dataset.classNames ? { classNames: dataset.classNames } : {}),
        edgeIndexColumns: dataset.edgeIndex.shape[1]!,
        split: { train: dataset.trainIndex.size, val: dataset.valIndex.size, test: dataset.testIndex.size },
      };
      ctx.print(
        `  features: ${dataset.numFeatures}, classes: ${dataset.numClasses}` +
          `${dataset.classNames ? ` (${dataset.classNames.join(', ')})` : ''}`,
      );
      ctx.print(
        `  edge index: [2, ${dataset.edgeIndex.shape[1]}]; ` +
          `split train/val/test ${dataset.trainIndex.size}/${dataset.valIndex.size}/${dataset.testIndex.size}`,
      );
    }
    let matrices: ReturnType<typeof denseGcnMatrices> | undefined;
    if (values.matrices === true) {
      matrices = denseGcnMatrices(graph);
      const labels = matrices.order;
      ctx.print('');
      for (const [name, rows] of [
        ['A', matrices.A],
        ['Ã = A + I', matrices.Atilde],
        ['D̃', matrices.Dtilde],
        ['Â = D̃^-1/2 Ã D̃^-1/2', matrices.Ahat],
      ] as const) {
        for (const line of formatMatrix(name, rows, labels)) ctx.print(line);
      }
    }
    return { graph: source.name, ...summary, ...(datasetInfo ? { dataset: datasetInfo } : {}), ...(matrices ? { matrices } : {}) };
  },
};

// ---- graph hops -------------------------------------------------------------------------------

export const graphHopsCommand: Command = {
  path: ['graph', 'hops'],
  summary: 'Message-passing layers needed for information to travel from one node to another (or to every node).',
  details: [
    'Each message-passing layer moves information one edge (directed edges only forwards, undirected both ways):',
    '--from C --to E prints the number of layers after which E has heard from C (4 on the seed graph);',
    '--from C alone prints the distance of every node, grouped by layers. Unreachable nodes never hear.',
  ].join('\n'),
  options: {
    ...settingOptions(GRAPH_SOURCE_SETTINGS),
    from: { type: 'string', description: 'The node the information starts at.', valueName: 'NODE' },
    to: { type: 'string', description: 'The node it should reach (default: every node).', valueName: 'NODE' },
  },
  async run(values, ctx) {
    const source = await loadGraphSource(values, ctx);
    const { graph } = source;
    const from = requireNode(graph, 'from', stringOption(values, 'from'));
    const toKey = stringOption(values, 'to');
    if (toKey !== undefined) {
      const to = requireNode(graph, 'to', toKey);
      const hops = hopDistance(graph, from, to);
      const reachable = Number.isFinite(hops);
      ctx.print(
        reachable
          ? `${from} → ${to}: ${hops} message-passing layer${hops === 1 ? '' : 's'}`
          : `${from} → ${to}: never (no path from ${from} to ${to})`,
      );
      return { graph: source.name, from, to, hops: reachable ? hops : null };
    }
    const distances = hopDistances(graph, from);
    const byHops = new Map<number, string[]>();
    for (const [node, hops] of Object.entries(distances)) byHops.set(hops, [...(byHops.get(hops) ?? []), node]);
    const unreachable = graph.nodes().filter((node) => distances[node] === undefined);
    const listed = (nodes: readonly string[]) =>
      nodes.length <= 20 ? nodes.join(', ') : `${nodes.slice(0, 20).join(', ')}, … (${nodes.length} nodes)`;
    ctx.print(`hops from ${from}:`);
    for (const [hops, nodes] of [...byHops.entries()].sort((a, b) => a[0] - b[0]))
      ctx.print(`  ${String(hops).padStart(3)}: ${listed(nodes)}`);
    if (unreachable.length > 0) ctx.print(`  never: ${listed(unreachable)}`);
    const maxHops = Math.max(...byHops.keys());
    ctx.print(`every reachable node has heard from ${from} after ${maxHops} layer${maxHops === 1 ? '' : 's'}`);
    return { graph: source.name, from, distances, unreachable, maxHops };
  },
};

// ---- graph receptive-field -------------------------------------------------------------------

const RECEPTIVE_FIELD_SETTINGS = {
  layers: {
    flag: 'layers',
    description: 'The number of message-passing layers K',
    valueName: 'K',
    default: 2,
    parse: int({ min: 0, max: 1000 }),
  },
};

export const graphReceptiveFieldCommand: Command = {
  path: ['graph', 'receptive-field'],
  summary: "A node's receptive field after 0, 1, …, K message-passing layers: the nodes it has heard from.",
  details: 'For each k ≤ --layers: the nodes whose information reaches --node within k layers (itself included), and the new ones.',
  options: {
    ...settingOptions(GRAPH_SOURCE_SETTINGS),
    node: { type: 'string', description: 'The node whose receptive field to list.', valueName: 'NODE' },
    ...settingOptions(RECEPTIVE_FIELD_SETTINGS),
  },
  async run(values, ctx) {
    const source = await loadGraphSource(values, ctx);
    const { graph } = source;
    const node = requireNode(graph, 'node', stringOption(values, 'node'));
    const { layers } = resolveSettings(values, RECEPTIVE_FIELD_SETTINGS);
    const fields: { layers: number; size: number; nodes: string[]; added: string[] }[] = [];
    let previous = new Set<string>();
    for (let k = 0; k <= layers; k++) {
      const nodes = receptiveField(graph, node, { layers: k });
      const added = nodes.filter((n) => !previous.has(n));
      fields.push({ layers: k, size: nodes.length, nodes, added });
      previous = new Set(nodes);
    }
    const listed = (nodes: readonly string[]) => (nodes.length <= 20 ? nodes.join(', ') : `${nodes.slice(0, 20).join(', ')}, …`);
    ctx.print(`receptive field of ${node} (${graph.order} nodes in the graph):`);
    for (const f of fields) {
      ctx.print(
        `  k=${f.layers}: ${String(f.size).padStart(String(graph.order).length)} node${f.size === 1 ? ' ' : 's'}  ` +
          `${f.layers === 0 ? listed(f.nodes) : f.added.length > 0 ? `+ ${listed(f.added)}` : '(nothing new)'}`,
      );
    }
    return { graph: source.name, node, layers, fields };
  },
};

/** The `graph` commands. */
export const graphCommands: readonly Command[] = [graphInfoCommand, graphHopsCommand, graphReceptiveFieldCommand];

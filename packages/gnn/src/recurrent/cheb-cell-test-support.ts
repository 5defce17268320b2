/**
 * What the GConvGRU and GConvLSTM tests share (nothing outside the tests imports this): the
 * PyTorch fixtures of test/fixtures/temporal_cheb.py, a run of one fixture case, small random
 * graphs and sequences, and the count of the ops one step records.
 */
import { fileURLToPath } from 'node:url';
import { Generator, Tensor, loadSafetensors, rand, randn, tensor, zeros, type FloatDType, type GradNode } from '@tensorloom/core-tensor';
import { expectClose } from '@tensorloom/core-tensor/testing';
import { expect } from 'vitest';
import type { ChebNormalization } from '../cheb-conv.js';
import type { ChebCellGraph, ChebGraphCell } from './cheb-cell.js';
import { unrollGraphCell } from './graph-cell.js';

/** A case of temporal-cheb-cells.safetensors (see temporal_cheb.py). */
export interface CellCase {
  layer: 'GConvGRU' | 'GConvLSTM';
  graph: string;
  K: number;
  options: { normalization?: ChebNormalization; lambdaMax?: number; bias?: boolean };
  inChannels: number;
  outChannels: number;
  steps: number;
  edgeWeight: boolean;
  initialState: boolean;
  detachEvery: number | null;
  stateDictKeys: string[];
  parameterKeys: string[];
}

const fixture = fileURLToPath(new URL('../../test/fixtures/temporal-cheb-cells.safetensors', import.meta.url));

/** The fixture's tensors and its cases of `layer`. */
export async function loadCellFixture(
  layer: CellCase['layer'],
): Promise<{ tensors: Record<string, Tensor>; cases: Record<string, CellCase> }> {
  const { tensors, metadata } = await loadSafetensors(fixture);
  const all = JSON.parse(metadata.cases ?? '{}') as Record<string, CellCase>;
  return { tensors, cases: Object.fromEntries(Object.entries(all).filter(([, c]) => c.layer === layer)) };
}

/** `tensors['<name>/<key>']`, or an error naming what is missing. */
export function need(tensors: Record<string, Tensor>, name: string, key: string): Tensor {
  const t = tensors[`${name}/${key}`];
  if (!t) throw new Error(`fixture has no tensor '${name}/${key}'`);
  return t;
}

/** A fresh leaf with `source`'s values in `dtype`. */
export function leafAs(source: Tensor, dtype: FloatDType, requiresGrad = true): Tensor {
  return tensor(source.data, { shape: source.shape, dtype, requiresGrad });
}

/** Every comparison with the reference: |actual − expected| ≤ 1e-6 + 1e-5·|expected|, float64 or float32 runs alike. */
export const TOLERANCE = { rtol: 1e-5, atol: 1e-6 };

/**
 * Loads case `name` into `cell` (strictly, after checking PyG Temporal's key order), unrolls it in
 * `dtype` with the case's detachEvery, backpropagates the case's loss and compares the output,
 * the final state and the gradients of xs, the initial state, the edge weights and every parameter.
 */
export function checkCellCase(
  cell: ChebGraphCell<unknown>,
  tensors: Record<string, Tensor>,
  name: string,
  testCase: CellCase,
  dtype: FloatDType,
): void {
  const { rtol, atol } = TOLERANCE;
  const close = (label: string, actual: Tensor | null, expected: Tensor): void => {
    expect(actual, `${name} ${label}: missing`).toBeTruthy();
    expectClose(actual!, expected, { rtol, atol, message: `${name} ${dtype} ${label}` });
  };
  expect(Object.keys(cell.stateDict()), 'state dict keys, in order').toEqual(testCase.stateDictKeys);
  expect(cell.namedParameters().map(([key]) => key)).toEqual(testCase.parameterKeys);
  cell.loadStateDict(Object.fromEntries(testCase.stateDictKeys.map((key) => [key, need(tensors, name, key)])), { strict: true });
  const xs = leafAs(need(tensors, name, 'xs'), dtype);
  const edgeIndex = need(tensors, name, 'edge_index');
  const edgeWeight = testCase.edgeWeight ? leafAs(need(tensors, name, 'edge_weight'), dtype) : null;
  const state = testCase.initialState ? cell.stateNames.map((s) => leafAs(need(tensors, name, `${s}0`), dtype)) : null;
  const result = unrollGraphCell(cell, xs, edgeIndex, { edgeWeight, state, detachEvery: testCase.detachEvery ?? undefined });
  close('out', result.output, need(tensors, name, 'out'));
  cell.stateNames.forEach((s, i) => close(`final ${s}`, result.state[i]!, need(tensors, name, s)));
  let loss = result.output.mul(leafAs(need(tensors, name, 'G.out'), dtype, false)).sum();
  if (cell.stateNames.length === 2) loss = loss.add(result.state[1]!.mul(leafAs(need(tensors, name, 'G.c'), dtype, false)).sum());
  loss.backward();
  close('grad of xs', xs.grad, need(tensors, name, 'grad.xs'));
  if (edgeWeight !== null)
    close('grad of edge_weight', edgeWeight.grad ?? zeros(edgeWeight.shape), need(tensors, name, 'grad.edge_weight'));
  state?.forEach((s, i) => close(`grad of ${cell.stateNames[i]}0`, s.grad, need(tensors, name, `grad.${cell.stateNames[i]}0`)));
  for (const [key, parameter] of cell.namedParameters()) close(`grad of ${key}`, parameter.grad, need(tensors, name, `grad.${key}`));
}

/**
 * 7 nodes: an undirected ring 0–4 with a chord, a self-loop on 1, the edge 2 → 3 twice, a directed
 * 4 → 5, and node 6 without edges. Returns the int32 edge index and positive float64 edge weights.
 */
export function messyGraph(seed: number, requiresGrad = false): { edgeIndex: Tensor; edgeWeight: Tensor; numNodes: number } {
  const pairs: Array<[number, number]> = [];
  for (const [a, b] of [
    [0, 1],
    [1, 2],
    [2, 3],
    [3, 4],
    [4, 0],
    [0, 2],
  ] as const)
    pairs.push([a, b], [b, a]);
  pairs.push([1, 1], [2, 3], [4, 5]);
  const edgeIndex = tensor([pairs.map(([s]) => s), pairs.map(([, t]) => t)], { dtype: 'int32' });
  const u = rand([pairs.length], { dtype: 'float64', generator: new Generator(seed) });
  return {
    edgeIndex,
    edgeWeight: tensor(
      u.data.map((v) => v + 0.5),
      { dtype: 'float64', requiresGrad },
    ),
    numNodes: 7,
  };
}

/** float64 normal draws from a seeded generator, scaled. */
export function normal64(shape: number[], seed: number, options: { scale?: number; requiresGrad?: boolean } = {}): Tensor {
  const { scale = 1, requiresGrad = false } = options;
  const t = randn(shape, { dtype: 'float64', generator: new Generator(seed) });
  return tensor(
    t.data.map((v) => v * scale),
    { shape, dtype: 'float64', requiresGrad },
  );
}

/** Every parameter of `module` redrawn from N(0, 0.5²) (the zero biases too, so that they matter). */
export function randomizeParameters(module: { parameters(): Tensor[] }, seed: number): void {
  const generator = new Generator(seed);
  for (const p of module.parameters()) {
    const draw = randn(p.shape, { dtype: p.dtype, generator });
    for (let i = 0; i < p.size; i++) p.data[i] = 0.5 * draw.data[i]!;
  }
}

/** The cell's protected graph preparation and step, for tests that look inside one step. */
interface Probe {
  prepareGraph(edgeIndex: Tensor, edgeWeight: Tensor | null, numNodes: number): ChebCellGraph<unknown>;
  stepOn(x: Tensor, graph: ChebCellGraph<unknown>, state: readonly Tensor[]): Tensor[];
}

const MULTI_OUTPUT = new Set(['split', 'chunk', 'unbind', 'lstmCell']);

/**
 * The ops one step records on the tape (the graph and the packed weights prepared before, as for
 * a sequence), by name: each tape node reachable from the new state that the preparation did not
 * make, the outputs of a split or an lstmCell counted with their op.
 */
export function stepOps(cell: ChebGraphCell<unknown>, x: Tensor, edgeIndex: Tensor, state: readonly Tensor[]): string[] {
  const probe = cell as unknown as Probe;
  const graph = probe.prepareGraph(edgeIndex, null, x.shape[0]!);
  const prepared = new Set<GradNode>();
  collect([graph.weights as Record<string, Tensor>].flatMap((w) => Object.values(w)).concat([graph.ones]), prepared);
  const step = new Set<GradNode>();
  collect(probe.stepOn(x, graph, state), step, prepared);
  // An op with several outputs (split, lstmCell) records a hub node and one node per output on it.
  const isPiece = (node: GradNode): boolean => MULTI_OUTPUT.has(node.op) && node.inputs[0]?.gradFn?.op === node.op;
  return [...step].filter((node) => !isPiece(node)).map((node) => node.op);
}

function collect(roots: readonly Tensor[], into: Set<GradNode>, stop: ReadonlySet<GradNode> = new Set()): void {
  const pending = roots.map((t) => t.gradFn).filter((n): n is GradNode => n !== null);
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (into.has(node) || stop.has(node)) continue;
    into.add(node);
    for (const input of node.inputs) if (input.gradFn !== null) pending.push(input.gradFn);
  }
}

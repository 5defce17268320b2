/**
 * What the DConv, TGCN and DCRNN tests share (nothing outside the tests imports this): the PyTorch
 * fixtures written by test/fixtures/temporal_tgcn_dcrnn.py (float64, PyG Temporal's names), the
 * check of one unrolled case, and a count of the ops a step records.
 */
import { parseSafetensors, serializeSafetensors, zerosLike, type GradNode, type Tensor } from '@tensorloom/core-tensor';
import { expectClose } from '@tensorloom/core-tensor/testing';
import { expect } from 'vitest';
import { ParityReport, leaf, loadFixture, need } from '../../test/parity-support.js';
import { unrollGraphCell, type RecurrentGraphCell } from './graph-cell.js';

/** A case of the `cases` metadata of the temporal fixtures. */
export interface TemporalCase {
  layer: 'DConv' | 'TGCN' | 'DCRNN';
  graph: 'messy' | 'directed' | 'symmetric' | 'source_only';
  /** Options under tensorloom's names (K for DConv and DCRNN). */
  options: { K?: number; bias?: boolean; improved?: boolean; addSelfLoops?: boolean };
  edgeWeight: boolean;
  /** Truncated BPTT of the cell cases, or null. */
  detachEvery?: number | null;
  /** PyTorch's state-dict keys, in order. */
  stateDictKeys: string[];
  /** Whether PyG Temporal's own DConv is defined on the case (else our documented choices apply). */
  pygTemporalDefined: boolean;
}

/** The tensors and cases of `temporal-tgcn-dcrnn-<part>.safetensors`. */
export async function loadTemporalFixture(
  part: 'dconv' | 'cells',
): Promise<{ tensors: Record<string, Tensor>; cases: Record<string, TemporalCase> }> {
  const { tensors, cases } = await loadFixture(`temporal-tgcn-dcrnn-${part}.safetensors`);
  return { tensors, cases: cases as unknown as Record<string, TemporalCase> };
}

/** The case's state dict under PyTorch's names, from the fixture. */
export function fixtureStateDict(tensors: Record<string, Tensor>, name: string, testCase: TemporalCase): Record<string, Tensor> {
  return Object.fromEntries(testCase.stateDictKeys.map((key) => [key, need(tensors, name, key)]));
}

/**
 * Loads PyTorch's state dict strictly (after checking that the names and their order agree),
 * unrolls the cell over the case's snapshots from its h0 (with its truncated BPTT), compares the
 * outputs, backpropagates `(out · G.out).sum()` and compares the gradients of xs, h0, the edge
 * weights and every parameter, to |actual − expected| ≤ 1e-6 + 1e-5·|expected|.
 */
export function checkCellCase(
  report: ParityReport,
  cell: RecurrentGraphCell,
  tensors: Record<string, Tensor>,
  name: string,
  testCase: TemporalCase,
): void {
  const group = testCase.layer;
  expect(Object.keys(cell.stateDict()), 'state dict keys, in order').toEqual(testCase.stateDictKeys);
  cell.loadStateDict(fixtureStateDict(tensors, name, testCase), { strict: true });
  const xs = leaf(need(tensors, name, 'xs'));
  const h0 = leaf(need(tensors, name, 'h0'));
  const edgeWeight = testCase.edgeWeight ? leaf(need(tensors, name, 'edge_weight')) : null;
  const { output } = unrollGraphCell(cell, xs, need(tensors, name, 'edge_index'), {
    edgeWeight,
    state: [h0],
    detachEvery: testCase.detachEvery ?? undefined,
  });
  report.compare(group, `${name} out`, output, need(tensors, name, 'out'));
  output
    .mul(need(tensors, name, 'G.out'))
    .sum()
    .backward();
  report.compare(group, `${name} grad of xs`, xs.grad, need(tensors, name, 'grad.xs'));
  report.compare(group, `${name} grad of h0`, h0.grad, need(tensors, name, 'grad.h0'));
  if (edgeWeight !== null) {
    // A cell that ignores the graph (DCRNN with K = 1) leaves no gradient; PyTorch reports zeros, which this compares.
    const grad = edgeWeight.grad ?? zerosLike(edgeWeight);
    report.compare(group, `${name} grad of edge_weight`, grad, need(tensors, name, 'grad.edge_weight'));
  }
  for (const [key, parameter] of cell.namedParameters()) {
    report.compare(group, `${name} grad of ${key}`, parameter.grad, need(tensors, name, `grad.${key}`));
  }
}

/**
 * The case in float32 (the cell, the inputs and the state dict cast down) against the float64
 * reference, to float32's precision: outputs and the gradients of xs, h0 and the edge weights to
 * 1e-5 + 1e-4·|expected|.
 */
export function checkFloat32Case(cell: RecurrentGraphCell, tensors: Record<string, Tensor>, name: string, testCase: TemporalCase): void {
  const float32 = (key: string) => leaf(need(tensors, name, key).to('float32'));
  const state = fixtureStateDict(tensors, name, testCase);
  cell.loadStateDict(Object.fromEntries(Object.entries(state).map(([key, t]) => [key, t.to('float32')])), { strict: true });
  const xs = float32('xs');
  const h0 = float32('h0');
  const edgeWeight = testCase.edgeWeight ? float32('edge_weight') : null;
  const { output } = unrollGraphCell(cell, xs, need(tensors, name, 'edge_index'), {
    edgeWeight,
    state: [h0],
    detachEvery: testCase.detachEvery ?? undefined,
  });
  expect(output.dtype).toBe('float32');
  const tolerance = { rtol: 1e-4, atol: 1e-5 };
  expectClose(output, need(tensors, name, 'out'), { ...tolerance, message: `${name} float32 out` });
  output
    .mul(need(tensors, name, 'G.out').to('float32'))
    .sum()
    .backward();
  expectClose(xs.grad!, need(tensors, name, 'grad.xs'), { ...tolerance, message: `${name} float32 grad of xs` });
  expectClose(h0.grad!, need(tensors, name, 'grad.h0'), { ...tolerance, message: `${name} float32 grad of h0` });
  if (edgeWeight !== null) {
    const grad = edgeWeight.grad ?? zerosLike(edgeWeight);
    expectClose(grad, need(tensors, name, 'grad.edge_weight'), { ...tolerance, message: `${name} float32 grad of edge_weight` });
  }
}

/**
 * The state dict as PyTorch would receive it (a safetensors file, parsed back): PyTorch's keys,
 * its shapes, and the values. Loading it into `fresh` must give it the same state.
 */
export function roundTripStateDict(
  from: RecurrentGraphCell,
  fresh: RecurrentGraphCell,
  tensors: Record<string, Tensor>,
  name: string,
): void {
  const written = parseSafetensors(serializeSafetensors(from.stateDict())).tensors;
  // A safetensors header is keyed by name (sorted on write): PyTorch loads by name, not by order.
  expect(Object.keys(written).sort()).toEqual(Object.keys(from.stateDict()).sort());
  for (const [key, t] of Object.entries(written)) expect(t.shape, key).toEqual(need(tensors, name, key).shape);
  fresh.loadStateDict(written, { strict: true });
  for (const [key, t] of Object.entries(fresh.stateDict())) expect(Array.from(t.data), key).toEqual(Array.from(written[key]!.data));
}

/** The ops recorded on the way to `output` (every node reachable from it; inputs must be leaves). */
export function recordedOps(output: Tensor): string[] {
  const seen = new Set<GradNode>();
  const ops: string[] = [];
  const stack: Tensor[] = [output];
  while (stack.length > 0) {
    const node = stack.pop()!.gradFn;
    if (node === null || seen.has(node)) continue;
    seen.add(node);
    ops.push(node.op);
    stack.push(...node.inputs);
  }
  return ops;
}

export { ParityReport, leaf, need };

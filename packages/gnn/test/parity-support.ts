/**
 * Reading the cases test/fixtures/make_fixtures.py wrote and checking one: strict load of the
 * state dict under PyG's names, forward, backward of `(out · G.out).sum()`, then the output and the
 * gradients of x and every parameter to |actual − expected| ≤ 1e-6 + 1e-5·|expected| (float32 on
 * both sides).
 *
 * Set TENSORLOOM_PARITY_REPORT=1 to print the largest errors per group after a file's tests.
 */
import { fileURLToPath } from 'node:url';
import { loadSafetensors, tensor, type Tensor } from '@tensorloom/core-tensor';
import { expectClose } from '@tensorloom/core-tensor/testing';
import { expect } from 'vitest';

export const RTOL = 1e-5;
export const ATOL = 1e-6;

/** A case of a fixture's `cases` metadata. */
export interface ParityCase {
  layer: string;
  graph: 'plain' | 'messy';
  /** The layer's options under tensorloom's names (only those that differ from the defaults). */
  options: Record<string, number | boolean | string>;
  edgeWeight: boolean;
  /** PyG's state-dict keys, in order. */
  stateDictKeys: string[];
  /** PyG's `named_parameters()` keys (a shared module counted once). */
  parameterKeys: string[];
}

/** What the checks need of a layer. */
export interface LayerUnderTest {
  stateDict(): Record<string, Tensor>;
  loadStateDict(state: Readonly<Record<string, Tensor>>, options?: { strict?: boolean }): unknown;
  namedParameters(): Array<[string, Tensor]>;
}

/** The tensors and cases of a fixture file. */
export async function loadFixture(name: string): Promise<{ tensors: Record<string, Tensor>; cases: Record<string, ParityCase> }> {
  const { tensors, metadata } = await loadSafetensors(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)));
  const json = metadata.cases;
  if (json === undefined) throw new Error(`${name} has no 'cases' metadata`);
  return { tensors, cases: JSON.parse(json) as Record<string, ParityCase> };
}

/** `tensors[`${name}/${key}`]`, or an error naming what is missing. */
export function need(tensors: Record<string, Tensor>, name: string, key: string): Tensor {
  const t = tensors[`${name}/${key}`];
  if (!t) throw new Error(`fixture has no tensor '${name}/${key}'`);
  return t;
}

/** A fresh leaf holding a copy of `source`'s values. */
export function leaf(source: Tensor, requiresGrad = true): Tensor {
  return tensor(source.data, { shape: source.shape, dtype: source.dtype, requiresGrad });
}

/** Largest errors per group, for TENSORLOOM_PARITY_REPORT. */
export class ParityReport {
  private readonly worst = new Map<string, { absolute: number; used: number }>();

  /** Asserts closeness (1e-6 + 1e-5·|expected|) and records the largest errors of `group`. */
  compare(group: string, label: string, actual: Tensor | null | undefined, expected: Tensor): void {
    expect(actual, `${group} ${label}: missing`).toBeTruthy();
    expect(actual!.shape, `${group} ${label}: shape`).toEqual(expected.shape);
    expectClose(actual!, expected, { rtol: RTOL, atol: ATOL, message: `${group} ${label}` });
    const stats = this.worst.get(group) ?? { absolute: 0, used: 0 };
    for (let i = 0; i < expected.size; i++) {
      const diff = Math.abs(actual!.data[i]! - expected.data[i]!);
      stats.absolute = Math.max(stats.absolute, diff);
      stats.used = Math.max(stats.used, diff / (ATOL + RTOL * Math.abs(expected.data[i]!)));
    }
    this.worst.set(group, stats);
  }

  print(): void {
    if (!process.env.TENSORLOOM_PARITY_REPORT) return;
    for (const [group, { absolute, used }] of this.worst) {
      console.log(`parity ${group.padEnd(16)} max abs ${absolute.toExponential(2)}  tolerance used ${(100 * used).toFixed(0)}%`);
    }
  }
}

/** The inputs of case `name`: x (a leaf requiring grad), the edge index, the edge weights (a leaf) or null. */
export function inputsOf(
  tensors: Record<string, Tensor>,
  name: string,
  testCase: ParityCase,
): { x: Tensor; edgeIndex: Tensor; edgeWeight: Tensor | null } {
  return {
    x: leaf(need(tensors, name, 'x')),
    edgeIndex: need(tensors, name, 'edge_index'),
    edgeWeight: testCase.edgeWeight ? leaf(need(tensors, name, 'edge_weight')) : null,
  };
}

/**
 * Loads PyG's state dict strictly (after checking the names and their order agree), runs
 * `forward`, compares `out`, backpropagates `(out · G.out).sum()` and compares the gradients of x
 * and every parameter. Returns the output for further checks.
 */
export function checkCase(
  report: ParityReport,
  group: string,
  layer: LayerUnderTest,
  tensors: Record<string, Tensor>,
  name: string,
  testCase: ParityCase,
  forward: () => Tensor,
  x: Tensor,
): Tensor {
  expect(Object.keys(layer.stateDict()), 'state dict keys, in order').toEqual(testCase.stateDictKeys);
  layer.loadStateDict(Object.fromEntries(testCase.stateDictKeys.map((key) => [key, need(tensors, name, key)])), { strict: true });
  const out = forward();
  report.compare(group, `${name} out`, out, need(tensors, name, 'out'));
  out
    .mul(need(tensors, name, 'G.out'))
    .sum()
    .backward();
  report.compare(group, `${name} grad of x`, x.grad, need(tensors, name, 'grad.x'));
  const named = layer.namedParameters();
  expect(named.map(([key]) => key).sort()).toEqual([...testCase.parameterKeys].sort());
  for (const [key, parameter] of named) report.compare(group, `${name} grad of ${key}`, parameter.grad, need(tensors, name, `grad.${key}`));
  return out;
}

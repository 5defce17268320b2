/**
 * What the PyTorch parity tests share: fixture loading, the tolerance (float32 on both sides:
 * |actual − expected| ≤ 1e-6 + 1e-5·|expected|), a comparison that records the largest errors per
 * group (printed with TENSORLOOM_PARITY_REPORT=1), and small helpers.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, expect } from 'vitest';
import { loadSafetensors, tensor, type Tensor } from '../src/index.js';
import { expectClose } from '../src/testing/index.js';

export const RTOL = 1e-5;
export const ATOL = 1e-6;

/** Loads `test/fixtures/<name>`. */
export const fixture = (name: string) => loadSafetensors(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)));

/**
 * A `compare(group, label, actual, expected)` that asserts closeness and records the largest
 * relative error (over |expected| ≥ 1e-2, away from cancellation) and absolute error per group;
 * the report prints after the file's tests when TENSORLOOM_PARITY_REPORT is set.
 */
export function parityComparer(): (group: string, label: string, actual: Tensor | null, expected: Tensor) => void {
  const worst = new Map<string, { relative: number; absolute: number }>();
  afterAll(() => {
    if (!process.env.TENSORLOOM_PARITY_REPORT) return;
    for (const [group, { relative, absolute }] of worst) {
      console.log(`parity ${group.padEnd(36)} max rel ${relative.toExponential(2)}  max abs ${absolute.toExponential(2)}`);
    }
  });
  return (group, label, actual, expected) => {
    expect(actual, `${group} ${label}: missing`).not.toBeNull();
    expectClose(actual!, expected, { rtol: RTOL, atol: ATOL, message: `${group} ${label}` });
    const stats = worst.get(group) ?? { relative: 0, absolute: 0 };
    for (let i = 0; i < expected.size; i++) {
      const a = actual!.data[i]!;
      const e = expected.data[i]!;
      if (Number.isNaN(e)) continue;
      const diff = Math.abs(a - e);
      stats.absolute = Math.max(stats.absolute, diff);
      if (Math.abs(e) >= 1e-2) stats.relative = Math.max(stats.relative, diff / Math.abs(e));
    }
    worst.set(group, stats);
  };
}

/** A fresh leaf holding a copy of `source`'s values. */
export function leaf(source: Tensor, requiresGrad = true): Tensor {
  return tensor(source.data, { shape: source.shape, dtype: source.dtype, requiresGrad });
}

/** The tensor `key` of a fixture, or a clear error naming it. */
export function need(record: Record<string, Tensor>, key: string): Tensor {
  const t = record[key];
  if (!t) throw new Error(`fixture has no tensor '${key}'`);
  return t;
}

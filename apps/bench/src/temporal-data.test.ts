import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { missingTemporal, readTemporal, writeEmbeddedTemporal } from './temporal-data.js';

const folder = mkdtempSync(path.join(os.tmpdir(), 'tensorloom-bench-temporal-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('the forecasting data', () => {
  it('writes the embedded chickenpox as PyG Temporal’s JSON, once, and reads it back', async () => {
    expect(missingTemporal(folder, 'temporal/chickenpox.json')).toMatch(/temporal\/chickenpox.json not found: no .*chickenpox.json/);
    const lines: string[] = [];
    await writeEmbeddedTemporal(folder, (line) => lines.push(line));
    await writeEmbeddedTemporal(folder, (line) => lines.push(line));
    expect(lines).toHaveLength(1);
    const data = readTemporal(folder, 'temporal/chickenpox.json');
    expect([data.steps, data.nodes, data.source.length, data.weights]).toEqual([521, 20, 102, null]);
    // The source's own first numbers (PyG Temporal's chickenpox.json: FX[0][0], FX[520][19], edges[0]); that the embedded
    // copy equals the JSON exactly is checked where the JSON is, by the datasets package's build-data.ts --check.
    expect([data.series[0], data.series[520 * data.nodes + 19]]).toEqual([-0.0010813572438314102, 1.0037587824488714]);
    expect([data.source[0], data.target[0]]).toEqual([0, 10]);
  });
});

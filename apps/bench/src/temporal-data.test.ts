import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findDataRoot } from './planetoid.js';
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
    // The original, where the shared data is beside the repository: the same edges and numbers.
    const root = findDataRoot();
    const original = root === null ? null : path.join(root, 'temporal/chickenpox.json');
    if (original === null || !existsSync(original)) {
      console.warn('temporal-data: no ../shared/data/temporal/chickenpox.json to compare the embedded copy with');
      return;
    }
    const shared = readTemporal(root!, 'temporal/chickenpox.json');
    expect(data.series).toEqual(shared.series);
    expect([data.source, data.target]).toEqual([shared.source, shared.target]);
  });
});

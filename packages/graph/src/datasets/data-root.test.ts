import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DatasetNotFoundError } from '../errors.js';
import { dataRoot, resolveDatasetFolder } from './data-root.js';

describe('dataRoot and resolveDatasetFolder', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('prefers the explicit root, then TENSORLOOM_DATA', () => {
    vi.stubEnv('TENSORLOOM_DATA', '/somewhere/data');
    expect(dataRoot('relative/root')).toBe(resolve('relative/root'));
    expect(dataRoot()).toBe('/somewhere/data');
  });

  it('finds a name under the root (case-insensitively) or takes a folder path', () => {
    const root = mkdtempSync(join(tmpdir(), 'tensorloom-root-'));
    try {
      mkdirSync(join(root, 'cora'));
      expect(resolveDatasetFolder('test', 'Cora', root)).toBe(join(root, 'cora'));
      expect(resolveDatasetFolder('test', join(root, 'cora'))).toBe(join(root, 'cora'));
      expect(() => resolveDatasetFolder('test', 'citeseer', root)).toThrow(DatasetNotFoundError);
      expect(() => resolveDatasetFolder('test', './no/such/folder')).toThrow(DatasetNotFoundError);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

import { chmod, mkdtemp, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Tensor } from '../tensor.js';
import { SafetensorsBoundsError, SafetensorsHeaderError, SafetensorsMetadataError } from './errors.js';
import { loadSafetensors, saveSafetensors } from './fs.js';
import { serializeSafetensors } from './safetensors.js';

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'tensorloom-io-'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

const weights = (): Record<string, Tensor> => ({
  '0.weight': new Tensor(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3], 'float32'),
  '0.bias': new Tensor(new Float64Array([-0.5, 0.25]), [2], 'float64'),
  step: new Tensor(new Int32Array([7]), [], 'int32'),
});

/** A tensor whose storage throws when read, as a failing device read or a disposed buffer would. */
function unreadableTensor(): Tensor {
  const t = new Tensor(new Float32Array(4), [4], 'float32');
  Object.defineProperty(t, 'data', {
    get() {
      throw new Error('storage unavailable');
    },
  });
  return t;
}

describe('saveSafetensors / loadSafetensors', () => {
  it('writes a file that loads back with the same tensors and metadata', async () => {
    const path = join(directory, 'model.safetensors');
    await saveSafetensors(path, weights(), { metadata: { epoch: '3' } });
    const { tensors, metadata } = await loadSafetensors(path);
    expect(metadata).toEqual({ epoch: '3' });
    for (const [name, t] of Object.entries(weights())) {
      expect(tensors[name]!.dtype).toBe(t.dtype);
      expect(tensors[name]!.shape).toEqual(t.shape);
      expect([...tensors[name]!.data]).toEqual([...t.data]);
    }
  });

  it('writes exactly the bytes serializeSafetensors produces', async () => {
    const path = join(directory, 'same.safetensors');
    await saveSafetensors(path, weights(), { metadata: { a: 'b' } });
    expect(new Uint8Array(await readFile(path))).toEqual(serializeSafetensors(weights(), { metadata: { a: 'b' } }));
  });

  it('replaces an existing file, keeps its permission bits and leaves no temporary file', async () => {
    const path = join(directory, 'model.safetensors');
    await writeFile(path, 'old contents');
    await chmod(path, 0o640);
    await saveSafetensors(path, weights());
    expect(Object.keys((await loadSafetensors(path)).tensors).sort()).toEqual(['0.bias', '0.weight', 'step']);
    expect((await stat(path)).mode & 0o777).toBe(0o640);
    expect(await readdir(directory)).toEqual(['model.safetensors']);
  });

  it('leaves the previous file intact and removes its temporary file when the write fails midway', async () => {
    const path = join(directory, 'model.safetensors');
    await saveSafetensors(path, weights());
    const before = await readFile(path);
    // '0.bias' (F64) and '0.weight' (F32, sorted by name) are written before 'zz', so the temp file has bytes when it fails.
    const failing = { ...weights(), zz: unreadableTensor() };
    await expect(saveSafetensors(path, failing)).rejects.toThrow('storage unavailable');
    expect(await readFile(path)).toEqual(before);
    expect(await readdir(directory)).toEqual(['model.safetensors']);
  });

  it('writes nothing when validation fails before any byte is written', async () => {
    const path = join(directory, 'fresh.safetensors');
    await expect(saveSafetensors(path, weights(), { metadata: { epoch: 3 as unknown as string } })).rejects.toThrow(
      SafetensorsMetadataError,
    );
    expect(await readdir(directory)).toEqual([]);
  });

  it('rejects with the file system error for a missing file or directory', async () => {
    await expect(loadSafetensors(join(directory, 'missing.safetensors'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(saveSafetensors(join(directory, 'no', 'such', 'dir.safetensors'), weights())).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('rejects a corrupt file with the typed parse error', async () => {
    const path = join(directory, 'corrupt.safetensors');
    await writeFile(path, new Uint8Array([1, 2, 3]));
    await expect(loadSafetensors(path)).rejects.toThrow(SafetensorsHeaderError);
  });

  it('refuses a file larger than Node reads in one piece (3 GiB, sparse) before reading it, naming its bytes', async () => {
    const path = join(directory, 'huge.safetensors');
    await writeFile(path, serializeSafetensors(weights()));
    await truncate(path, 3 * 2 ** 30); // a hole: no disk used, nothing read
    await expect(loadSafetensors(path)).rejects.toThrow(SafetensorsBoundsError);
    await expect(loadSafetensors(path)).rejects.toThrow(/3221225472 bytes/);
  });

  it('refuses a file larger than maxTensorBytes, and reads it under a larger limit', async () => {
    const path = join(directory, 'model.safetensors');
    const bytes = serializeSafetensors(weights());
    await writeFile(path, bytes);
    await expect(loadSafetensors(path, { maxTensorBytes: bytes.length - 1 })).rejects.toThrow(SafetensorsBoundsError);
    expect(Object.keys((await loadSafetensors(path, { maxTensorBytes: bytes.length })).tensors)).toHaveLength(3);
  });
});

describe('browser safety', () => {
  it('keeps Node imports out of the io modules at load time (fs.ts imports node: lazily)', async () => {
    for (const file of ['index.ts', 'safetensors.ts', 'safetensors-dtypes.ts', 'errors.ts', 'fs.ts']) {
      const source = await readFile(new URL(`./${file}`, import.meta.url), 'utf8');
      expect(source, file).not.toMatch(/^import\s[^;]*from\s+['"]node:/m);
      expect(source, file).not.toMatch(/^import\s+['"]node:/m);
    }
  });
});

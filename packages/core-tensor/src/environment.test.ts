import { afterEach, describe, expect, it, vi } from 'vitest';
import { nodeBuiltin, requireNodeBuiltin } from './environment.js';
import { EnvironmentError, TensorloomError } from './errors.js';
import { loadSafetensors, saveSafetensors } from './io/fs.js';
import { Tensor } from './tensor.js';

describe('nodeBuiltin and requireNodeBuiltin', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("return Node's own module in Node", async () => {
    const fs = await import('node:fs/promises');
    expect(nodeBuiltin<typeof fs>('node:fs/promises')!.readFile).toBe(fs.readFile);
    expect(requireNodeBuiltin<typeof fs>('node:fs/promises', 'test').readFile).toBe(fs.readFile);
  });

  it('outside Node: undefined, and an EnvironmentError naming the caller and the module', () => {
    vi.stubGlobal('process', undefined);
    expect(nodeBuiltin('node:fs')).toBeUndefined();
    expect(() => requireNodeBuiltin('node:fs', 'loadThing')).toThrow(EnvironmentError);
    expect(() => requireNodeBuiltin('node:fs', 'loadThing')).toThrow(/loadThing: needs Node's node:fs/);
    expect(new EnvironmentError('x')).toBeInstanceOf(TensorloomError);
  });

  it('makes the safetensors file helpers fail with EnvironmentError in a runtime without Node', async () => {
    vi.stubGlobal('process', { env: {} });
    const tensors = { t: new Tensor(new Float32Array([1]), [1], 'float32') };
    await expect(saveSafetensors('/tmp/never.safetensors', tensors)).rejects.toThrow(EnvironmentError);
    await expect(loadSafetensors('/tmp/never.safetensors')).rejects.toThrow(EnvironmentError);
  });
});

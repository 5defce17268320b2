import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { browserWorkerSource, nodeWorkerSource } from './worker-source.js';

const packageRoot = fileURLToPath(new URL('../../..', import.meta.url));

describe('wasm worker pool', () => {
  it('idle workers do not keep a Node process alive, registered or not, without dispose', () => {
    const script = `
      import { registerWasmBackendSync, createWasmBackend } from './src/backend/wasm/index.ts';
      const shared = registerWasmBackendSync({ threads: 2 });
      const own = await createWasmBackend({ threads: 3, matmulTuning: { threadsFrom: 0 } });
      const a = new Float32Array(96 * 96).fill(1);
      const out = new Float32Array(96 * 96);
      own.matmul({ a, b: a, out, batch: 1, m: 96, n: 96, k: 96, transA: false, transB: true, aBatchStride: 0, bBatchStride: 0 });
      await shared.ready();
      console.log(out[0], shared.getNumThreads(), own.getNumThreads());
    `;
    // A hang would end at the (generous) timeout with a signal instead of exit code 0.
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: packageRoot,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.stderr).toBe('');
    expect(child.signal).toBeNull();
    expect(child.status).toBe(0);
    expect(child.stdout.trim()).toBe('96 2 3');
  });

  it('worker sources are self-contained scripts that parse', () => {
    // They run as eval'd or Blob scripts: no imports, nothing from the bundle around them.
    for (const source of [nodeWorkerSource, browserWorkerSource]) {
      expect(source).not.toMatch(/\bimport\b/);
      expect(() => new Function(source)).not.toThrow();
    }
  });
});

import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  // Module.toString prints class names; keep them through bundling.
  keepNames: true,
  target: 'es2022',
  // vitest is a peer of the testing subpath only; never bundle it.
  external: ['vitest'],
});

import { defineConfig } from 'tsup';

// The data modules are loaded with dynamic import(), so each dataset becomes its own chunk: a
// bundle holds only the datasets its code loads.
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm'],
  dts: true,
  sourcemap: false,
  splitting: true,
  clean: true,
  keepNames: true,
  target: 'es2022',
});

// Shared vitest settings: resolve workspace packages to their TypeScript sources (the
// `@tensorloom/source` export condition), so tests never need a build.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// TENSORLOOM_BACKEND=wasm (and TENSORLOOM_THREADS=N) runs a package's whole suite on that backend.
const backendSetup = fileURLToPath(new URL('./packages/core-tensor/src/backend/wasm/vitest-setup.ts', import.meta.url));

const conditions = ['@tensorloom/source', 'module', 'node', 'import', 'default'];

export function tensorloomVitestConfig(options: { testTimeout?: number } = {}) {
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: conditions } },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: options.testTimeout ?? 60_000,
      setupFiles: process.env.TENSORLOOM_BACKEND ? [backendSetup] : [],
      server: { deps: { inline: [/@tensorloom\//] } },
    },
  });
}

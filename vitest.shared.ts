// Shared vitest settings: resolve workspace packages to their TypeScript sources (the
// `@tensorloom/source` export condition), so tests never need a build.
import { defineConfig } from 'vitest/config';

const conditions = ['@tensorloom/source', 'module', 'node', 'import', 'default'];

export function tensorloomVitestConfig(options: { testTimeout?: number } = {}) {
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: conditions } },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: options.testTimeout ?? 60_000,
      server: { deps: { inline: [/@tensorloom\//] } },
    },
  });
}

import { defineConfig } from 'vitest/config';

// Packing and installing take minutes; the examples and builds run one after the other.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 900_000,
    fileParallelism: false,
  },
});

import { defineConfig } from 'vitest/config';

// The snippet test runs each page's code against the built packages, as a user would; the
// end-to-end test drives the built site in Debian's Chromium (see e2e/site.test.ts).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'e2e/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The browser test and the snippet runner each keep both cores busy: one file at a time.
    fileParallelism: false,
  },
});

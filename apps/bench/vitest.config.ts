import { tensorloomVitestConfig } from '../../vitest.shared.js';

export default tensorloomVitestConfig({ testTimeout: 120_000 });

import { tensorloomVitestConfig } from '../../vitest.shared.js';

export default tensorloomVitestConfig();

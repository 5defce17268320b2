/**
 * A vitest setup file that runs a test suite on the backend named by the environment, so every
 * package's tests can run on both backends:
 *
 *   TENSORLOOM_BACKEND=wasm TENSORLOOM_THREADS=2 pnpm test
 *
 * `TENSORLOOM_BACKEND` is `js` (the default: nothing changes) or `wasm`; `TENSORLOOM_THREADS` is
 * the wasm thread count (default 1). `vitest.shared.ts` lists this file in `setupFiles`. It runs
 * before each test file, in that file's module graph, so tests that call `setBackend` themselves
 * still win. Not part of the package's API.
 */
import { BackendError } from '../../errors.js';
import { setBackend } from '../registry.js';
import { registerWasmBackendSync } from './register.js';

const name = process.env.TENSORLOOM_BACKEND ?? 'js';
if (name === 'wasm') {
  const threads = Number(process.env.TENSORLOOM_THREADS ?? '1');
  setBackend(registerWasmBackendSync({ threads }).name);
} else if (name !== 'js') {
  throw new BackendError(`TENSORLOOM_BACKEND must be 'js' or 'wasm', got '${name}'`);
}

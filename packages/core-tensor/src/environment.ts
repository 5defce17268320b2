/**
 * Node's built-in modules without an `import` a bundler would follow: `process.getBuiltinModule`
 * (Node ≥ 20.16). Code that only works in Node (files, worker threads) asks for its modules here, inside
 * the function that needs them, so the package's entry stays browser-safe and bundles with no Node
 * built-in to externalize.
 */
import { EnvironmentError } from './errors.js';

/** Node's built-in module `id` (`'node:fs/promises'`), or `undefined` outside Node. */
export function nodeBuiltin<T>(id: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.(id) as T | undefined;
}

/**
 * Node's built-in module `id` for `caller`; an `EnvironmentError` naming both outside Node (in a
 * browser, a worker or a runtime without `process.getBuiltinModule`).
 * @example const { readFile } = requireNodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises', 'loadSafetensors');
 */
export function requireNodeBuiltin<T>(id: string, caller: string): T {
  const module = nodeBuiltin<T>(id);
  if (module === undefined) {
    throw new EnvironmentError(
      `${caller}: needs Node's ${id}, which this runtime does not have (in a browser, read and write bytes instead)`,
    );
  }
  return module;
}

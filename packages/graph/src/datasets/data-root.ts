/** Where datasets live: an explicit root, `TENSORLOOM_DATA`, or `../shared/data` near the working directory. */
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { DatasetNotFoundError } from '../errors.js';

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/**
 * The data root: `root` if given, else `$TENSORLOOM_DATA`, else the first `../shared/data` found
 * from the working directory upwards (so it works from the repository and from any package in
 * it). Null when none exists.
 *
 * @example loadPlanetoid(join(dataRoot()!, 'cora'))
 */
export function dataRoot(root?: string): string | null {
  if (root !== undefined) return resolve(root);
  const fromEnv = process.env.TENSORLOOM_DATA;
  if (fromEnv) return resolve(fromEnv);
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    const candidate = resolve(dir, '../shared/data');
    if (isDirectory(candidate)) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

/**
 * A dataset folder from a name (`'cora'`, looked up as `<root>/cora`) or a path (anything with a
 * slash, or an existing directory). `DatasetNotFoundError` lists where it looked.
 */
export function resolveDatasetFolder(op: string, nameOrPath: string, root?: string): string {
  const looksLikePath = isAbsolute(nameOrPath) || nameOrPath.includes('/') || nameOrPath.includes('\\') || nameOrPath.startsWith('.');
  const tried: string[] = [];
  if (!looksLikePath) {
    const base = dataRoot(root);
    if (base !== null) {
      const folder = join(base, nameOrPath.toLowerCase());
      if (isDirectory(folder)) return folder;
      tried.push(folder);
    } else {
      tried.push('(no data root: pass root, set TENSORLOOM_DATA, or keep the data in ../shared/data)');
    }
  }
  const direct = resolve(nameOrPath);
  if (isDirectory(direct)) return direct;
  tried.push(direct);
  throw new DatasetNotFoundError(`${op}: no dataset folder for '${nameOrPath}'; looked in ${tried.join(', ')}`);
}

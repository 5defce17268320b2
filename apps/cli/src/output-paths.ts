/**
 * Output paths checked before the work that fills them: a plot, a CSV or a run folder in a folder that
 * does not exist, or where a directory stands, or that cannot be written, is a usage error (exit 2)
 * at the start, not an exception after an hour of training.
 */
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './cli.js';

function kind(path: string): 'file' | 'directory' | 'other' | undefined {
  try {
    const stat = statSync(path);
    return stat.isDirectory() ? 'directory' : stat.isFile() ? 'file' : 'other';
  } catch {
    return undefined;
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** A file the command will write: its folder exists and can be written, and no directory stands in its place. */
export function checkOutputFile(path: string, flag: string): void {
  if (kind(path) === 'directory') throw new UsageError(`--${flag} ${path}: is a directory; give a file path`);
  const folder = dirname(resolve(path));
  const folderKind = kind(folder);
  if (folderKind === undefined) throw new UsageError(`--${flag} ${path}: the folder '${dirname(path)}' does not exist; create it first`);
  if (folderKind !== 'directory') throw new UsageError(`--${flag} ${path}: '${dirname(path)}' is not a folder`);
  if (!writable(folder) || (kind(path) === 'file' && !writable(path)))
    throw new UsageError(`--${flag} ${path}: cannot be written (permission denied)`);
}

/** A folder the command will create or write into: no file stands in its place, and its nearest existing ancestor can be written. */
export function checkOutputFolder(path: string, flag: string): void {
  const k = kind(path);
  if (k !== undefined && k !== 'directory') throw new UsageError(`--${flag} ${path}: is a file, not a folder`);
  let existing = resolve(path);
  while (kind(existing) === undefined && dirname(existing) !== existing) existing = dirname(existing);
  if (kind(existing) !== 'directory') throw new UsageError(`--${flag} ${path}: '${existing}' is a file, not a folder`);
  if (!writable(existing)) throw new UsageError(`--${flag} ${path}: '${existing}' cannot be written (permission denied)`);
}

/**
 * A folder the command will fill as a whole (an export): as `checkOutputFolder`, and when it exists and
 * holds anything, refused unless `overwrite` (the flag `--overwrite` then replaces it).
 */
export function checkWholeOutputFolder(path: string, flag: string, overwrite: boolean): void {
  checkOutputFolder(path, flag);
  if (overwrite || kind(path) !== 'directory') return;
  const present = readdirSync(path);
  if (present.length === 0) return;
  const listed = present.slice(0, 4).join(', ') + (present.length > 4 ? `, … (${present.length} entries)` : '');
  throw new UsageError(`--${flag} ${path}: the folder is not empty (${listed}); give another folder, or --overwrite to replace it`);
}

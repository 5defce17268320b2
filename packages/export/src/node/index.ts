/**
 * `@tensorloom/export/node`: writing an export to a folder (Node only).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ValueError } from '@tensorloom/core-tensor';
import { writeDirectoryAtomically } from '@tensorloom/textgen';
import { fileBytes, type ExportBundle } from '../files.js';

export interface WriteExportFolderOptions {
  /** Replace a folder that already exists and is not empty. Default false: refused, naming what is in it. */
  overwrite?: boolean;
}

/**
 * Writes the bundle's files as the folder `dir`, atomically: into a temporary folder beside it,
 * then renamed into place, so a reader (or a killed writer) never sees half an export. A folder
 * that exists and holds files is refused unless `overwrite` (then replaced as a whole).
 * @returns the absolute path of each file written, in the bundle's order.
 */
export async function writeExportFolder(dir: string, bundle: ExportBundle, options: WriteExportFolderOptions = {}): Promise<string[]> {
  const target = resolve(dir);
  if (existsSync(target)) {
    const stat = statSync(target);
    if (!stat.isDirectory()) throw new ValueError(`writeExportFolder: '${dir}' exists and is not a folder`);
    const present = readdirSync(target);
    if (present.length > 0 && options.overwrite !== true) {
      const listed = present.slice(0, 5).join(', ') + (present.length > 5 ? `, … (${present.length} entries)` : '');
      throw new ValueError(`writeExportFolder: the folder '${dir}' is not empty (${listed}); choose another folder or pass overwrite`);
    }
  }
  const files: Record<string, Uint8Array> = {};
  for (const file of bundle.files) files[file.name] = fileBytes(file);
  await writeDirectoryAtomically(target, files);
  return bundle.files.map((file) => join(target, file.name));
}

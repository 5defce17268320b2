/**
 * What an exporter produces, before anything touches a disk: file names and their contents, in
 * the order they are listed to the user. In Node `writeExportFolder` (`@tensorloom/export/node`)
 * writes them as one folder, atomically; in a browser they can be offered as downloads.
 */
export interface ExportedFile {
  /** The file's name inside the export folder (no directories): `model.py`, `model.onnx`, … */
  readonly name: string;
  /** Text (written as UTF-8) or bytes. */
  readonly contents: string | Uint8Array;
  /** One line saying what the file is for, as the CLI lists it. */
  readonly description: string;
}

/** The files of one export. */
export interface ExportBundle {
  /** What was exported: 'textgen' (a character language model) or 'gnn' (a node classifier). */
  readonly kind: 'textgen' | 'gnn';
  readonly files: readonly ExportedFile[];
}

const encoder = new TextEncoder();

/** A file's contents as bytes (text as UTF-8). */
export function fileBytes(file: ExportedFile): Uint8Array {
  return typeof file.contents === 'string' ? encoder.encode(file.contents) : file.contents;
}

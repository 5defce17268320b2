/**
 * Internal: the text of a text loader's input (edge list, CSV, GEXF, GraphML), refusing input that
 * is not text. Bytes must be UTF-8 without NULs; a string must hold no NUL. Browser-safe.
 */
import { findInvalidUtf8 } from '@tensorloom/core-tensor';
import { BinaryInputError } from '../errors.js';

/** What every text loader accepts: the text, or the file's bytes (decoded here as strict UTF-8). */
export type TextInput = string | Uint8Array;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function binary(file: string, offset: number, what: string): never {
  throw new BinaryInputError(`looks binary, not text: ${what} at byte offset ${offset}`, file, offset);
}

/**
 * The text of `input`: a string is checked for NULs; bytes are decoded as UTF-8 (a leading BOM
 * dropped) and refused with a `BinaryInputError` naming the offset of the first NUL or invalid
 * byte. A UTF-16 byte-order mark gets its own message (save the file as UTF-8).
 */
export function textOf(input: TextInput, file: string): string {
  if (typeof input === 'string') {
    const nul = input.indexOf('\0');
    if (nul !== -1) {
      throw new BinaryInputError(`looks binary, not text: a NUL character at character offset ${nul}`, file, nul);
    }
    return input;
  }
  if (input.length >= 2 && ((input[0] === 0xff && input[1] === 0xfe) || (input[0] === 0xfe && input[1] === 0xff))) {
    throw new BinaryInputError('is UTF-16 text (it starts with a UTF-16 byte-order mark); save it as UTF-8', file, 0);
  }
  const nul = input.indexOf(0);
  if (nul !== -1) binary(file, nul, 'a NUL byte');
  try {
    return utf8.decode(input);
  } catch {
    const bad = findInvalidUtf8(input);
    return binary(file, Math.max(bad, 0), `byte 0x${(input[Math.max(bad, 0)] ?? 0).toString(16).padStart(2, '0')}, not valid UTF-8,`);
  }
}

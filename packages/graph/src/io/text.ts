/**
 * Internal: the text of a text loader's input (edge list, CSV, GEXF, GraphML), refusing input that
 * is not text. Bytes must be UTF-8 without NULs; a string must hold no NUL. Browser-safe.
 */
import { BinaryInputError } from '../errors.js';

/** What every text loader accepts: the text, or the file's bytes (decoded here as strict UTF-8). */
export type TextInput = string | Uint8Array;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The 0-based offset of the first byte that does not belong to well-formed UTF-8 (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF, no truncated sequence), or -1.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) low = 0xa0; // overlong
      if (b === 0xed) high = 0x9f; // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) low = 0x90; // overlong
      if (b === 0xf4) high = 0x8f; // above U+10FFFF
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = i + k < n ? bytes[i + k]! : -1;
      if (c < (k === 1 ? low : 0x80) || c > (k === 1 ? high : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

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
    const bad = firstInvalidUtf8(input);
    return binary(file, Math.max(bad, 0), `byte 0x${(input[Math.max(bad, 0)] ?? 0).toString(16).padStart(2, '0')}, not valid UTF-8,`);
  }
}

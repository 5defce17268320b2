/**
 * Text in: bytes to a string in a named encoding, strict about invalid UTF-8 (with the byte offset
 * of the fault), with the byte-order mark stripped. `readTextFile` is the Node file variant; it
 * fetches `node:fs` when called (`requireNodeBuiltin`), so this module stays browser-safe.
 */
import { ValueError, findInvalidUtf8, requireNodeBuiltin } from '@tensorloom/core-tensor';
import { TextDecodingError } from './errors.js';

export interface DecodeTextOptions {
  /**
   * The encoding, as a WHATWG `TextDecoder` label: `'utf-8'`, `'latin1'`, `'utf-16le'`,
   * `'windows-1252'`, … Default `'utf-8'`. As in browsers, `'latin1'` and `'iso-8859-1'` decode as
   * windows-1252 (which differs from ISO-8859-1 only on the C1 control bytes 0x80–0x9F).
   */
  encoding?: string;
  /**
   * What to do with bytes that are invalid in the encoding: `'error'` throws a
   * `TextDecodingError` naming the byte offset (and line) of the first one; `'replace'` puts
   * U+FFFD (�) in their place. Default `'error'`. Single-byte encodings such as latin1 have no
   * invalid bytes.
   */
  onInvalid?: 'error' | 'replace';
  /** A name for the source in error messages (the file path). Default none. */
  source?: string;
}

/**
 * Decodes `bytes` as text. A leading byte-order mark is removed (UTF-8 and UTF-16); with the
 * default UTF-8, invalid input throws a `TextDecodingError` whose `byteOffset` is the offset of the
 * first invalid byte, suggesting an `encoding` (the course ships a Latin-1 TeX book, for which
 * `{ encoding: 'latin1' }` is right). An unknown encoding label is a `ValueError`.
 *
 * @example
 * decodeText(new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0x69]))          // 'hi' (BOM stripped)
 * decodeText(new Uint8Array([0x63, 0x61, 0x66, 0xe9]), { encoding: 'latin1' }) // 'café'
 * decodeText(new Uint8Array([0x63, 0xe9]))   // throws TextDecodingError (byteOffset 1)
 */
export function decodeText(bytes: Uint8Array, options: DecodeTextOptions = {}): string {
  const { source } = options;
  const decoder = textDecoder('decodeText', options);
  try {
    return decoder.decode(bytes);
  } catch {
    const name = decoder.encoding;
    const offset = name === 'utf-8' ? findInvalidUtf8(bytes) : firstUndecodableByte(bytes, name);
    const where = source === undefined ? '' : ` '${source}'`;
    const byte = bytes[offset];
    const what = byte === undefined ? 'the input ends inside a character' : `byte 0x${byte.toString(16).padStart(2, '0')}`;
    const { line, column } = lineAndColumn(bytes, offset);
    throw new TextDecodingError(
      `decodeText: the input${where} is not valid ${name}: ${what} at byte offset ${offset} (line ${line}, byte ${column} of the line); ` +
        `pass the file's encoding (for example { encoding: 'latin1' }) or { onInvalid: 'replace' }`,
      name,
      offset,
    );
  }
}

/** The decoder `options` ask for; ValueError for an unknown encoding or `onInvalid`. */
function textDecoder(op: string, options: DecodeTextOptions): InstanceType<typeof TextDecoder> {
  const { encoding = 'utf-8', onInvalid = 'error' } = options;
  if (onInvalid !== 'error' && onInvalid !== 'replace') {
    throw new ValueError(`${op}: onInvalid must be 'error' or 'replace', got '${String(onInvalid)}'`);
  }
  try {
    return new TextDecoder(encoding, { fatal: onInvalid === 'error' });
  } catch {
    throw new ValueError(`${op}: unknown encoding '${encoding}': expected a TextDecoder label such as 'utf-8', 'latin1' or 'utf-16le'`);
  }
}

/**
 * Reads a text file (Node only) and decodes it with `decodeText`: UTF-8 by default, strict, the BOM
 * stripped. Errors name the path.
 *
 * Memory: the text is read once. A UTF-8 file is read and decoded by Node in one synchronous call
 * whose buffer is freed before it returns, so a large corpus is held once, as the string (one byte
 * a character for Latin-1 text), not also as a buffer waiting for the garbage collector; the bytes
 * are read again only when the text holds U+FFFD (to tell an invalid byte from a real U+FFFD).
 *
 * @example
 * const text = await readTextFile('calculus_made_easy_latin1.tex', { encoding: 'latin1' });
 */
export async function readTextFile(path: string, options: DecodeTextOptions = {}): Promise<string> {
  const { readFile } = requireNodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises', 'readTextFile');
  try {
    if (textDecoder('readTextFile', options).encoding === 'utf-8') {
      const text = readUtf8(path);
      if (text !== undefined) return text;
    }
    const bytes = await readFile(path);
    return decodeText(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { source: path, ...options });
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === 'ERR_STRING_TOO_LONG') {
      throw new ValueError(
        `readTextFile: '${path}' holds more characters than a JavaScript string can (${(2 ** 29 - 24).toLocaleString('en-US')}); ` +
          'split it into smaller files',
      );
    }
    throw error;
  }
}

/**
 * A UTF-8 file's text without its BOM, or undefined when it holds U+FFFD: Node replaces each
 * invalid sequence by U+FFFD, so without one the file was valid UTF-8 and this is what a strict
 * decoder gives; with one, the caller decodes the bytes itself to find the fault.
 */
function readUtf8(path: string): string | undefined {
  const { readFileSync } = requireNodeBuiltin<typeof import('node:fs')>('node:fs', 'readTextFile');
  const text = readFileSync(path, 'utf8');
  if (text.includes('\uFFFD')) return undefined;
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** For multi-byte encodings other than UTF-8: the longest prefix that decodes, found by bisection. */
function firstUndecodableByte(bytes: Uint8Array, encoding: string): number {
  // A prefix "decodes" when it holds no invalid byte; an unfinished character at its end is fine.
  const decodes = (end: number): boolean => {
    try {
      new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(0, end), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  let low = 0;
  let high = bytes.length;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (decodes(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** 1-based line and byte column of `offset` (lines end at LF bytes). */
function lineAndColumn(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, bytes.length);
  for (let i = 0; i < end; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

export { findInvalidUtf8 };

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Generator, ValueError } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { TextDecodingError } from './errors.js';
import { decodeText, findInvalidUtf8, readTextFile } from './text-io.js';

const bytes = (...values: number[]) => Uint8Array.from(values);
// The beginnings of two course books, byte for byte (test/fixtures/README.md).
const fixtures = fileURLToPath(new URL('../test/fixtures', import.meta.url));

describe('decodeText', () => {
  it('decodes UTF-8 and strips a byte-order mark', () => {
    expect(decodeText(bytes(0xef, 0xbb, 0xbf, 0x68, 0xc3, 0xa9))).toBe('hé');
    expect(decodeText(new TextEncoder().encode('🐳 whale'))).toBe('🐳 whale');
    expect(decodeText(bytes())).toBe('');
  });

  it('throws TextDecodingError naming the offset of the first invalid byte', () => {
    const cases: [Uint8Array, number][] = [
      [bytes(0x61, 0x62, 0xb7, 0x63), 2], // a stray continuation byte (Latin-1 '·')
      [bytes(0x61, 0xc0, 0x80), 1], // overlong NUL
      [bytes(0xed, 0xa0, 0x80), 0], // a UTF-16 surrogate
      [bytes(0x61, 0xf4, 0x90, 0x80, 0x80), 1], // above U+10FFFF
      [bytes(0x61, 0x62, 0xe2, 0x82), 2], // cut short by the end
      [bytes(0x0a, 0x0a, 0x63, 0x61, 0x66, 0xe9), 5], // Latin-1 'café' on line 3
    ];
    for (const [input, offset] of cases) {
      expect(() => decodeText(input)).toThrow(TextDecodingError);
      try {
        decodeText(input);
      } catch (error) {
        expect((error as TextDecodingError).byteOffset).toBe(offset);
        expect((error as TextDecodingError).encoding).toBe('utf-8');
        expect((error as Error).message).toContain(`byte offset ${offset}`);
      }
    }
  });

  it('decodes Latin-1 when told, and replaces invalid bytes with onInvalid: "replace"', () => {
    expect(decodeText(bytes(0x63, 0x61, 0x66, 0xe9, 0x20, 0xb7, 0xd7), { encoding: 'latin1' })).toBe('café ·×');
    expect(decodeText(bytes(0x61, 0xff, 0x62), { onInvalid: 'replace' })).toBe('a\ufffdb');
  });

  it('rejects an unknown encoding or onInvalid with ValueError', () => {
    expect(() => decodeText(bytes(0x61), { encoding: 'klingon' })).toThrow(ValueError);
    expect(() => decodeText(bytes(0x61), { onInvalid: 'skip' as never })).toThrow(ValueError);
  });
});

describe('findInvalidUtf8', () => {
  it("agrees with the platform's strict decoder on random byte strings", () => {
    const generator = new Generator(7);
    const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    let invalid = 0;
    for (let trial = 0; trial < 3000; trial++) {
      // Mostly valid text with a few random bytes, so both outcomes occur often.
      const text = Array.from({ length: generator.integer(0, 6) }, () => String.fromCodePoint(generator.integer(0, 0x1100))).join('');
      const valid = Array.from(new TextEncoder().encode(text));
      if (generator.random() < 0.7) valid.splice(generator.integer(0, valid.length + 1), 0, generator.integer(0x80, 0x100));
      const input = Uint8Array.from(valid);
      let decodes = true;
      try {
        fatal.decode(input);
      } catch {
        decodes = false;
      }
      const offset = findInvalidUtf8(input);
      expect(offset === -1).toBe(decodes);
      if (!decodes) {
        invalid++;
        // Everything before the reported byte decodes.
        expect(() => fatal.decode(input.subarray(0, offset))).not.toThrow();
      }
    }
    expect(invalid).toBeGreaterThan(500);
  });
});

describe('readTextFile on the course books', () => {
  const book = join(fixtures, 'calculus_made_easy_latin1.head.tex');

  it('refuses the Latin-1 TeX book as UTF-8, naming the byte offset, and reads it with encoding latin1', async () => {
    await expect(readTextFile(book)).rejects.toThrow(TextDecodingError);
    // The first non-ASCII byte of the book is 0xB7 ('·') at offset 21955.
    await expect(readTextFile(book)).rejects.toMatchObject({ byteOffset: 21955 });
    await expect(readTextFile(book)).rejects.toThrow(/calculus_made_easy_latin1\.head\.tex/);
    const text = await readTextFile(book, { encoding: 'latin1' });
    expect(text.length).toBe(42015); // one character per byte
    expect(text).toContain('·');
    expect(text).toContain('×');
    expect(text.charCodeAt(21955)).toBe(0xb7);
    expect(text.charCodeAt(41314)).toBe(0xd7);
  });

  it('strips the BOM of a UTF-8 book', async () => {
    const path = join(fixtures, 'grimms_fairy_tales.head.txt');
    const text = await readTextFile(path);
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    expect(text.startsWith('The Project Gutenberg EBook of Grimms’ Fairy Tales')).toBe(true);
    expect(new TextEncoder().encode(text).length).toBe(3056 - 3); // the three bytes of the mark are gone
  });
});

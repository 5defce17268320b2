import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findInvalidUtf8 } from './utf8.js';

describe('findInvalidUtf8', () => {
  it('findInvalidUtf8 agrees with a fatal TextDecoder on any bytes', () => {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), fc.string({ unit: 'grapheme', maxLength: 6 }), (random, text) => {
        for (const input of [random, new TextEncoder().encode(text)]) {
          let valid = true;
          try {
            decoder.decode(input);
          } catch {
            valid = false;
          }
          expect(findInvalidUtf8(input) === -1).toBe(valid);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('names the offset of the first bad byte: a stray continuation, a surrogate, an overlong form, a cut sequence', () => {
    const at = (...values: number[]) => findInvalidUtf8(Uint8Array.from(values));
    expect(at(0x61, 0xc3, 0xa9, 0xb7)).toBe(3);
    expect(at(0x61, 0xed, 0xa0, 0x80)).toBe(1);
    expect(at(0xc0, 0xaf)).toBe(0);
    expect(at(0x61, 0x62, 0xe2, 0x82)).toBe(2);
    expect(at(0xf0, 0x9f, 0x98, 0x80)).toBe(-1);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forEachTextPiece, tokenIdArray } from './text-pieces.js';
import { CharTokenizer } from './tokenizer.js';

/** Text rich in what lower-casing treats specially: Σ at word ends, İ (which lengthens), astral letters, apostrophes. */
const trickyText = fc
  .array(fc.constantFrom('Σ', 'ΟΔΟΣ', 'σ', 'İ', 'A', 'b', ' ', '\n', "'", '.', '𝔄', '𐐀', 'ß', 'Ǆ', '\u0301', 'ΑΣ\u0301'), { maxLength: 60 })
  .map((parts) => parts.join(''));

const pieces = (text: string, lowercase: boolean, size?: number) => {
  const out: string[] = [];
  forEachTextPiece(text, lowercase, (piece) => out.push(piece), size);
  return out;
};

describe('forEachTextPiece', () => {
  it('lower-cases piece by piece exactly as toLowerCase does the whole text, final sigma included (2,000 generated texts)', () => {
    // Pieces of 1 to 8 units force a cut at nearly every space or line break.
    fc.assert(
      fc.property(trickyText, fc.integer({ min: 1, max: 8 }), (text, size) => {
        expect(pieces(text, true, size).join('')).toBe(text.toLowerCase());
      }),
      { numRuns: 2000 },
    );
    // The case a cut in the wrong place would get wrong: ΟΔΟΣ lower-cases to οδος with a final ς.
    expect(pieces('ΟΔΟΣ ΟΔΟΣ\nΟΔΟΣ', true, 2).join('')).toBe('οδος οδος\nοδος');
  });

  it('cuts only after a space or a line break, and hands over the text itself without lowercase', () => {
    const text = 'aaaa bbbb\ncccc dddd';
    const cut = pieces(text, true, 6);
    expect(cut.length).toBeGreaterThan(1);
    for (const piece of cut.slice(0, -1)) expect(piece.endsWith(' ') || piece.endsWith('\n')).toBe(true);
    expect(pieces('NoSpacesAtAllHere', true, 4)).toEqual(['nospacesatallhere']);
    expect(pieces(text, false, 2)).toEqual([text]);
  });
});

describe('tokenIdArray and CharTokenizer.encodeIds', () => {
  it('picks a byte per id up to 256 ids, 16 bits up to 65,536, 32 bits beyond', () => {
    expect(tokenIdArray(256, 3)).toBeInstanceOf(Uint8Array);
    expect(tokenIdArray(257, 3)).toBeInstanceOf(Uint16Array);
    expect(tokenIdArray(65_536, 3)).toBeInstanceOf(Uint16Array);
    expect(tokenIdArray(65_537, 3)).toBeInstanceOf(Int32Array);
    const wide = CharTokenizer.fromText(Array.from({ length: 300 }, (_, i) => String.fromCodePoint(0x100 + i)).join(''));
    expect(wide.encodeIds('ĀĂ')).toBeInstanceOf(Uint16Array);
    expect(CharTokenizer.fromText('abc').encodeIds('cab')).toEqual(Uint8Array.of(2, 0, 1));
  });

  it('gives the ids encode gives, lower-cased or not, with <unk> or not (1,000 generated texts)', () => {
    fc.assert(
      fc.property(trickyText, trickyText, fc.boolean(), (corpus, text, lowercase) => {
        // The space keeps the text's lower-casing what it is on its own (Σ's form depends on its neighbours).
        const tokenizer = CharTokenizer.fromText(`${corpus} ${text}`, { lowercase });
        expect(Array.from(tokenizer.encodeIds(text))).toEqual(Array.from(tokenizer.encode(text)));
        expect(tokenizer.chars).toEqual([...new Set(tokenizer.normalize(`${corpus} ${text}`))].sort(byCodePoint));
        const partial = CharTokenizer.fromText(corpus, { lowercase, unknown: 'token' });
        expect(Array.from(partial.encodeIds(text))).toEqual(Array.from(partial.encode(text)));
      }),
      { numRuns: 1000 },
    );
  });

  it('grows its array when lower-casing lengthens the text (İ is two code points lower-cased)', () => {
    const text = 'İ'.repeat(5000);
    const tokenizer = CharTokenizer.fromText(text, { lowercase: true });
    const ids = tokenizer.encodeIds(text);
    expect(ids.length).toBe(10_000);
    expect(tokenizer.decode(ids)).toBe(text.toLowerCase());
  });

  it('names the position of an unknown character in code points of the lower-cased text, across pieces', () => {
    const tokenizer = CharTokenizer.fromText('abc 😀', { lowercase: true });
    const text = `${'ABC 😀 '.repeat(20_000)}x`;
    try {
      tokenizer.encodeIds(text);
      expect.unreachable();
    } catch (error) {
      expect((error as { position: number }).position).toBe([...text].length - 1);
      expect((error as { character: string }).character).toBe('x');
    }
  });
});

function byCodePoint(a: string, b: string): number {
  return a.codePointAt(0)! - b.codePointAt(0)!;
}

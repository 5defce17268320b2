/**
 * Property tests of `CharTokenizer.fromJSON`, what reads a checkpoint's vocab.json: any JSON ends
 * in a tokenizer or a `ValueError`, and a saved tokenizer comes back with the same ids.
 */
import { TensorloomError, ValueError } from '@tensorloom/core-tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CharTokenizer } from './tokenizer.js';

function fromJSON(value: unknown): CharTokenizer | ValueError {
  try {
    return CharTokenizer.fromJSON(value);
  } catch (error) {
    if (error instanceof ValueError && error instanceof TensorloomError) return error;
    throw error;
  }
}

const deep = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));
const field = fc.constantFrom('format', 'version', 'lowercase', 'unknown', 'chars');
const anyValue = fc.oneof(fc.jsonValue(), fc.integer({ min: 1_000, max: 20_000 }).map(deep), fc.array(fc.string({ maxLength: 3 })));

describe('CharTokenizer.fromJSON holds against any JSON (property tests)', () => {
  it('a saved tokenizer of random characters comes back with the same ids', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        fc.boolean(),
        fc.constantFrom('error', 'token'),
        (text, lowercase, unknown) => {
          const tokenizer = CharTokenizer.fromText(text, { lowercase, unknown: unknown as 'error' | 'token' });
          const back = fromJSON(JSON.parse(JSON.stringify(tokenizer.toJSON())));
          expect(back).toBeInstanceOf(CharTokenizer);
          expect((back as CharTokenizer).chars).toEqual(tokenizer.chars);
          expect((back as CharTokenizer).vocabSize).toBe(tokenizer.vocabSize);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('any field replaced by any JSON (deeply nested included) ends in a tokenizer or a ValueError', () => {
    const saved = CharTokenizer.fromText('hello, world').toJSON() as unknown as Record<string, unknown>;
    fc.assert(
      fc.property(field, anyValue, (key, value) => {
        fromJSON({ ...saved, [key]: value });
      }),
      { numRuns: 400 },
    );
  });

  it('any JSON document ends in a tokenizer or a ValueError', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        expect(fromJSON(value)).toBeInstanceOf(ValueError);
      }),
      { numRuns: 200 },
    );
  });
});

describe('CharTokenizer.fromJSON (examples)', () => {
  it('names a vocabulary entry that is not a string', () => {
    const saved = { ...CharTokenizer.fromText('ab').toJSON(), chars: ['a', 7] };
    expect(() => CharTokenizer.fromJSON(saved)).toThrow(/entry 1 is 7/);
  });

  it('refuses an unknown policy nested too deep to print with a ValueError, not a RangeError', () => {
    const saved = { ...CharTokenizer.fromText('ab').toJSON(), unknown: deep(200_000) };
    expect(() => CharTokenizer.fromJSON(saved)).toThrow(ValueError);
    expect(() => CharTokenizer.fromJSON(deep(200_000))).toThrow(ValueError);
  });
});

import { IndexError, ValueError, tensor } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { UnknownCharacterError } from './errors.js';
import { CharTokenizer, UNKNOWN_REPLACEMENT, UNKNOWN_TOKEN } from './tokenizer.js';

describe('CharTokenizer.fromText', () => {
  it('sorts the distinct characters by code point, so ids are stable', () => {
    const tokenizer = CharTokenizer.fromText('hello world');
    expect(tokenizer.chars).toEqual([' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w']);
    expect(tokenizer.vocabSize).toBe(8);
    // The same characters in any order give the same vocabulary.
    expect(CharTokenizer.fromText('dlrow olleh').chars).toEqual(tokenizer.chars);
  });

  it('orders astral characters by code point, after U+FFxx (not by UTF-16 units, where they would come first)', () => {
    const tokenizer = CharTokenizer.fromText('😀\uff01a');
    expect(tokenizer.chars).toEqual(['a', '\uff01', '😀']);
  });

  it('round-trips text with astral characters, one id per code point', () => {
    const text = 'Moby 🐳 Dick — 𝔐𝔬𝔟𝔶 ναι 😀!';
    const tokenizer = CharTokenizer.fromText(text);
    const ids = tokenizer.encode(text);
    expect(ids).toBeInstanceOf(Int32Array);
    expect(ids.length).toBe([...text].length);
    expect(ids.length).toBeLessThan(text.length);
    expect(tokenizer.decode(ids)).toBe(text);
    expect(tokenizer.decode(tensor(ids, { dtype: 'int32' }))).toBe(text);
    expect(tokenizer.idOf('🐳')).toBe(tokenizer.chars.indexOf('🐳'));
  });

  it('lower-cases the corpus and every encoded text with lowercase: true', () => {
    const tokenizer = CharTokenizer.fromText('Call me Ishmael', { lowercase: true });
    expect(tokenizer.chars).not.toContain('C');
    expect(tokenizer.chars).not.toContain('I');
    expect(tokenizer.encode('CALL')).toEqual(tokenizer.encode('call'));
    expect(tokenizer.decode(tokenizer.encode('Ishmael'))).toBe('ishmael');
  });

  it('puts <unk> first with unknown: "token" and maps unknown characters to it', () => {
    const tokenizer = CharTokenizer.fromText('abc', { unknown: 'token' });
    expect(tokenizer.vocabSize).toBe(4);
    expect(tokenizer.unknownId).toBe(0);
    expect(tokenizer.tokenOf(0)).toBe(UNKNOWN_TOKEN);
    expect(tokenizer.tokenOf(1)).toBe('a');
    expect(Array.from(tokenizer.encode('abxc😀'))).toEqual([1, 2, 0, 3, 0]);
    expect(tokenizer.decode(tokenizer.encode('abxc'))).toBe(`ab${UNKNOWN_REPLACEMENT}c`);
    expect(tokenizer.covers('abc')).toBe(true);
    expect(tokenizer.covers('abx')).toBe(false);
  });

  it('throws UnknownCharacterError naming the character and its code-point position by default', () => {
    const tokenizer = CharTokenizer.fromText('abc😀');
    const attempt = () => tokenizer.encode('a😀b€c');
    expect(attempt).toThrow(UnknownCharacterError);
    try {
      attempt();
    } catch (error) {
      const e = error as UnknownCharacterError;
      expect(e).toBeInstanceOf(ValueError);
      expect(e.character).toBe('€');
      expect(e.codePoint).toBe(0x20ac);
      expect(e.position).toBe(3); // a, 😀, b, € — the astral character counts once
      expect(e.message).toContain('U+20AC');
    }
    // An unknown astral character is reported whole.
    expect(() => tokenizer.encode('ab🐳')).toThrow(expect.objectContaining({ character: '🐳', position: 2 }));
  });
});

describe('CharTokenizer saving and validation', () => {
  it('round-trips through JSON with the same ids', () => {
    const tokenizer = CharTokenizer.fromText('Hello, 世界 😀\n', { lowercase: true, unknown: 'token' });
    const restored = CharTokenizer.fromJSON(JSON.parse(JSON.stringify(tokenizer)));
    expect(restored.chars).toEqual(tokenizer.chars);
    expect(restored.lowercase).toBe(true);
    expect(restored.unknown).toBe('token');
    expect(restored.encode('hello 世界?')).toEqual(tokenizer.encode('hello 世界?'));
  });

  it('keeps the saved order of a vocabulary rather than re-sorting it', () => {
    const tokenizer = new CharTokenizer(['b', 'a']);
    expect(Array.from(tokenizer.encode('ab'))).toEqual([1, 0]);
    expect(CharTokenizer.fromJSON(tokenizer.toJSON()).chars).toEqual(['b', 'a']);
  });

  it('rejects duplicate or multi-character entries and foreign JSON with ValueError', () => {
    expect(() => new CharTokenizer(['a', 'a'])).toThrow(ValueError);
    expect(() => new CharTokenizer(['ab'])).toThrow(ValueError);
    expect(() => new CharTokenizer([''])).toThrow(ValueError);
    expect(() => new CharTokenizer(['a'], { unknown: 'skip' as never })).toThrow(ValueError);
    expect(() => CharTokenizer.fromJSON({ chars: ['a'] })).toThrow(ValueError);
    expect(() => CharTokenizer.fromJSON({ ...new CharTokenizer(['a']).toJSON(), version: 2 })).toThrow(ValueError);
  });

  it('throws IndexError when decoding an id outside the vocabulary', () => {
    const tokenizer = CharTokenizer.fromText('ab');
    expect(() => tokenizer.decode([0, 2])).toThrow(IndexError);
    expect(() => tokenizer.decode([-1])).toThrow(IndexError);
    expect(() => tokenizer.tokenOf(5)).toThrow(IndexError);
  });

  it('encodes the empty string to no ids', () => {
    expect(CharTokenizer.fromText('ab').encode('')).toEqual(new Int32Array(0));
    expect(CharTokenizer.fromText('').vocabSize).toBe(0);
  });
});

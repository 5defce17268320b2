import { describe, expect, it } from 'vitest';
import { mobyDick, mobyDickChapters } from './moby-dick.js';
import { CharTokenizer } from './tokenizer.js';

describe('mobyDick', () => {
  it('is the whole book: front matter, 135 headed chapters and the epilogue, in order', () => {
    const text = mobyDick();
    expect(text.length).toBeGreaterThan(1_200_000);
    expect(text.startsWith('CONTENTS')).toBe(true);
    expect(text).toContain('CHAPTER 1. Loomings.\n\nCall me Ishmael.');
    expect(text.indexOf('CHAPTER 135.')).toBeGreaterThan(text.indexOf('CHAPTER 134.'));
    expect(text.trimEnd().endsWith('only found another orphan.')).toBe(true);
    expect(mobyDick()).toBe(text);
  });

  it('has a vocabulary of under a hundred characters', () => {
    const vocab = CharTokenizer.fromText(mobyDick()).vocabSize;
    expect(vocab).toBeGreaterThan(60);
    expect(vocab).toBeLessThan(100);
  });

  it('lists the 139 parts with their titles', () => {
    const chapters = mobyDickChapters();
    expect(chapters).toHaveLength(139);
    expect(chapters[3]).toMatchObject({ chapter: '1', title: 'Loomings.' });
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValueError } from '@tensorloom/core-tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { TextDataset, prepareCorpus, type CorpusWarning } from './dataset.js';
import { TextDecodingError } from './errors.js';
import { readTextFile } from './text-io.js';
import { CharTokenizer } from './tokenizer.js';

const dir = mkdtempSync(join(tmpdir(), 'textgen-corpus-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('prepareCorpus holds the text once', () => {
  it('encodes into one byte array, with the train and validation parts as views of it', () => {
    const text = 'It is a way I have of driving off the spleen. '.repeat(50);
    const { dataset, train, validation, tokenizer } = prepareCorpus(text, { seqLength: 10 });
    expect(dataset.ids).toBeInstanceOf(Uint8Array);
    expect(dataset.ids.byteLength).toBe(text.length);
    expect(train.ids.buffer).toBe(dataset.ids.buffer);
    expect(validation!.ids.buffer).toBe(dataset.ids.buffer);
    expect(tokenizer.decode(train.ids) + tokenizer.decode(validation!.ids)).toBe(text);
    // Windows and batches read the narrow ids as int32, as before.
    const { inputs } = train.window(3);
    expect(inputs).toBeInstanceOf(Int32Array);
    expect(tokenizer.decode(inputs)).toBe(text.slice(3, 13));
    expect(train.batch([0, 5]).inputs.dtype).toBe('int32');
  });

  it('uses 16-bit ids past 256 characters, and keeps an Int32Array or a number list given to TextDataset', () => {
    const wide = Array.from({ length: 400 }, (_, i) => String.fromCodePoint(0x4e00 + i)).join('');
    expect(prepareCorpus(wide.repeat(2), { seqLength: 4 }).dataset.ids).toBeInstanceOf(Uint16Array);
    const ids = Int32Array.of(1, 2, 3, 4, 5);
    expect(new TextDataset(ids, { seqLength: 2 }).ids).toBe(ids);
    expect(new TextDataset([1, 2, 3], { seqLength: 2 }).ids).toEqual(Int32Array.of(1, 2, 3));
  });

  it('slices are views: the same ids, no copy', () => {
    const data = TextDataset.fromText('abcdefghij', CharTokenizer.fromText('abcdefghij'), { seqLength: 2 });
    const part = data.slice(2, 7);
    expect(part.ids.buffer).toBe(data.ids.buffer);
    expect(Array.from(part.ids)).toEqual([2, 3, 4, 5, 6]);
  });
});

describe('prepareCorpus warns about a degenerate corpus', () => {
  it('warns when the text is one character repeated (loss 0, nothing learnt), through the list and the callback', () => {
    const seen: CorpusWarning[] = [];
    const { warnings } = prepareCorpus('a'.repeat(500), { seqLength: 8, onWarning: (w) => seen.push(w) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.code).toBe('single-character');
    expect(warnings[0]!.message).toContain("'a' (U+0061)");
    expect(warnings[0]!.message).toContain('500');
    expect(seen).toEqual(warnings);
  });

  it('also when lower-casing or the vocabulary leaves one character, and not for a real text', () => {
    expect(prepareCorpus('aA'.repeat(100), { seqLength: 4, lowercase: true }).warnings.map((w) => w.code)).toEqual(['single-character']);
    // A checkpoint's vocabulary of many characters, and a corpus of one of them.
    const tokenizer = CharTokenizer.fromText('abcdef');
    expect(prepareCorpus('b'.repeat(100), { seqLength: 4, tokenizer }).warnings).toHaveLength(1);
    const unknownOnly = prepareCorpus('xyz'.repeat(20), { seqLength: 4, tokenizer: CharTokenizer.fromText('ab', { unknown: 'token' }) });
    expect(unknownOnly.warnings[0]!.message).toContain('<unk>');
    expect(prepareCorpus('ab'.repeat(100), { seqLength: 4 }).warnings).toEqual([]);
    expect(prepareCorpus(`${'a'.repeat(200)}b`, { seqLength: 4, validationFraction: 0 }).warnings).toEqual([]);
  });
});

describe('readTextFile reads a UTF-8 file in one pass', () => {
  const file = (name: string, bytes: Uint8Array | string) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };

  it('strips the BOM and reads U+FFFD written in the file as text', async () => {
    expect(await readTextFile(file('bom.txt', '\uFEFFcall me Ishmael'))).toBe('call me Ishmael');
    expect(await readTextFile(file('fffd.txt', 'a\uFFFDb'))).toBe('a\uFFFDb');
    expect(await readTextFile(file('empty.txt', ''))).toBe('');
  });

  it('still refuses invalid UTF-8 with the byte offset, replaces it when told, and checks its options first', async () => {
    const bad = file('bad.txt', Uint8Array.of(0x61, 0x62, 0x0a, 0x63, 0xe9, 0x64));
    await expect(readTextFile(bad)).rejects.toThrow(TextDecodingError);
    await expect(readTextFile(bad)).rejects.toMatchObject({ byteOffset: 4 });
    expect(await readTextFile(bad, { onInvalid: 'replace' })).toBe('ab\nc\uFFFDd');
    expect(await readTextFile(bad, { encoding: 'latin1' })).toBe('ab\ncéd');
    await expect(readTextFile(bad, { encoding: 'klingon' })).rejects.toThrow(ValueError);
    await expect(readTextFile(bad, { onInvalid: 'ignore' as 'error' })).rejects.toThrow(ValueError);
  });
});

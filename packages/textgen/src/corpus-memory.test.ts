/**
 * Corpora are held once: a child process (`test/corpus-memory.mjs`, on the built packages) reads a
 * generated 60 MB corpus and prepares it for training (vocabulary, ids, train/validation split);
 * its peak resident memory may grow by less than 3× the file's size. Before, the text was held
 * as a string, as int32 ids and as copied int32 splits: about 9× (1.9 GB for a 200 MB corpus).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Generator } from '@tensorloom/core-tensor';
import { afterAll, describe, expect, it } from 'vitest';

const MEGABYTES = 60;
const dir = mkdtempSync(join(tmpdir(), 'textgen-corpus-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A `megabytes` MB text of random words and line breaks (ASCII, 30-odd distinct characters). */
function writeCorpus(path: string, megabytes: number): number {
  const words = 'the whale ship sea Ahab Ishmael harpoon boat crew deck, water; old man - and of to a in was that he it! with?'.split(' ');
  const generator = new Generator(0);
  const parts: string[] = [];
  for (let length = 0; length < 1 << 20;) {
    const word = words[generator.integer(0, words.length)]! + (generator.random() < 0.08 ? '\n' : ' ');
    parts.push(word);
    length += word.length;
  }
  const block = Buffer.from(parts.join(''));
  const fd = openSync(path, 'w');
  for (let i = 0; i < megabytes; i++) writeSync(fd, block);
  closeSync(fd);
  return block.length * megabytes;
}

describe('reading and preparing a corpus', () => {
  it(`holds a ${MEGABYTES} MB corpus within 3× its size at the peak, as one byte per character`, () => {
    const file = join(dir, 'corpus.txt');
    const bytes = writeCorpus(file, MEGABYTES);
    const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'corpus-memory.mjs');
    const child = spawnSync(process.execPath, ['--expose-gc', script, file], { encoding: 'utf8', timeout: 120_000 });
    expect(child.status, child.stderr).toBe(0);
    const report = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Record<string, number | string | boolean>;
    const growth = (report.peakRss as number) - (report.rssBefore as number);
    const mb = (n: number) => (n / 1e6).toFixed(0);
    console.log(
      `corpus memory: ${mb(bytes)} MB file, resident ${mb(report.rssBefore as number)} MB before, ` +
        `peak ${mb(report.peakRss as number)} MB ` +
        `(+${mb(growth)} MB = ${(growth / bytes).toFixed(2)}× the file) in ${(report.seconds as number).toFixed(1)} s`,
    );
    expect(report.bytes).toBe(bytes);
    expect(report.characters).toBe(bytes);
    expect(report.idsType).toBe('Uint8Array');
    expect(report.idsBytes).toBe(bytes);
    expect(report.sharedBuffer).toBe(true);
    expect((report.train as number) + (report.validation as number)).toBe(bytes);
    expect(growth).toBeLessThan(3 * bytes);
  }, 60_000);
});

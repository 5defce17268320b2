import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BinaryInputError, GraphParseError } from '../errors.js';
import { loadPlanetoid } from '../node/planetoid-folder.js';
import { readEdgeList, readGexf, readGraphml } from '../node/files.js';
import { parseEdgeList } from './edge-list.js';
import { parseGexf } from './gexf.js';
import { parseGraphml } from './graphml.js';
import { textOf } from './text.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

function binaryError(run: () => unknown): BinaryInputError {
  try {
    run();
  } catch (error) {
    if (error instanceof BinaryInputError) return error;
    throw error;
  }
  throw new Error('expected a BinaryInputError');
}

describe('textOf: what the text loaders refuse as binary', () => {
  it('decodes UTF-8 (multi-byte characters, a BOM dropped) and takes strings as they are', () => {
    expect(textOf(new TextEncoder().encode('a b\nč 🙂\n'), 'f')).toBe('a b\nč 🙂\n');
    expect(textOf(bytes(0xef, 0xbb, 0xbf, 0x61), 'f')).toBe('a');
    expect(textOf('plain', 'f')).toBe('plain');
  });

  it('names the offset of the first NUL, invalid, overlong, surrogate or truncated byte', () => {
    const cases: [Uint8Array, number][] = [
      [bytes(0x61, 0x62, 0x00, 0x63), 2], // NUL
      [bytes(0x61, 0xff, 0x62), 1], // never valid
      [bytes(0x61, 0x62, 0x63, 0x80), 3], // a continuation byte alone
      [bytes(0xc0, 0xaf), 0], // overlong '/'
      [bytes(0x61, 0xe0, 0x80, 0xaf), 1], // overlong three-byte form
      [bytes(0x61, 0xed, 0xa0, 0x80), 1], // a UTF-16 surrogate
      [bytes(0xf4, 0x90, 0x80, 0x80), 0], // above U+10FFFF
      [bytes(0x61, 0x62, 0xe2, 0x82), 2], // truncated at the end
    ];
    for (const [input, offset] of cases) {
      const error = binaryError(() => textOf(input, 'data.bin'));
      expect(error.offset, `${[...input]}`).toBe(offset);
      expect(error.file).toBe('data.bin');
      expect(error).toBeInstanceOf(GraphParseError);
      expect(error.message).toMatch(/looks binary/);
    }
    expect(binaryError(() => textOf('a\0b', 'f')).offset).toBe(1);
    expect(binaryError(() => textOf(bytes(0xff, 0xfe, 0x61, 0x00), 'f')).message).toMatch(/UTF-16/);
  });
});

describe('every text loader refuses binary input', () => {
  const made: string[] = [];
  afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const temp = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'tensorloom-binary-'));
    made.push(dir);
    return dir;
  };
  // A PNG signature and the start of its header: NUL at offset 8.
  const png = bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52);
  const latin1 = new Uint8Array([...new TextEncoder().encode('a b\nc '), 0xe9, 0x0a]); // 'é' in Latin-1

  it('the parse functions, given bytes or a string with a NUL', () => {
    for (const parse of [parseEdgeList, parseGexf, parseGraphml]) {
      expect(binaryError(() => parse(png)).offset).toBe(8);
      expect(binaryError(() => parse(latin1)).offset).toBe(6);
      expect(() => parse('a b\0')).toThrow(BinaryInputError);
    }
  });

  it('the file readers and the Planetoid folder, naming the file', () => {
    const dir = temp();
    const file = join(dir, 'graph.bin');
    writeFileSync(file, png);
    for (const read of [readEdgeList, readGexf, readGraphml]) {
      const error = binaryError(() => read(file));
      expect([error.file, error.offset]).toEqual([file, 8]);
    }
    const folder = temp();
    writeFileSync(join(folder, 'edges.csv'), latin1);
    writeFileSync(join(folder, 'labels.csv'), 'node,label\n0,0\n');
    writeFileSync(join(folder, 'split.json'), '{"train":[0],"val":[],"test":[]}');
    const error = binaryError(() => loadPlanetoid(folder, { features: 'identity' }));
    expect([error.file, error.offset]).toEqual([join(folder, 'edges.csv'), 6]);
    writeFileSync(join(folder, 'edges.csv'), 'source,target\n0,0\n');
    writeFileSync(join(folder, 'split.json'), png);
    expect(binaryError(() => loadPlanetoid(folder, { features: 'identity' })).file).toBe(join(folder, 'split.json'));
  });
});

import { describe, expect, it } from 'vitest';
import { GraphParseError } from '../errors.js';
import { readNumericCsv, type CSVColumn } from './csv.js';

const columns: CSVColumn[] = [
  { name: 'node', kind: 'int', range: [0, 99] },
  { name: 'feature', kind: 'int' },
  { name: 'value', kind: 'float', optional: true },
];

function lineOf(run: () => unknown): number | null {
  try {
    run();
  } catch (error) {
    if (error instanceof GraphParseError) return error.line;
    throw error;
  }
  throw new Error('expected a GraphParseError');
}

describe('readNumericCsv', () => {
  it('reads int columns and an optional float column, skipping blank lines', () => {
    const table = readNumericCsv('node,feature,value\n3,1,0.5\n\n -4 ,2,1e-3\n', 'f.csv', [
      { name: 'node', kind: 'int' },
      { name: 'feature', kind: 'int' },
      { name: 'value', kind: 'float', optional: true },
    ]);
    expect([...table.get('node')!]).toEqual([3, -4]);
    expect([...table.get('value')!]).toEqual([0.5, 0.001]);
  });

  it('leaves out an optional column the header does not name', () => {
    const table = readNumericCsv('node,feature\n1,2', 'f.csv', columns);
    expect(table.has('value')).toBe(false);
    expect([...table.get('feature')!]).toEqual([2]);
  });

  it('reports the line of a bad field, a missing field, an extra field or a value out of range', () => {
    expect(lineOf(() => readNumericCsv('node,feature\n1,2\n\n1,x\n', 'f.csv', columns))).toBe(4);
    expect(lineOf(() => readNumericCsv('node,feature\n1\n', 'f.csv', columns))).toBe(2);
    expect(lineOf(() => readNumericCsv('node,feature\n1,2,3\n', 'f.csv', columns))).toBe(2);
    expect(lineOf(() => readNumericCsv('node,feature\n100,2\n', 'f.csv', columns))).toBe(2);
    expect(lineOf(() => readNumericCsv('node,feature,value\n1,2,\n', 'f.csv', columns))).toBe(2);
    expect(lineOf(() => readNumericCsv('node,feature\n99999999999,2\n', 'f.csv', columns))).toBe(2);
    expect(lineOf(() => readNumericCsv('id,feature\n1,2\n', 'f.csv', columns))).toBe(1);
  });
});

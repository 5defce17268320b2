// Property tests of the Planetoid CSV reader: valid tables read back exactly; mutated tables end in
// columns that keep their declared kinds and ranges, or in a GraphParseError naming line, column and
// field. 1,500 generated cases.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { GraphParseError } from '../errors.js';
import { garbageArbitrary, mutatedText, outcome, runs, describeFuzz } from '../io/fuzz-support.js';
import { textOf } from '../io/text.js';
import { readNumericCsv, type CSVColumn } from './csv.js';

const COLUMNS: CSVColumn[] = [
  { name: 'node', kind: 'int', range: [0, 999] },
  { name: 'feature', kind: 'int', range: [-1, 2 ** 31 - 1] },
  { name: 'value', kind: 'float', optional: true },
];

const table = fc
  .record({
    rows: fc.array(
      fc.tuple(
        fc.integer({ min: 0, max: 999 }),
        fc.integer({ min: -1, max: 2 ** 31 - 1 }),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
      ),
      {
        maxLength: 10,
      },
    ),
    valued: fc.boolean(),
    crlf: fc.boolean(),
    blank: fc.boolean(),
    spaces: fc.boolean(),
  })
  .map((t) => {
    const pad = (s: string) => (t.spaces ? ` ${s} ` : s);
    const lines = [t.valued ? 'node,feature,value' : 'node,feature'];
    for (const [node, feature, value] of t.rows)
      lines.push([node, feature, ...(t.valued ? [value] : [])].map((v) => pad(String(v))).join(','));
    if (t.blank) lines.splice(1, 0, '   ');
    return { table: t, text: lines.join(t.crlf ? '\r\n' : '\n') + (t.crlf ? '\r\n' : '\n') };
  });

const TOKENS = [',', ',,', '\n', '\r', '\r\n', ' ', '\t', '-', '+1', '1e3', 'node', '\uFEFF', '"1"', '0,0,0,0'];

describeFuzz('readNumericCsv under generated input', () => {
  it('reads every valid table back', () => {
    fc.assert(
      fc.property(table, ({ table: t, text }) => {
        const read = readNumericCsv(text, 'f.csv', COLUMNS);
        expect([...read.get('node')!]).toEqual(t.rows.map((r) => r[0]));
        expect([...read.get('feature')!]).toEqual(t.rows.map((r) => r[1]));
        if (t.valued) expect([...read.get('value')!]).toEqual(t.rows.map((r) => r[2] + 0));
        else expect(read.has('value')).toBe(false);
      }),
      runs(200),
    );
  });

  it('ends mutated tables in well-kinded columns in range, or a GraphParseError naming line and column', () => {
    fc.assert(
      fc.property(
        mutatedText(
          table.map((t) => t.text),
          TOKENS,
        ),
        (text) => {
          const result = outcome(() => readNumericCsv(text, 'f.csv', COLUMNS));
          if (!result.ok) {
            expect(result.error).toBeInstanceOf(GraphParseError);
            const error = result.error as GraphParseError;
            expect(error.line).toBeGreaterThanOrEqual(1);
            if (error.line! > 1) expect(error.column).toBeGreaterThanOrEqual(1);
            return;
          }
          const columns = [...result.value.values()];
          expect(new Set(columns.map((c) => c.length)).size).toBeLessThanOrEqual(1);
          for (const node of result.value.get('node')!) expect(Number.isInteger(node) && node >= 0 && node <= 999).toBe(true);
          for (const feature of result.value.get('feature')!) expect(Number.isInteger(feature) && feature >= -1).toBe(true);
          for (const value of result.value.get('value') ?? []) expect(Number.isFinite(value)).toBe(true);
        },
      ),
      runs(1100),
    );
  });

  it('ends random bytes and text in a typed error or well-kinded columns', () => {
    fc.assert(
      fc.property(garbageArbitrary, (input) => {
        const result = outcome(() => readNumericCsv(textOf(input, 'f.csv'), 'f.csv', COLUMNS));
        if (result.ok) for (const node of result.value.get('node')!) expect(node >= 0 && node <= 999).toBe(true);
      }),
      runs(200),
    );
  });
});

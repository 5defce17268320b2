/**
 * Internal: a fast reader for the numeric CSV files of the Planetoid folders (a header line, then
 * integer columns and optionally a float column), scanning the text once without splitting it.
 */
import { GraphParseError } from '../errors.js';

export interface CSVColumn {
  name: string;
  kind: 'int' | 'float';
  /** A column that may be absent from the header (then it is not returned). */
  optional?: boolean;
  /** Inclusive bounds an int column's values must lie in (a value outside is a `GraphParseError`). */
  range?: readonly [number, number];
}

/**
 * Reads `text` (the contents of `file`) whose header names `columns` in order (optional ones may
 * be left off the end). Blank lines are skipped, `\r\n` is accepted. Any malformed field is a
 * `GraphParseError` naming the file, line and column, and the field by its header name.
 */
export function readNumericCsv(text: string, file: string, columns: readonly CSVColumn[]): Map<string, Int32Array | Float64Array> {
  const headerEnd = lineEnd(text, 0);
  const header = text
    .slice(0, headerEnd)
    .replace(/^\uFEFF/, '')
    .split(',')
    .map((h) => h.trim().toLowerCase());
  const required = columns.filter((c) => !c.optional).length;
  if (header.length < required || header.length > columns.length || header.some((h, i) => h !== columns[i]!.name)) {
    const optional = columns.filter((c) => c.optional).map((c) => c.name);
    throw new GraphParseError(
      `expected the header '${columns
        .slice(0, required)
        .map((c) => c.name)
        .join(',')}'${optional.length ? ` (then optionally ${optional.join(', ')})` : ''}, got '${header.join(',')}'`,
      file,
      1,
    );
  }
  const width = header.length;
  const kinds = columns.slice(0, width).map((c) => c.kind);
  // Upper bound on the number of rows: the number of newlines.
  let capacity = 1;
  for (let p = text.indexOf('\n'); p !== -1; p = text.indexOf('\n', p + 1)) capacity++;
  const buffers = kinds.map((kind) => (kind === 'int' ? new Int32Array(capacity) : new Float64Array(capacity)));
  let rows = 0;
  let line = 1;
  let pos = headerEnd;
  const n = text.length;
  while (pos < n) {
    // Step over the newline that ended the previous line.
    if (text.charCodeAt(pos) === 13) pos++;
    if (pos < n && text.charCodeAt(pos) === 10) pos++;
    line++;
    const end = lineEnd(text, pos);
    if (isBlank(text, pos, end)) {
      pos = end;
      continue;
    }
    const lineStart = pos;
    let start = pos;
    for (let c = 0; c < width; c++) {
      let stop = text.indexOf(',', start);
      if (stop === -1 || stop > end) stop = end;
      const at = start - lineStart + 1;
      if (c < width - 1 && stop === end) {
        throw new GraphParseError(`expected ${width} comma-separated fields (${header.join(',')}), got ${c + 1}`, file, line, at);
      }
      if (c === width - 1 && stop !== end) {
        throw new GraphParseError(
          `expected ${width} comma-separated fields (${header.join(',')}), got more`,
          file,
          line,
          stop - lineStart + 2,
        );
      }
      const buffer = buffers[c]!;
      const column = columns[c]!;
      if (kinds[c] === 'int') {
        const value = parseIntField(text, start, stop, file, line, at, column.name);
        if (column.range && (value < column.range[0] || value > column.range[1])) {
          throw new GraphParseError(`${column.name} ${value} is out of range [${column.range[0]}, ${column.range[1]}]`, file, line, at);
        }
        buffer[rows] = value;
      } else {
        const value = Number(text.slice(start, stop));
        if (!Number.isFinite(value) || text.slice(start, stop).trim() === '') {
          throw new GraphParseError(`${column.name} '${text.slice(start, stop)}' is not a finite number`, file, line, at);
        }
        buffer[rows] = value;
      }
      start = stop + 1;
    }
    rows++;
    pos = end;
  }
  return new Map(columns.slice(0, width).map((c, i) => [c.name, buffers[i]!.subarray(0, rows)]));
}

function lineEnd(text: string, from: number): number {
  const newline = text.indexOf('\n', from);
  const end = newline === -1 ? text.length : newline;
  return end > from && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
}

function isBlank(text: string, from: number, to: number): boolean {
  for (let p = from; p < to; p++) {
    const c = text.charCodeAt(p);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

function parseIntField(text: string, from: number, to: number, file: string, line: number, column: number, name: string): number {
  let p = from;
  while (p < to && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9)) p++;
  let q = to;
  while (q > p && (text.charCodeAt(q - 1) === 32 || text.charCodeAt(q - 1) === 9)) q--;
  let negative = false;
  if (p < q && text.charCodeAt(p) === 45) {
    negative = true;
    p++;
  }
  if (p === q || q - p > 10) throw new GraphParseError(`${name} '${text.slice(from, to)}' is not an integer`, file, line, column);
  let value = 0;
  for (let k = p; k < q; k++) {
    const d = text.charCodeAt(k) - 48;
    if (d < 0 || d > 9) throw new GraphParseError(`${name} '${text.slice(from, to)}' is not an integer`, file, line, column);
    value = value * 10 + d;
  }
  if (value > 2147483647) throw new GraphParseError(`${name} '${text.slice(from, to)}' is out of the int32 range`, file, line, column);
  return negative ? -value : value;
}

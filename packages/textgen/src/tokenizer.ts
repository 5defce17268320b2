/**
 * The character-level vocabulary: one id per code point (surrogate pairs are one character),
 * sorted by code point, saved with a model as JSON.
 */
import { IndexError, Tensor, ValueError } from '@tensorloom/core-tensor';
import { UnknownCharacterError } from './errors.js';
import { forEachTextPiece, tokenIdArray, type TokenIds } from './text-pieces.js';

/** What a tokenizer does with a character outside its vocabulary. */
export type UnknownCharacterPolicy =
  /** Throw an `UnknownCharacterError` naming the character and its position. */
  | 'error'
  /** Map it to the `<unk>` entry (id 0); it decodes as U+FFFD (�). */
  | 'token';

export interface CharTokenizerOptions {
  /** Lower-case text (`String.prototype.toLowerCase`, whole strings) before building and encoding. Default false. */
  lowercase?: boolean;
  /** Characters outside the vocabulary: `'error'` or `'token'` (an `<unk>` entry at id 0). Default 'error'. */
  unknown?: UnknownCharacterPolicy;
}

/** The saved form of a tokenizer (`vocab.json` in a checkpoint). */
export interface CharTokenizerJSON {
  format: 'tensorloom.char-tokenizer';
  version: 1;
  lowercase: boolean;
  unknown: UnknownCharacterPolicy;
  /** The characters in id order (after `<unk>` when `unknown` is 'token'). */
  chars: string[];
}

/** How the unknown entry is spelled by `tokenOf`. */
export const UNKNOWN_TOKEN = '<unk>';
/** What the unknown entry decodes to: U+FFFD REPLACEMENT CHARACTER. */
export const UNKNOWN_REPLACEMENT = '\uFFFD';

const BMP = 0x10000;

/**
 * A character-level tokenizer: each code point of the vocabulary gets an id.
 *
 * - `CharTokenizer.fromText(text, options)` builds the vocabulary of a corpus: its distinct
 *   characters sorted by code point (so the same corpus always gives the same ids), after
 *   lower-casing with `lowercase: true`. With `unknown: 'token'` the entry `<unk>` comes first (id
 *   0) and the characters follow from id 1.
 * - Text is read by code point: an astral character (😀, U+1F600, two UTF-16 units) is one
 *   character and one id.
 * - `encode(text)` → `Int32Array` of ids (`encodeIds(text)`: the narrowest typed array, a byte per
 *   character for a vocabulary of ≤ 256); a character outside the vocabulary throws
 *   `UnknownCharacterError` (`character`, `codePoint`, `position` in code points), or maps to
 *   `<unk>` with `unknown: 'token'`.
 * - `decode(ids)` → the string; `<unk>` decodes to U+FFFD (�).
 * - `toJSON()` / `CharTokenizer.fromJSON(json)` save and restore it exactly (ids unchanged).
 *
 * @example
 * const tokenizer = CharTokenizer.fromText('hello world');
 * tokenizer.chars                     // [' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w']
 * tokenizer.encode('hello')           // Int32Array [3, 2, 4, 4, 5]
 * tokenizer.decode([7, 5, 6, 4, 1])   // 'world'
 */
export class CharTokenizer {
  /** The characters in id order (without `<unk>`). */
  readonly chars: readonly string[];
  readonly lowercase: boolean;
  readonly unknown: UnknownCharacterPolicy;
  /** The id of `<unk>` (0) with `unknown: 'token'`, else undefined. */
  readonly unknownId: number | undefined;
  /** Id by code point: a table for the BMP and a map for astral characters. */
  private readonly bmpIds: Int32Array;
  private readonly astralIds = new Map<number, number>();
  private readonly offset: number;

  /**
   * A tokenizer over exactly these characters, in this order (ids follow it; `fromText` sorts).
   * Each entry must be one code point and appear once (ValueError otherwise).
   */
  constructor(chars: Iterable<string>, options: CharTokenizerOptions = {}) {
    const { lowercase = false, unknown = 'error' } = options;
    if (unknown !== 'error' && unknown !== 'token') {
      throw new ValueError(`CharTokenizer: unknown must be 'error' or 'token', got '${String(unknown)}'`);
    }
    this.lowercase = lowercase;
    this.unknown = unknown;
    this.offset = unknown === 'token' ? 1 : 0;
    this.unknownId = unknown === 'token' ? 0 : undefined;
    this.bmpIds = new Int32Array(BMP).fill(-1);
    const list = [...chars];
    list.forEach((ch, i) => {
      if (typeof ch !== 'string' || ch.length === 0 || ch.length > 2 || String.fromCodePoint(ch.codePointAt(0)!) !== ch) {
        throw new ValueError(
          `CharTokenizer: each vocabulary entry must be one character (one code point), entry ${i} is ${JSON.stringify(ch)}`,
        );
      }
      const cp = ch.codePointAt(0)!;
      if (this.lookup(cp) !== -1) throw new ValueError(`CharTokenizer: the character ${describeChar(ch)} appears twice in the vocabulary`);
      if (cp < BMP) this.bmpIds[cp] = i + this.offset;
      else this.astralIds.set(cp, i + this.offset);
    });
    this.chars = Object.freeze(list);
  }

  /**
   * The tokenizer of a corpus: its distinct characters sorted by code point (after lower-casing
   * with `lowercase: true`), plus `<unk>` first with `unknown: 'token'`.
   * @example CharTokenizer.fromText('abba', { unknown: 'token' }).vocabSize // 3: <unk>, a, b
   */
  static fromText(text: string, options: CharTokenizerOptions = {}): CharTokenizer {
    // One pass over the text (lower-cased piece by piece), the BMP marked in a table: no copy of a long corpus.
    const seenBmp = new Uint8Array(BMP);
    const astral = new Set<number>();
    forEachTextPiece(text, Boolean(options.lowercase), (piece) => {
      for (let i = 0; i < piece.length; i++) {
        const cp = piece.codePointAt(i)!;
        if (cp >= BMP) {
          astral.add(cp);
          i++;
        } else seenBmp[cp] = 1;
      }
    });
    const codePoints: number[] = [];
    for (let cp = 0; cp < BMP; cp++) if (seenBmp[cp] === 1) codePoints.push(cp);
    codePoints.push(...[...astral].sort((a, b) => a - b));
    const chars = codePoints.map((cp) => String.fromCodePoint(cp));
    return new CharTokenizer(chars, options);
  }

  /** Restores a tokenizer saved by `toJSON()` (ValueError on anything malformed). */
  static fromJSON(json: unknown): CharTokenizer {
    const value = json as Partial<CharTokenizerJSON> | null;
    if (value === null || typeof value !== 'object' || value.format !== 'tensorloom.char-tokenizer') {
      throw new ValueError(`CharTokenizer.fromJSON: expected an object with format 'tensorloom.char-tokenizer', got ${describeJson(json)}`);
    }
    if (value.version !== 1)
      throw new ValueError(`CharTokenizer.fromJSON: unsupported version ${describeJson(value.version)} (expected 1)`);
    if (!Array.isArray(value.chars)) throw new ValueError('CharTokenizer.fromJSON: chars must be an array of strings');
    if (typeof value.lowercase !== 'boolean') throw new ValueError('CharTokenizer.fromJSON: lowercase must be a boolean');
    const unknown = value.unknown ?? 'error';
    if (unknown !== 'error' && unknown !== 'token') {
      throw new ValueError(`CharTokenizer.fromJSON: unknown must be 'error' or 'token', got ${describeJson(unknown)}`);
    }
    // The constructor names an entry that is not one character; a file's entry may be any JSON.
    const bad = value.chars.findIndex((ch: unknown) => typeof ch !== 'string');
    if (bad !== -1) {
      throw new ValueError(
        `CharTokenizer.fromJSON: each entry of chars must be one character, entry ${bad} is ${describeJson(value.chars[bad])}`,
      );
    }
    return new CharTokenizer(value.chars, { lowercase: value.lowercase, unknown });
  }

  /** Number of ids: the characters, plus one for `<unk>`. */
  get vocabSize(): number {
    return this.chars.length + this.offset;
  }

  /** The text as the tokenizer reads it (lower-cased when `lowercase`). */
  normalize(text: string): string {
    return this.lowercase ? text.toLowerCase() : text;
  }

  /** The id of one character (of the normalised text), or undefined when it has none. */
  idOf(char: string): number | undefined {
    const cp = char.codePointAt(0);
    if (cp === undefined) return undefined;
    const id = this.lookup(cp);
    return id === -1 ? undefined : id;
  }

  /** The vocabulary entry of an id: its character, or `<unk>`. IndexError outside 0..vocabSize−1. */
  tokenOf(id: number): string {
    this.checkId('tokenOf', id, 0);
    return id === this.unknownId ? UNKNOWN_TOKEN : this.chars[id - this.offset]!;
  }

  /** Whether every character of `text` (normalised) is in the vocabulary. */
  covers(text: string): boolean {
    return this.findUnknown(this.normalize(text)) === undefined;
  }

  /**
   * The ids of `text`'s characters (normalised first), one per code point.
   * @throws UnknownCharacterError for a character outside the vocabulary (with `unknown: 'error'`).
   */
  encode(text: string): Int32Array {
    const { ids, length } = this.encodeInto(text, (size) => new Int32Array(size));
    return length === ids.length ? ids : ids.slice(0, length);
  }

  /**
   * `encode` into the narrowest typed array for the vocabulary (see `TokenIds`): `Uint8Array` for
   * ≤ 256 ids, `Uint16Array` for ≤ 65,536, else `Int32Array`. A corpus of N characters then takes
   * N bytes rather than 4N, and with `lowercase` no lower-cased copy of the whole text is made.
   * @example CharTokenizer.fromText('abba').encodeIds('abba') // Uint8Array [0, 1, 1, 0]
   * @throws UnknownCharacterError as `encode`.
   */
  encodeIds(text: string): TokenIds {
    const { ids, length } = this.encodeInto(text, (size) => tokenIdArray(this.vocabSize, size));
    if (length === ids.length) return ids;
    // A view keeps the unused tail (one slot per astral character); copy when that is much.
    return length >= ids.length * 0.9 ? ids.subarray(0, length) : ids.slice(0, length);
  }

  /**
   * The text of a sequence of ids (an array, typed array or int tensor of any shape, read
   * flat). `<unk>` decodes to U+FFFD. IndexError on an id outside 0..vocabSize−1.
   */
  decode(ids: ArrayLike<number> | Tensor): string {
    const values = ids instanceof Tensor ? ids.data : ids;
    const parts = new Array<string>(values.length);
    for (let i = 0; i < values.length; i++) {
      const id = values[i]!;
      this.checkId('decode', id, i);
      parts[i] = id === this.unknownId ? UNKNOWN_REPLACEMENT : this.chars[id - this.offset]!;
    }
    return parts.join('');
  }

  /** The saved form (see `CharTokenizerJSON`). */
  toJSON(): CharTokenizerJSON {
    return { format: 'tensorloom.char-tokenizer', version: 1, lowercase: this.lowercase, unknown: this.unknown, chars: [...this.chars] };
  }

  /** The ids of `text` written into `allocate(text.length)` (grown when lower-casing lengthens the text), and how many. */
  private encodeInto<T extends TokenIds>(text: string, allocate: (size: number) => T): { ids: T; length: number } {
    // text.length bounds the ids (an astral character is 2 units and 1 id) unless lower-casing
    // lengthens the text ('İ' becomes 'i' + U+0307).
    let ids = allocate(text.length);
    let n = 0;
    forEachTextPiece(text, this.lowercase, (piece) => {
      for (let i = 0; i < piece.length; i++) {
        const cp = piece.codePointAt(i)!;
        let id = this.lookup(cp);
        if (id === -1) {
          // n ids so far, one per code point: n is the character's position in the normalised text.
          if (this.unknownId === undefined) throw this.unknownError(cp, n, 'encode');
          id = this.unknownId;
        }
        if (cp >= BMP) i++;
        if (n === ids.length) {
          const grown = allocate(Math.max(ids.length + 1024, Math.ceil(ids.length * 1.25)));
          grown.set(ids);
          ids = grown;
        }
        ids[n++] = id;
      }
    });
    return { ids, length: n };
  }

  private lookup(cp: number): number {
    return cp < BMP ? this.bmpIds[cp]! : (this.astralIds.get(cp) ?? -1);
  }

  private checkId(op: string, id: number, index: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
      throw new IndexError(`CharTokenizer.${op}: id ${id} (at index ${index}) is outside the vocabulary 0..${this.vocabSize - 1}`);
    }
  }

  private findUnknown(source: string): number | undefined {
    for (let i = 0; i < source.length; i++) {
      const cp = source.codePointAt(i)!;
      if (this.lookup(cp) === -1) return i;
      if (cp >= BMP) i++;
    }
    return undefined;
  }

  private unknownError(cp: number, position: number, op: string): UnknownCharacterError {
    const ch = String.fromCodePoint(cp);
    const lowered = this.lowercase ? ' (after lower-casing)' : '';
    return new UnknownCharacterError(
      `CharTokenizer.${op}: the character ${describeChar(ch)} at position ` +
        `${position}${lowered} is not in the vocabulary of ${this.chars.length} characters; ` +
        `build the tokenizer with { unknown: 'token' } to map unknown characters to ${UNKNOWN_TOKEN}`,
      ch,
      cp,
      position,
    );
  }
}

/** A JSON value for a message, at most 80 characters; nesting too deep for JSON.stringify is named, not a RangeError. */
function describeJson(value: unknown): string {
  try {
    return String(JSON.stringify(value)).slice(0, 80);
  } catch {
    return 'a value nested too deeply to print';
  }
}

/** `'é' (U+00E9)`, with control characters escaped. */
export function describeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const shown = cp < 0x20 || cp === 0x7f ? JSON.stringify(ch) : `'${ch}'`;
  return `${shown} (U+${cp.toString(16).toUpperCase().padStart(4, '0')})`;
}

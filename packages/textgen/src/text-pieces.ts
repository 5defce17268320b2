/**
 * Walking a long text as the tokenizer reads it without copying it whole: lower-casing a 200 MB
 * corpus with one `toLowerCase()` call would hold a second 200 MB string, so it is lower-cased
 * piece by piece instead, and token ids go into the narrowest typed array that holds them.
 */

/** Token ids in the narrowest typed array for the vocabulary: ≤ 256 ids in bytes, ≤ 65,536 in 16 bits. */
export type TokenIds = Uint8Array | Uint16Array | Int32Array;

/** An empty id array of `length` for a vocabulary of `vocabSize` ids (see `TokenIds`). */
export function tokenIdArray(vocabSize: number, length: number): TokenIds {
  if (vocabSize <= 0x100) return new Uint8Array(length);
  if (vocabSize <= 0x10000) return new Uint16Array(length);
  return new Int32Array(length);
}

/** About how many UTF-16 units each lower-cased piece holds. */
const PIECE = 1 << 16;

/**
 * Calls `visit` with consecutive pieces of `text` whose concatenation is `text`, or, with
 * `lowercase`, `text.toLowerCase()`, never holding a whole lower-cased copy. Lower-casing is
 * context-free except for Greek capital sigma (Σ becomes ς at the end of a word), whose context
 * stops at a character that is neither cased nor case-ignorable: pieces (of about `pieceSize`
 * units, default 65,536) are cut just after a space or a line break, so each piece lower-cases
 * exactly as it does inside the whole string.
 */
export function forEachTextPiece(text: string, lowercase: boolean, visit: (piece: string) => void, pieceSize = PIECE): void {
  if (!lowercase) {
    visit(text);
    return;
  }
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + pieceSize);
    if (end < text.length) {
      const cut = lastBreak(text, start, end);
      // A piece without a space or line break grows until one comes (or the text ends).
      end = cut !== -1 ? cut + 1 : nextBreak(text, end);
    }
    visit(text.slice(start, end).toLowerCase());
    start = end;
  }
}

const SPACE = 0x20;
const LINE_FEED = 0x0a;

function isBreak(unit: number): boolean {
  return unit === SPACE || unit === LINE_FEED;
}

function lastBreak(text: string, start: number, end: number): number {
  for (let i = end - 1; i >= start; i--) if (isBreak(text.charCodeAt(i))) return i;
  return -1;
}

function nextBreak(text: string, from: number): number {
  for (let i = from; i < text.length; i++) if (isBreak(text.charCodeAt(i))) return i + 1;
  return text.length;
}

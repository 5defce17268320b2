/**
 * The typed errors of `@tensorloom/textgen`. Each extends core-tensor's `ValueError` (bad input) and
 * carries the facts a caller needs to act on it as fields, besides the message.
 */
import { ValueError } from '@tensorloom/core-tensor';

/**
 * A character that is not in the vocabulary, met by a tokenizer built with `unknown: 'error'`.
 * `position` counts code points (not UTF-16 units) from the start of the encoded text (after
 * lower-casing, when the tokenizer lower-cases).
 */
export class UnknownCharacterError extends ValueError {
  constructor(
    message: string,
    /** The character, as a string of one code point. */
    readonly character: string,
    /** Its code point. */
    readonly codePoint: number,
    /** Its index in code points in the encoded text. */
    readonly position: number,
  ) {
    super(message);
  }
}

/**
 * Bytes that are not valid in the text encoding they were decoded with (invalid UTF-8 by default).
 * `byteOffset` is the offset of the first byte of the first invalid sequence.
 */
export class TextDecodingError extends ValueError {
  constructor(
    message: string,
    /** The encoding the bytes were decoded with (`'utf-8'`, …). */
    readonly encoding: string,
    /** Offset of the first invalid byte in the input. */
    readonly byteOffset: number,
  ) {
    super(message);
  }
}

/** A checkpoint directory that is missing, incomplete or inconsistent. */
export class CheckpointError extends ValueError {
  constructor(
    message: string,
    /** The checkpoint directory. */
    readonly path: string,
  ) {
    super(message);
  }
}

/**
 * A run folder that cannot take this run: it holds another run (`reason: 'occupied'`), another
 * process is training into it (`'locked'`), or its manifest is unreadable (`'manifest'`).
 */
export class RunFolderError extends ValueError {
  constructor(
    message: string,
    /** The run folder. */
    readonly path: string,
    readonly reason: 'occupied' | 'locked' | 'manifest',
  ) {
    super(message);
  }
}

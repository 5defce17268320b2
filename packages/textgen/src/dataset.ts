/**
 * Next-character windows over an encoded text: random offsets for training (the course's loader,
 * seeded), a sequential non-overlapping pass for evaluation, and the held-out validation split.
 * The text is held once, as ids in the narrowest typed array (a byte a character for ≤ 256
 * characters); the splits are views of it.
 */
import { IndexError, Tensor, ValueError, defaultGenerator, type Generator } from '@tensorloom/core-tensor';
import { CharTokenizer, describeChar, type CharTokenizerOptions } from './tokenizer.js';
import type { TokenIds } from './text-pieces.js';

export type { TokenIds } from './text-pieces.js';

/** The sequence length of the course (and the default). */
export const DEFAULT_SEQ_LENGTH = 30;
/** The default validation fraction: the last 10 % of the text. */
export const DEFAULT_VALIDATION_FRACTION = 0.1;

export interface TextDatasetOptions {
  /** T, the characters of each input window. Default 30 (the course's). */
  seqLength?: number;
}

/** A batch of windows, batch-first. */
export interface TextBatch {
  /** int32 `[B, T]`: `ids[o : o+T]` for each offset o. */
  inputs: Tensor;
  /** int32 `[B, T]`: `ids[o+1 : o+T+1]`, the next character of every input position. */
  targets: Tensor;
  /** The window offsets, one per row. */
  offsets: Int32Array;
}

export interface SequentialBatchOptions {
  /** Stop after this many batches. Default: the whole pass. */
  maxBatches?: number;
}

/**
 * The training examples of a character-level language model: windows of T characters with their
 * next characters as targets, as the course's loader makes them.
 *
 * - Window o (an offset, 0 ≤ o < `numWindows` = N − T): inputs `ids[o : o+T]`, targets
 *   `ids[o+1 : o+T+1]` (shifted by one).
 * - `randomBatch(B, generator)`: B offsets drawn uniformly (with replacement) from the generator,
 *   as the course's loader does; the generator is the only source of the data order, so a run is
 *   reproduced (or resumed) by seeding (or restoring) it.
 * - `sequentialBatches(B)`: the evaluation pass, non-overlapping windows at offsets 0, T, 2T, …
 *   (`numSequentialWindows` = ⌊(N − 1)/T⌋ of them), so every character after the first is a target
 *   exactly once except a tail shorter than T; the last batch may be smaller than B.
 * - Batches are int32 `[B, T]` tensors, batch-first.
 *
 * @example
 * const tokenizer = CharTokenizer.fromText(text);
 * const data = TextDataset.fromText(text, tokenizer, { seqLength: 30 });
 * const { inputs, targets } = data.randomBatch(64, new Generator(0)); // [64, 30] each
 */
export class TextDataset {
  /** The encoded text (not copied: a typed array given is kept, and `slice` makes views of it). */
  readonly ids: TokenIds;
  readonly seqLength: number;

  constructor(ids: TokenIds | readonly number[], options: TextDatasetOptions = {}) {
    const { seqLength = DEFAULT_SEQ_LENGTH } = options;
    if (!Number.isInteger(seqLength) || seqLength < 1)
      throw new ValueError(`TextDataset: seqLength must be a positive integer, got ${seqLength}`);
    this.ids = ids instanceof Int32Array || ids instanceof Uint16Array || ids instanceof Uint8Array ? ids : Int32Array.from(ids);
    this.seqLength = seqLength;
  }

  /** The dataset of `text` encoded by `tokenizer` (`encodeIds`: a byte a character for ≤ 256 ids). */
  static fromText(text: string, tokenizer: CharTokenizer, options: TextDatasetOptions = {}): TextDataset {
    return new TextDataset(tokenizer.encodeIds(text), options);
  }

  /** N, the characters (ids) of the text. */
  get length(): number {
    return this.ids.length;
  }

  /** Number of distinct windows, N − T (0 when the text is too short for one). */
  get numWindows(): number {
    return Math.max(0, this.ids.length - this.seqLength);
  }

  /** Number of windows of the sequential pass, ⌊(N − 1)/T⌋. */
  get numSequentialWindows(): number {
    return this.ids.length <= this.seqLength ? 0 : Math.floor((this.ids.length - 1) / this.seqLength);
  }

  /** Batches of the sequential pass with `batchSize` windows each (the last may hold fewer). */
  numSequentialBatches(batchSize: number): number {
    return Math.ceil(this.numSequentialWindows / batchSize);
  }

  /** Window `offset`'s inputs `ids[o : o+T]` and targets `ids[o+1 : o+T+1]`. IndexError outside 0..numWindows−1. */
  window(offset: number): { inputs: Int32Array; targets: Int32Array } {
    this.checkOffset('window', offset);
    const t = this.seqLength;
    return {
      inputs: Int32Array.from(this.ids.subarray(offset, offset + t)),
      targets: Int32Array.from(this.ids.subarray(offset + 1, offset + t + 1)),
    };
  }

  /** The batch of the windows at `offsets`, as int32 `[B, T]` inputs and targets. */
  batch(offsets: ArrayLike<number>): TextBatch {
    const b = offsets.length;
    const t = this.seqLength;
    const inputs = Tensor.empty([b, t], 'int32');
    const targets = Tensor.empty([b, t], 'int32');
    const kept = new Int32Array(b);
    for (let row = 0; row < b; row++) {
      const o = offsets[row]!;
      this.checkOffset('batch', o);
      kept[row] = o;
      inputs.data.set(this.ids.subarray(o, o + t), row * t);
      targets.data.set(this.ids.subarray(o + 1, o + t + 1), row * t);
    }
    return { inputs, targets, offsets: kept };
  }

  /** `batchSize` offsets drawn uniformly from 0..numWindows−1 (with replacement). */
  randomOffsets(batchSize: number, generator: Generator = defaultGenerator): Int32Array {
    checkBatchSize('randomOffsets', batchSize);
    const windows = this.numWindows;
    if (windows === 0) {
      throw new ValueError(
        `TextDataset.randomOffsets: the text has ${this.ids.length} characters, ` +
          `fewer than seqLength + 1 = ${this.seqLength + 1} needed for one window`,
      );
    }
    const offsets = new Int32Array(batchSize);
    for (let i = 0; i < batchSize; i++) offsets[i] = generator.integer(0, windows);
    return offsets;
  }

  /** A training batch at random offsets (see `randomOffsets`). */
  randomBatch(batchSize: number, generator: Generator = defaultGenerator): TextBatch {
    return this.batch(this.randomOffsets(batchSize, generator));
  }

  /** The sequential evaluation pass: non-overlapping windows at 0, T, 2T, … in batches. */
  *sequentialBatches(batchSize: number, options: SequentialBatchOptions = {}): IterableIterator<TextBatch> {
    checkBatchSize('sequentialBatches', batchSize);
    const { maxBatches = Infinity } = options;
    const windows = this.numSequentialWindows;
    let produced = 0;
    for (let first = 0; first < windows && produced < maxBatches; first += batchSize, produced++) {
      const count = Math.min(batchSize, windows - first);
      const offsets = new Int32Array(count);
      for (let k = 0; k < count; k++) offsets[k] = (first + k) * this.seqLength;
      yield this.batch(offsets);
    }
  }

  /** The characters `ids[start : end]` as a dataset with the same T: a view, sharing this dataset's ids. */
  slice(start: number, end: number = this.ids.length): TextDataset {
    return new TextDataset(this.ids.subarray(start, end), { seqLength: this.seqLength });
  }

  private checkOffset(op: string, offset: number): void {
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.numWindows) {
      throw new IndexError(
        `TextDataset.${op}: offset ${offset} is outside 0..${this.numWindows - 1} (N = ${this.ids.length}, T = ${this.seqLength})`,
      );
    }
  }
}

function checkBatchSize(op: string, batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new ValueError(`TextDataset.${op}: batchSize must be a positive integer, got ${batchSize}`);
}

export interface SplitOptions {
  /**
   * The fraction of the text held out for validation: the last ⌊fraction·N⌋ characters (the end
   * of the book, not random windows, so no validation character is ever a training input).
   * In [0, 1); 0 gives no validation split. Default 0.1.
   */
  validationFraction?: number;
}

/**
 * Splits a dataset into training and validation parts: the first N − ⌊f·N⌋ characters train, the
 * last ⌊f·N⌋ validate (f = `validationFraction`, default 0.1). Each part needs at least T + 1
 * characters (ValueError otherwise); with f = 0, `validation` is undefined.
 *
 * @example
 * const { train, validation } = splitDataset(TextDataset.fromText(text, tokenizer)); // 90 % / 10 %
 */
export function splitDataset(
  dataset: TextDataset,
  options: SplitOptions = {},
): { train: TextDataset; validation: TextDataset | undefined } {
  const { validationFraction = DEFAULT_VALIDATION_FRACTION } = options;
  if (!(validationFraction >= 0 && validationFraction < 1)) {
    throw new ValueError(`splitDataset: validationFraction must be in [0, 1), got ${validationFraction}`);
  }
  const n = dataset.length;
  const held = Math.floor(validationFraction * n);
  const train = dataset.slice(0, n - held);
  const need = dataset.seqLength + 1;
  if (train.length < need) {
    throw new ValueError(`splitDataset: the training part has ${train.length} characters, fewer than seqLength + 1 = ${need}`);
  }
  if (held === 0) return { train, validation: undefined };
  const validation = dataset.slice(n - held);
  if (validation.length < need) {
    throw new ValueError(
      `splitDataset: the validation part (${validationFraction} of ${n} characters) has ${validation.length} ` +
        `characters, fewer than seqLength + 1 = ${need}; use a larger validationFraction or 0`,
    );
  }
  return { train, validation };
}

/** Something about a corpus that makes training on it pointless, though nothing fails. */
export interface CorpusWarning {
  /** `'single-character'`: the text is one character repeated, which a model predicts with loss 0. */
  code: 'single-character';
  /** One line for people. */
  message: string;
}

export interface PrepareCorpusOptions extends CharTokenizerOptions, TextDatasetOptions, SplitOptions {
  /** Use this tokenizer (from a checkpoint) instead of building one from the text. */
  tokenizer?: CharTokenizer;
  /** Called with each warning as it is found (they are also returned in `warnings`). Default none. */
  onWarning?: (warning: CorpusWarning) => void;
}

/** What `prepareCorpus` returns. */
export interface Corpus {
  tokenizer: CharTokenizer;
  /** The whole text, encoded (its ids are the only copy: `train` and `validation` are views of them). */
  dataset: TextDataset;
  train: TextDataset;
  validation: TextDataset | undefined;
  /** What makes the corpus meaningless to train on (empty for a real text); see `CorpusWarning`. */
  warnings: CorpusWarning[];
}

/**
 * Everything training needs from a text in one call: the tokenizer (built from the whole text,
 * or the one given), the encoded dataset and its train / validation split, and warnings about a
 * degenerate text (one character repeated: a model reaches loss 0 on it and learns nothing).
 *
 * Memory: the text is encoded once into the narrowest id array (`TokenIds`: a byte a character
 * for ≤ 256 distinct characters; lower-cased piece by piece), and the split parts are views of it,
 * so beyond the string itself a corpus of N characters takes N bytes (2N for more than 256
 * characters). Drop the string once this returns to keep only the ids.
 *
 * Options: `lowercase` (false), `unknown` ('error'), `seqLength` (30), `validationFraction`
 * (0.1), `tokenizer` (build one), `onWarning` (none).
 *
 * @example
 * const { tokenizer, train, validation, warnings } = prepareCorpus(await loadMobyDick(), { seqLength: 30 }); // @tensorloom/datasets
 * for (const w of warnings) console.warn(w.message);
 */
export function prepareCorpus(text: string, options: PrepareCorpusOptions = {}): Corpus {
  const tokenizer = options.tokenizer ?? CharTokenizer.fromText(text, options);
  const dataset = TextDataset.fromText(text, tokenizer, options);
  const warnings = corpusWarnings(dataset.ids, tokenizer);
  warnings.forEach((warning) => options.onWarning?.(warning));
  return { tokenizer, dataset, ...splitDataset(dataset, options), warnings };
}

/** The warnings of an encoded corpus: one character repeated (found in O(1) for a real text: the first id that differs ends the scan). */
function corpusWarnings(ids: TokenIds, tokenizer: CharTokenizer): CorpusWarning[] {
  if (ids.length === 0) return [];
  const first = ids[0]!;
  for (let i = 1; i < ids.length; i++) if (ids[i] !== first) return [];
  const token = tokenizer.tokenOf(first);
  const shown = first === tokenizer.unknownId ? `${token} (characters outside the vocabulary)` : describeChar(token);
  return [
    {
      code: 'single-character',
      message:
        `the corpus is one character, ${shown}, repeated ${ids.length.toLocaleString('en-US')} times: a model predicts it ` +
        'perfectly (loss 0) and learns nothing; train on a text with more than one character',
    },
  ];
}

/**
 * `tensorloom textgen eval`: loss, accuracy and bits per character of a checkpoint on a text.
 */
import {
  DEFAULT_EVAL_BATCH_SIZE,
  DEFAULT_SEQ_LENGTH,
  DEFAULT_VALIDATION_FRACTION,
  UnknownCharacterError,
  evaluate,
  prepareCorpus,
  type CharTokenizer,
  type TextDataset,
} from '@tensorloom/textgen';
import { UsageError, stringOption, type Command } from '../cli.js';
import { refuseNonFiniteCheckpoint } from '../non-finite.js';
import { choice, flagSetting, givenSettings, int, resolveSettings, settingOptions } from '../settings.js';
import {
  CORPUS_HELP,
  bookText,
  describeUnknown,
  encodingName,
  grouped,
  loadCheckpointFlag,
  percent,
  readCorpus,
  type TextgenRunMetadata,
} from './textgen-common.js';
import { checkMemory } from '../memory.js';

/** What `--unknown` does with characters outside the checkpoint's vocabulary. */
export const UNKNOWN_POLICIES = ['error', 'skip'] as const;

/** Which part of the corpus `--split` evaluates. */
export const EVAL_SPLITS = ['all', 'train', 'validation'] as const;

/** How the corpus is read and which part of it is evaluated. */
const CORPUS_SETTINGS = {
  encoding: {
    flag: 'encoding',
    description: "The file's encoding: utf-8 (strict), latin1, utf-16le, …",
    valueName: 'NAME',
    default: 'utf-8',
    parse: encodingName,
  },
  split: {
    flag: 'split',
    description: `The part of the text: ${EVAL_SPLITS.join(', ')}`,
    valueName: 'NAME',
    default: 'all' as (typeof EVAL_SPLITS)[number],
    parse: choice(EVAL_SPLITS),
  },
};

/** What defaults to the checkpoint's run: read once the checkpoint is loaded. */
const RUN_DEFAULT_SETTINGS = {
  valFraction: {
    flag: 'val-fraction',
    description: `The held-out fraction for --split (default: the checkpoint's, else ${DEFAULT_VALIDATION_FRACTION})`,
    valueName: 'F',
    default: undefined as number | undefined,
    parse: (raw: string | boolean, flag: string) => {
      const text = String(raw);
      const fraction = Number(text);
      if (text.trim() === '' || !(fraction > 0 && fraction < 1))
        throw new UsageError(`--${flag} must be between 0 and 1 (exclusive), got '${text}'`);
      return fraction;
    },
  },
  keepGutenberg: flagSetting(
    'keep-gutenberg',
    "Keep a Project Gutenberg file's header and licence (default: as the checkpoint's run; else left out).",
  ),
};

/** How the evaluation runs. */
const EVAL_SETTINGS = {
  unknown: {
    flag: 'unknown',
    description: `Characters outside the vocabulary: ${UNKNOWN_POLICIES.join(' or ')}`,
    valueName: 'POLICY',
    default: 'error' as (typeof UNKNOWN_POLICIES)[number],
    parse: choice(UNKNOWN_POLICIES),
  },
  batch: {
    flag: 'batch',
    description: 'Windows per forward pass',
    valueName: 'N',
    default: DEFAULT_EVAL_BATCH_SIZE,
    parse: int({ min: 1 }),
  },
  maxBatches: {
    flag: 'max-batches',
    description: 'Evaluate only the first N batches (a quick estimate)',
    valueName: 'N',
    default: undefined as number | undefined,
    parse: int({ min: 1 }),
  },
  carryState: flagSetting(
    'carry-state',
    'Read the text as --batch contiguous streams, the LSTM state carried from window to window ' +
      '(default: every window from the zero state, as in training).',
  ),
};

/** The characters of `text` (code points) outside `tokenizer`'s vocabulary. */
export function countUnknownCharacters(text: string, tokenizer: CharTokenizer): number {
  let count = 0;
  for (const ch of text) if (!tokenizer.covers(ch)) count++;
  return count;
}

/** `text` without the characters `tokenizer`'s vocabulary lacks, and how many those were. */
export function dropUnknownCharacters(text: string, tokenizer: CharTokenizer): { text: string; dropped: number } {
  let kept = '';
  let dropped = 0;
  for (const ch of text) {
    if (tokenizer.covers(ch)) kept += ch;
    else dropped++;
  }
  return { text: kept, dropped };
}

export const textgenEvalCommand: Command = {
  path: ['textgen', 'eval'],
  summary: "Measure a textgen checkpoint's loss, accuracy and bits per character on a text.",
  details: [
    `The text is cut into non-overlapping windows of the checkpoint's T (${DEFAULT_SEQ_LENGTH} by default), each run from`,
    'the zero state with teacher forcing, as training validates: loss is the mean cross-entropy per',
    'predicted character in nats, bits per character is loss / ln 2, accuracy the share of characters',
    'predicted right. --split validation evaluates the held-out end of the text (--val-fraction, by',
    "default the checkpoint's), so a run's final validation figures can be reproduced. A Project Gutenberg",
    'file is cut to the book as textgen train cuts it (--keep-gutenberg keeps the header and licence).',
    "A character outside the checkpoint's vocabulary is an error naming it and its line (exit 1); with",
    '--unknown skip such characters are left out (their count is reported). A checkpoint whose tokenizer',
    'has an <unk> entry (textgen train --unknown-token) reads them as <unk> instead (their count is reported).',
  ].join('\n'),
  options: {
    checkpoint: { type: 'string', description: "A checkpoint directory, or a run folder (its 'latest').", valueName: 'DIR' },
    corpus: { type: 'string', description: `${CORPUS_HELP}.`, valueName: 'FILE' },
    ...settingOptions(CORPUS_SETTINGS),
    ...settingOptions(RUN_DEFAULT_SETTINGS),
    ...settingOptions(EVAL_SETTINGS),
  },
  async run(values, ctx) {
    const dir = stringOption(values, 'checkpoint');
    if (dir === undefined) throw new UsageError('--checkpoint is required: the checkpoint directory (or run folder) to evaluate');
    const corpus = stringOption(values, 'corpus');
    if (corpus === undefined) throw new UsageError(`--corpus is required: ${CORPUS_HELP.replace(/^A/, 'a')}`);
    const { encoding, split, unknown, batch, maxBatches, carryState } = resolveSettings(values, { ...CORPUS_SETTINGS, ...EVAL_SETTINGS });
    if (values[RUN_DEFAULT_SETTINGS.valFraction.flag] !== undefined && split === 'all')
      throw new UsageError("--val-fraction applies to --split train or validation, not 'all'");

    const checkpoint = await loadCheckpointFlag(dir, 'checkpoint', ctx.log);
    refuseNonFiniteCheckpoint('textgen eval', checkpoint);
    const { model, tokenizer } = checkpoint;
    const seqLength = checkpoint.config.seqLength ?? DEFAULT_SEQ_LENGTH;
    // Evaluation holds one batch's activations (no gradients), before it reads the corpus.
    const { embeddingDim, hiddenSize, numLayers } = checkpoint.config.model;
    checkMemory('evaluation', [
      {
        what: 'activations of one batch',
        flags: [`--batch ${batch}`, `T ${seqLength}`, `hidden ${hiddenSize}`],
        elements: batch * seqLength * (embeddingDim + numLayers * 6 * hiddenSize + 2 * tokenizer.vocabSize),
        largestTensor: batch * seqLength * Math.max(4 * hiddenSize, tokenizer.vocabSize),
      },
    ]);
    const saved = checkpoint.metadata as Partial<TextgenRunMetadata>;
    const given = givenSettings(values, RUN_DEFAULT_SETTINGS);
    const valFraction = given.valFraction ?? saved.validationFraction ?? DEFAULT_VALIDATION_FRACTION;
    if (split !== 'all' && !(valFraction > 0))
      throw new UsageError(`--split ${split} needs a validation fraction above 0; the checkpoint's run used none, pass --val-fraction`);

    const keepGutenberg = given.keepGutenberg ?? saved.keepGutenberg === true;
    let text = bookText(await readCorpus(corpus, encoding), keepGutenberg, (line) => ctx.log(line), corpus);
    let dropped = 0;
    // A vocabulary with <unk> (textgen train --unknown-token) encodes every character.
    const asUnknownToken = tokenizer.unknownId === undefined ? 0 : countUnknownCharacters(text, tokenizer);
    if (unknown === 'skip' && tokenizer.unknownId === undefined) ({ text, dropped } = dropUnknownCharacters(text, tokenizer));
    let dataset: TextDataset;
    try {
      const prepared = prepareCorpus(text, { tokenizer, seqLength, validationFraction: split === 'all' ? 0 : valFraction });
      const part = split === 'all' ? prepared.dataset : split === 'train' ? prepared.train : prepared.validation;
      if (part === undefined) throw new Error(`the corpus has no ${split} part`);
      dataset = part;
    } catch (error) {
      if (error instanceof UnknownCharacterError) {
        throw new Error(`${describeUnknown(error, text, `the corpus '${corpus}'`)}; pass --unknown skip to leave such characters out`);
      }
      throw error;
    }
    if (dataset.numSequentialWindows === 0)
      throw new Error(`the text has ${dataset.length} characters, fewer than the ${seqLength + 1} one window of T = ${seqLength} needs`);

    ctx.log(
      `checkpoint ${checkpoint.dir}: step ${checkpoint.step}, vocabulary ${tokenizer.vocabSize}, T = ${seqLength}; ` +
        `${corpus} (${split === 'all' ? 'all' : `${split} part, validation fraction ${valFraction}`}): ` +
        `${grouped(dataset.length)} characters` +
        (dropped > 0 ? `, ${grouped(dropped)} outside the vocabulary left out` : '') +
        (asUnknownToken > 0 ? `, ${grouped(asUnknownToken)} outside the vocabulary read as <unk>` : ''),
    );
    const started = performance.now();
    const result = evaluate(model, dataset, {
      batchSize: batch,
      carryState,
      ...(maxBatches !== undefined ? { maxBatches } : {}),
    });
    const seconds = (performance.now() - started) / 1000;
    ctx.print(
      `loss ${result.loss.toFixed(4)} nats/char  accuracy ${percent(result.accuracy)}  ` +
        `${result.bitsPerChar.toFixed(3)} bits/char  perplexity ${result.perplexity.toFixed(2)}`,
    );
    ctx.print(`over ${grouped(result.characters)} predicted characters in ${seconds.toFixed(1)} s`);
    return {
      loss: result.loss,
      accuracy: result.accuracy,
      bitsPerChar: result.bitsPerChar,
      perplexity: result.perplexity,
      characters: result.characters,
      droppedCharacters: dropped,
      unknownAsToken: asUnknownToken,
      checkpoint: checkpoint.dir,
      step: checkpoint.step,
      corpus,
      split,
      ...(split === 'all' ? {} : { validationFraction: valFraction }),
      seconds,
    };
  },
};

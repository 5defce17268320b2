/**
 * What the `tensorloom textgen` commands share: reading a corpus (a file or an embedded book)
 * with errors a person can act on, finding a checkpoint inside a run folder, the
 * progress line of a training run and the course's sample set (greedy and tempered sentences).
 */
import { existsSync, statSync } from 'node:fs';
import { getBackend, getNumThreads, type Generator, type WasmBackend } from '@tensorloom/core-tensor';
import {
  CheckpointError,
  TextDecodingError,
  UnknownCharacterError,
  loadNewestCheckpoint,
  readTextFile,
  findCheckpoint,
  stripGutenberg,
  type CharTokenizer,
  type GenerateResult,
  type LoadedCheckpoint,
  type TrainProgress,
  type Trainer,
} from '@tensorloom/textgen';
import { TEXT_DATASETS, loadText, type TextDatasetName } from '@tensorloom/datasets';
import { UsageError, stringOption, type OptionValues, type Output } from '../cli.js';
import { formatSeconds } from '../progress.js';

/** What `textgen train` keeps in each checkpoint's metadata, to resume and to evaluate later. */
export interface TextgenRunMetadata {
  corpus: string;
  encoding: string;
  validationFraction: number;
  /** Whether the Project Gutenberg header and licence were kept (see `stripGutenberg`). */
  keepGutenberg: boolean;
  /** The run the checkpoint belongs to (`run.json`'s runId; absent before run manifests). */
  runId?: string;
  /** SHA-256 of the corpus (absent before run manifests). */
  corpusSha256?: string;
}

/** The name `--corpus` takes for the embedded default corpus. */
export const DEFAULT_CORPUS = 'moby-dick' satisfies TextDatasetName;

/** The books `--corpus` takes by name: the texts of `@tensorloom/datasets`. */
export const EMBEDDED_CORPORA = Object.keys(TEXT_DATASETS) as TextDatasetName[];

/** What `--corpus` takes, for help texts. */
export const CORPUS_HELP = `A text file, or an embedded book: ${EMBEDDED_CORPORA.join(', ')}`;

/** Parses an `--encoding`: a `TextDecoder` label (a usage error naming the flag otherwise). */
export function encodingName(raw: string | boolean, flag = 'encoding'): string {
  const encoding = String(raw);
  try {
    new TextDecoder(encoding);
  } catch {
    throw new UsageError(`--${flag} expects a text encoding such as utf-8, latin1 or utf-16le, got '${encoding}'`);
  }
  return encoding;
}

/** Checks `--encoding` is a `TextDecoder` label (a usage error naming the flag otherwise). */
export function encodingOption(values: OptionValues, fallback = 'utf-8'): string {
  return encodingName(stringOption(values, 'encoding') ?? fallback);
}

/**
 * The text of `--corpus`: an embedded book by name (`EMBEDDED_CORPORA`: names come before files of
 * the same name) or a file path, decoded strictly in `encoding`. A missing file or invalid UTF-8 is
 * an Error (exit 1) that says what to do.
 */
export async function readCorpus(corpus: string, encoding: string): Promise<string> {
  if (Object.hasOwn(TEXT_DATASETS, corpus)) return loadText(corpus as TextDatasetName);
  if (!existsSync(corpus))
    throw new Error(`the corpus file '${corpus}' does not exist (give a text file, or an embedded book: ${EMBEDDED_CORPORA.join(', ')})`);
  if (statSync(corpus).isDirectory()) throw new Error(`the corpus '${corpus}' is a directory; give a text file`);
  try {
    return await readTextFile(corpus, { encoding });
  } catch (error) {
    if (error instanceof TextDecodingError) {
      const where = /is not valid [^:]+: (.*?); pass/.exec(error.message)?.[1] ?? `at byte offset ${error.byteOffset}`;
      throw new Error(`the corpus '${corpus}' is not valid ${error.encoding}: ${where}; pass its encoding, for example --encoding latin1`);
    }
    throw error;
  }
}

/** Applies `stripGutenberg` unless `keep`, saying what it removed. */
export function bookText(text: string, keep: boolean, log: (line: string) => void, name: string): string {
  if (keep) return text;
  const stripped = stripGutenberg(text);
  if (stripped === undefined) return text;
  log(
    `${name}: left out the Project Gutenberg header (${grouped(stripped.head)} characters) and footer with the licence ` +
      `(${grouped(stripped.tail)}); --keep-gutenberg keeps them`,
  );
  return stripped.text;
}

/** Encodes with the checkpoint's tokenizer, turning an unknown character into an error that names it in the text. */
export function describeUnknown(error: UnknownCharacterError, text: string, what: string): string {
  let line = 1;
  let count = 0;
  for (let i = 0; i < text.length && count < error.position; i++) {
    const cp = text.codePointAt(i)!;
    if (cp > 0xffff) i++;
    if (cp === 10) line++;
    count++;
  }
  const shown = error.codePoint < 0x20 ? JSON.stringify(error.character) : `'${error.character}'`;
  const codePoint = `U+${error.codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  return (
    `${what} has the character ${shown} (${codePoint}) at offset ${error.position} (line ${line}), ` +
    "which is not in the model's vocabulary"
  );
}

/** Loads the checkpoint a flag names; a missing one is a usage error naming the flag. */
export async function loadCheckpointFlag(dir: string, flag: string, log?: (line: string) => void): Promise<LoadedCheckpoint> {
  // A damaged or missing `latest` falls back to the run's newest intact step checkpoint, saying so.
  let loaded: Awaited<ReturnType<typeof loadNewestCheckpoint>>;
  try {
    loaded = await loadNewestCheckpoint(dir, {
      onSkip: ({ dir: skipped, error }) =>
        log?.(`warning: --${flag}: skipped the damaged checkpoint '${skipped}': ${error.message.split('\n')[0]}`),
    });
  } catch (error) {
    if (error instanceof CheckpointError && (await findCheckpoint(dir)) === undefined) {
      throw new UsageError(
        `--${flag}: no checkpoint at '${dir}' (expected a checkpoint directory or a run folder with a 'latest' checkpoint)`,
      );
    }
    throw error;
  }
  if (loaded.skipped.length > 0) log?.(`--${flag}: using '${loaded.dir}' (step ${loaded.step}), the newest intact checkpoint in '${dir}'`);
  return loaded;
}

/** `wasm (relaxed SIMD, 2 threads)` or `js`, for the first log line of a run. */
export function describeBackend(): string {
  const backend = getBackend();
  if (backend.name !== 'wasm') return backend.name;
  const { features } = backend as WasmBackend;
  const threads = getNumThreads();
  return `wasm (${features.relaxedSimd ? 'relaxed SIMD' : 'SIMD'}, ${threads} thread${threads === 1 ? '' : 's'})`;
}

export { formatSeconds };

/** 12,345 */
export const grouped = (n: number): string => Math.round(n).toLocaleString('en-US');
export const percent = (v: number): string => `${(v * 100).toFixed(1)}%`;

/**
 * The progress line of a training run on stderr: redrawn in place on a terminal (bar, percentage,
 * step, ETA, loss, accuracy, bits/char, chars/s, the last validation), one line per 5 % of the
 * run otherwise. `log` prints a line without garbling the bar.
 */
export class TrainingProgressLine {
  private lastDraw = 0;
  private nextLoggedPercent = 5;
  private drawn = false;

  constructor(
    private readonly out: Output,
    private readonly label = 'train',
  ) {}

  update(progress: TrainProgress, fraction: number, fields: Record<string, string>): void {
    const now = performance.now();
    const pct = Math.min(100, fraction * 100);
    const steps = progress.totalSteps === undefined ? `step ${progress.step}` : `step ${progress.step}/${progress.totalSteps}`;
    const info = [
      steps,
      `ETA ${progress.etaSeconds === undefined ? '?' : formatSeconds(progress.etaSeconds)}`,
      `loss ${progress.loss.toFixed(3)}`,
      `acc ${percent(progress.accuracy)}`,
      `bpc ${progress.bitsPerChar.toFixed(2)}`,
      `${grouped(progress.charsPerSecond)} chars/s`,
      ...Object.entries(fields).map(([k, v]) => `${k} ${v}`),
    ].join('  ');
    if (this.out.isTTY) {
      if (now - this.lastDraw < 100 && pct < 100) return;
      this.lastDraw = now;
      const width = 20;
      const filled = Math.round((pct / 100) * width);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      this.out.write(`\r${this.label} ${bar} ${pct.toFixed(0).padStart(3)}%  ${info}\x1b[K`);
      this.drawn = true;
    } else if (pct >= this.nextLoggedPercent) {
      while (this.nextLoggedPercent <= pct) this.nextLoggedPercent += 5;
      this.out.write(`${this.label} ${pct.toFixed(0).padStart(3)}%  ${info}  elapsed ${formatSeconds(progress.elapsedSeconds)}\n`);
    }
  }

  /** Prints a line on stderr (on a terminal, above the bar). */
  log(line: string): void {
    this.clear();
    this.out.write(`${line}\n`);
  }

  /** Erases the bar on a terminal, before other output; the next update redraws it. */
  clear(): void {
    if (this.drawn) {
      this.out.write('\r\x1b[K');
      this.drawn = false;
    }
  }

  /** Ends the bar's line on a terminal. */
  finish(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}

/** The course's tempered-sampling values τ ∈ {0.5, 1, 2}, in the sheet's convention (τ multiplies the logits). */
export const COURSE_INVERSE_TEMPERATURES = [0.5, 1, 2] as const;

/** How a sample set labels τ, naming both conventions so nobody has to guess. */
export function inverseTemperatureLabel(tau: number): string {
  return `τ = ${tau} (the sheet's inverse temperature: softmax(${tau}·logits), = temperature ${1 / tau} in the dividing convention)`;
}

/** The course's samples at one point of training. */
export interface CourseSamples {
  step: number;
  /** Greedy sentences, one per first character. */
  greedy: GenerateResult[];
  /** Tempered sentences for each sheet-τ (inverse temperature), one per first character. */
  tempered: { inverseTemperature: number; temperature: number; samples: GenerateResult[] }[];
}

/** `count` different characters of the vocabulary, drawn without replacement with `generator`. */
export function distinctFirstCharacters(tokenizer: CharTokenizer, count: number, generator: Generator): string[] {
  const chars = tokenizer.chars;
  const order = generator.permutation(chars.length);
  return Array.from(order.subarray(0, Math.min(count, chars.length)), (i) => chars[i]!);
}

/**
 * The course's sample set: greedy sentences of `length` characters from `count` different random
 * first characters, then tempered ones from the same first characters for each sheet-τ (softmax
 * of τ·logits). Draws from the trainer's sample generator, which checkpoints keep.
 */
export function courseSamples(trainer: Trainer, options: { count: number; length: number }): CourseSamples {
  const prompts = distinctFirstCharacters(trainer.tokenizer, options.count, trainer.sampleGenerator);
  const greedy = trainer.sample({ prompts, length: options.length, sampling: { strategy: 'greedy' } });
  const tempered = COURSE_INVERSE_TEMPERATURES.map((tau) => ({
    inverseTemperature: tau,
    temperature: 1 / tau,
    samples: trainer.sample({ prompts, length: options.length, sampling: { strategy: 'temperature', inverseTemperature: tau } }),
  }));
  return { step: trainer.step, greedy, tempered };
}

/** The sample set as text lines (each sentence JSON-quoted, so newlines in it stay visible). */
export function formatCourseSamples(samples: CourseSamples, heading: string): string[] {
  const quote = (s: GenerateResult) => `  ${JSON.stringify(s.prompt)} → ${JSON.stringify(s.text)}`;
  return [
    heading,
    `greedy (the most likely character each step):`,
    ...samples.greedy.map(quote),
    ...samples.tempered.flatMap((t) => [`sampled with ${inverseTemperatureLabel(t.inverseTemperature)}:`, ...t.samples.map(quote)]),
  ];
}

/**
 * How `textgen sample` writes texts of any length: characters go to stdout as they are generated,
 * in chunks (every 20 ms with --stream), so memory stays bounded whatever --length is; a progress
 * line on stderr for long outputs; SIGINT, SIGTERM and SIGHUP stop it (exit 128 + the signal), and
 * a closed stdout (`| head`) ends it quietly. Under --json the texts are kept for the result instead,
 * which the command bounds before it starts (`jsonResultTerms`).
 */
import { constants } from 'node:buffer';
import { startGeneration, type CharTokenizer, type GenerateOptions, type TextGenerationModel } from '@tensorloom/textgen';
import { UsageError, type Output } from '../cli.js';
import { signalExitCode, watchInterrupts, type StopSignal } from '../interrupt.js';
import type { MemoryTerm } from '../memory.js';
import { Progress } from '../progress.js';
import { grouped } from './textgen-common.js';

/** Characters written to stdout at a time (without --stream). */
export const OUTPUT_CHUNK = 1 << 16;
/** With --stream, the longest a generated character waits before it is written. */
const LIVE_FLUSH_MS = 20;
/** How often the loop lets signals and stream events in. */
const PAUSE_EVERY_MS = 50;
/** The progress line shows from this many characters on a terminal, and as log lines from the second figure. */
export const PROGRESS_FROM = { terminal: 10_000, log: 100_000 } as const;
/** Bytes a character of a `--json` result costs: its pieces, the completion, the text and the JSON (two bytes each, at worst). */
const JSON_BYTES_PER_CHARACTER = 12;

/**
 * Whether a run of `total` characters shows a progress line on stderr: not when stdout and stderr
 * are the same terminal (the text itself shows progress, and a redrawn line would garble it); on a
 * terminal from `PROGRESS_FROM.terminal` characters, in logs from `PROGRESS_FROM.log`.
 */
export function showsProgress(total: number, stdout: Output, stderr: Output): boolean {
  if (stdout.isTTY && stderr.isTTY) return false;
  return total >= (stderr.isTTY ? PROGRESS_FROM.terminal : PROGRESS_FROM.log);
}

/**
 * What a `--json` result of `count` texts of `length` characters holds, for `checkMemory`; a usage
 * error when the JSON would be longer than one JavaScript string can be (the text streams without --json).
 */
export function jsonResultTerms(length: number, count: number, promptLength: number): MemoryTerm[] {
  const characters = count * (length + promptLength);
  // Each sample's completion and its text (prompt + completion) are both in the JSON.
  if (2 * characters > constants.MAX_STRING_LENGTH) {
    throw new UsageError(
      `--length ${length}${count > 1 ? ` × --count ${count}` : ''} with --json: the result would hold about ` +
        `${grouped(2 * characters)} characters of text, more than one JavaScript string can ` +
        `(${grouped(constants.MAX_STRING_LENGTH)}); leave out --json and the text streams to stdout in bounded memory`,
    );
  }
  const flags = [`--length ${length}`, ...(count > 1 ? [`--count ${count}`] : [])];
  return [{ what: 'the texts of the --json result', flags, elements: (characters * JSON_BYTES_PER_CHARACTER) / 4 }];
}

/** One generated text (under --json; written texts are not kept). */
export interface SampledText {
  prompt: string;
  completion: string;
  text: string;
  /** Σ log p of the completion under the model (nats). */
  logProb: number;
}

export interface StreamSamplesOptions {
  count: number;
  length: number;
  /** The prompt (or none), sampling strategy and generator, as `generate` takes them. */
  generation: Omit<GenerateOptions, 'length'>;
  /** Write each character within 20 ms (--stream) rather than in chunks of `OUTPUT_CHUNK`. */
  live: boolean;
  /** Keep the texts for the result (--json) rather than writing them. */
  keep: boolean;
}

export interface StreamSamplesResult {
  /** The kept texts (under --json), else empty. */
  samples: SampledText[];
  /** Characters generated in all (prompts not counted). */
  characters: number;
  /** The signal that stopped the run, or null. */
  interruptedBy: StopSignal | null;
  /** True when stdout was closed by its reader (EPIPE) and the run stopped there. */
  stdoutClosed: boolean;
}

/**
 * Generates `count` texts of `length` characters with `startGeneration`, writing each to `stdout`
 * as it comes (the prompt first, texts separated by a blank line, a newline at the end) or keeping
 * them (`keep`). Nothing grows with `length` but the kept texts. Stops early on a stop signal or a
 * closed stdout; `log` gets one line about it.
 */
export async function streamSamples(
  model: TextGenerationModel,
  tokenizer: CharTokenizer,
  options: StreamSamplesOptions,
  io: { stdout: Output; stderr: Output; log(line: string): void },
): Promise<StreamSamplesResult> {
  const { count, length, generation, live, keep } = options;
  const total = count * length;
  const sink = new StdoutSink(io.stdout);
  // The first signal stops the loop at its next pause (within 50 ms); a second quits at once.
  const watch = watchInterrupts(() => {});
  const stopped = () => watch.received() !== null || sink.closed;
  const logEvery = Math.max(1, Math.round(total / 10));
  const progress = showsProgress(total, io.stdout, io.stderr) ? new Progress(io.stderr, total, 'sample', logEvery) : undefined;
  const progressEvery = io.stderr.isTTY ? 1024 : logEvery;
  const started = performance.now();
  const samples: SampledText[] = [];
  let done = 0;
  try {
    for (let i = 0; i < count && !stopped(); i++) {
      const { prompt, steps } = startGeneration(model, tokenizer, { ...generation, length });
      const pieces: string[] = [];
      let pending = keep ? '' : prompt;
      let logProb = 0;
      let lastFlush = performance.now();
      let lastPause = lastFlush;
      const flush = async () => {
        if (keep) pieces.push(pending);
        else await sink.write(pending);
        pending = '';
      };
      for (const token of steps) {
        pending += token.char;
        logProb += token.logProb;
        done++;
        if (progress !== undefined && done % progressEvery === 0) progress.update(done, rate(done, started));
        const now = performance.now();
        if (pending.length >= OUTPUT_CHUNK || (live && now - lastFlush >= LIVE_FLUSH_MS)) {
          await flush();
          lastFlush = now;
        }
        if (now - lastPause >= PAUSE_EVERY_MS) {
          // Each step is synchronous work: let signal handlers and stream events run.
          await new Promise((resolve) => setImmediate(resolve));
          lastPause = performance.now();
          if (stopped()) break;
        }
      }
      await flush();
      if (keep) {
        const completion = pieces.join('');
        samples.push({ prompt, completion, text: prompt + completion, logProb });
      } else await sink.write(i + 1 < count && !stopped() ? '\n\n' : '\n');
    }
    if (progress !== undefined && !stopped() && done % progressEvery !== 0) progress.update(done, rate(done, started));
  } finally {
    watch.dispose();
    sink.dispose();
  }
  const interruptedBy = watch.received();
  if (progress !== undefined && io.stderr.isTTY && done < total) io.stderr.write('\n'); // end the bar's line
  if (interruptedBy !== null) {
    io.log(`interrupted by ${interruptedBy} after ${grouped(done)} of ${grouped(total)} characters; exit ${signalExitCode(interruptedBy)}`);
  } else if (sink.closed) {
    io.log(`stdout was closed after ${grouped(done)} of ${grouped(total)} characters; stopped`);
  }
  return { samples, characters: done, interruptedBy, stdoutClosed: sink.closed };
}

function rate(done: number, started: number): Record<string, string> {
  const seconds = (performance.now() - started) / 1000;
  return { 'chars/s': seconds > 0 ? grouped(done / seconds) : '?' };
}

/** The events of a Node stream that `StdoutSink` listens to. */
interface Emitter {
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

function isEmitter(out: Output): out is Output & Emitter {
  const candidate = out as Partial<Emitter>;
  return typeof candidate.once === 'function' && typeof candidate.off === 'function' && typeof candidate.on === 'function';
}

/**
 * stdout as the loop writes to it: a write the stream cannot take yet (`write` returned false)
 * waits for 'drain', so a slow reader never makes the output pile up in memory; EPIPE (the reader
 * went away) marks it closed, any other stream error is thrown at the next write.
 */
class StdoutSink {
  closed = false;
  private failure: unknown = undefined;
  private readonly onError = (error: unknown) => {
    if ((error as { code?: unknown } | null)?.code === 'EPIPE') this.closed = true;
    else this.failure = error;
  };

  constructor(private readonly out: Output) {
    if (isEmitter(out)) out.on('error', this.onError);
  }

  async write(text: string): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed || text === '') return;
    const accepted = this.out.write(text);
    if (accepted === false && isEmitter(this.out)) await this.drained(this.out);
  }

  private drained(out: Emitter): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        for (const event of ['drain', 'error', 'close']) out.off(event, done);
        resolve();
      };
      for (const event of ['drain', 'error', 'close']) out.once(event, done);
    });
  }

  /** Stops listening, unless the reader went away: EPIPE errors of writes still queued are then swallowed. */
  dispose(): void {
    if (isEmitter(this.out) && !this.closed) this.out.off('error', this.onError);
  }
}

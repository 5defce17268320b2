import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Generator, Tensor } from '@tensorloom/core-tensor';
import { CharTokenizer, TextGenerationModel, saveCheckpoint } from '@tensorloom/textgen';
import { beforeAll, describe, expect, it } from 'vitest';
import { UsageError, runCli } from '../cli.js';
import { capture, tempDirs } from '../test-support.js';
import { OUTPUT_CHUNK, PROGRESS_FROM, jsonResultTerms, showsProgress, streamSamples } from './textgen-sample-stream.js';
import { textgenSampleCommand } from './textgen-sample.js';

const tempDir = tempDirs('textgen-sample-stream-');
const vocabulary = 'the quick brown fox jumps over a lazy dog.\n';
let checkpoint: string;
beforeAll(async () => {
  const tokenizer = CharTokenizer.fromText(vocabulary);
  const model = new TextGenerationModel({ vocabSize: tokenizer.vocabSize, embeddingDim: 4, hiddenSize: 8, generator: new Generator(1) });
  checkpoint = join(tempDir(), 'latest');
  await saveCheckpoint(checkpoint, { model, tokenizer, step: 1 });
});

const sample = async (args: string[], tty: { stdout?: boolean; stderr?: boolean } = {}) => {
  const c = capture();
  Object.assign(c.io.stdout, { isTTY: tty.stdout });
  Object.assign(c.io.stderr, { isTTY: tty.stderr });
  const code = await runCli(['textgen', 'sample', '--checkpoint', checkpoint, ...args], [textgenSampleCommand], c.io);
  return { code, ...c };
};

/**
 * A bigram table behind the model's interface: a step costs microseconds rather than the LSTM's
 * tens, so tests can generate hundreds of thousands of characters.
 */
function fastModel(tokenizer: CharTokenizer): TextGenerationModel {
  const v = tokenizer.vocabSize;
  const table = Float32Array.from({ length: v * v }, (_, i) => ((i * 7919) % 13) / 4);
  const row = (id: number) => table.subarray(id * v, (id + 1) * v);
  const state = { h: Tensor.empty([1, 1, 1], 'float32'), c: Tensor.empty([1, 1, 1], 'float32') };
  const model = {
    vocabSize: v,
    training: false,
    eval: () => model,
    train: () => model,
    namedParameters: () => [][Symbol.iterator](),
    forward: (tokens: Tensor) => {
      const logits = Tensor.empty([1, tokens.shape[1]!, v], 'float32');
      logits.data.set(row(tokens.data[tokens.shape[1]! - 1]!), (tokens.shape[1]! - 1) * v);
      return { logits, state };
    },
    step: (tokens: Tensor) => ({ logits: new Tensor(row(tokens.data[0]!).slice(), [1, v], 'float32'), state }),
  };
  return model as unknown as TextGenerationModel;
}

describe('showsProgress and jsonResultTerms', () => {
  it('shows progress on a terminal from 10,000 characters, in logs from 100,000, never when the text itself is on the terminal', () => {
    const tty = { write: () => true, isTTY: true };
    const pipe = { write: () => true };
    expect(showsProgress(PROGRESS_FROM.terminal, pipe, tty)).toBe(true);
    expect(showsProgress(PROGRESS_FROM.terminal - 1, pipe, tty)).toBe(false);
    expect(showsProgress(PROGRESS_FROM.log, pipe, pipe)).toBe(true);
    expect(showsProgress(PROGRESS_FROM.log - 1, pipe, pipe)).toBe(false);
    expect(showsProgress(1e9, tty, tty)).toBe(false);
    expect(showsProgress(1e9, tty, pipe)).toBe(true);
  });

  it('sizes a --json result, and refuses one longer than a string can be', () => {
    const [term] = jsonResultTerms(1000, 2, 5);
    expect(term!.flags).toEqual(['--length 1000', '--count 2']);
    expect(term!.elements * 4).toBeGreaterThanOrEqual(2 * 1005 * 4);
    expect(() => jsonResultTerms(1e9, 1, 1)).toThrow(UsageError);
    expect(() => jsonResultTerms(1e9, 1, 1)).toThrow(/--length 1000000000 with --json: .*leave out --json/);
  });
});

describe('streamSamples', () => {
  const tokenizer = CharTokenizer.fromText(vocabulary);
  const model = fastModel(tokenizer);
  const generation = { sampling: { strategy: 'temperature' as const }, generator: new Generator(2), prompt: 'the' };

  it('writes a long text in chunks as it comes, with a progress line per 10 % in logs', async () => {
    const writes: string[] = [];
    const lines: string[] = [];
    const io = { stdout: { write: (s: string) => writes.push(s) }, stderr: { write: (s: string) => lines.push(s) }, log: () => {} };
    const length = 200_000;
    const result = await streamSamples(model, tokenizer, { count: 1, length, generation, live: false, keep: false }, io);
    expect(result).toMatchObject({ characters: length, interruptedBy: null, stdoutClosed: false, samples: [] });
    const text = writes.join('');
    expect(text).toHaveLength(3 + length + 1);
    expect(text.startsWith('the')).toBe(true);
    expect(text.endsWith('\n')).toBe(true);
    expect(writes.length).toBeGreaterThanOrEqual(Math.ceil(length / OUTPUT_CHUNK));
    for (const chunk of writes) expect(chunk.length).toBeLessThanOrEqual(OUTPUT_CHUNK + 3);
    expect(lines).toHaveLength(10);
    expect(lines.at(-1)).toMatch(/^sample 200000\/200000 .*chars\/s/);
  });

  it('waits for a slow reader to drain before writing more', async () => {
    const stdout = Object.assign(new EventEmitter(), {
      written: 0,
      waiting: false,
      write(s: string) {
        expect(stdout.waiting).toBe(false); // nothing is written while the last write is unread
        stdout.written += s.length;
        stdout.waiting = true;
        setTimeout(() => {
          stdout.waiting = false;
          stdout.emit('drain');
        }, 1);
        return false;
      },
    });
    const io = { stdout, stderr: { write: () => true }, log: () => {} };
    const result = await streamSamples(model, tokenizer, { count: 2, length: 150_000, generation, live: false, keep: false }, io);
    expect(result.characters).toBe(300_000);
    expect(stdout.written).toBe(2 * (3 + 150_000) + 3); // two texts, a blank line between, a newline after
    expect(stdout.listenerCount('error')).toBe(0);
  });

  it('stops quietly when the reader goes away (EPIPE)', async () => {
    const stdout = Object.assign(new EventEmitter(), {
      write() {
        setImmediate(() => stdout.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })));
        return true;
      },
    });
    const logged: string[] = [];
    const io = { stdout, stderr: { write: () => true }, log: (line: string) => logged.push(line) };
    const result = await streamSamples(model, tokenizer, { count: 1, length: 1e9, generation, live: true, keep: false }, io);
    expect(result.stdoutClosed).toBe(true);
    expect(result.characters).toBeLessThan(1e7);
    expect(logged).toEqual([expect.stringMatching(/^stdout was closed after [\d,]+ of 1,000,000,000 characters/)]);
  });
});

describe('tensorloom textgen sample --length', () => {
  it('draws a progress bar on a terminal stderr while the text goes to a file', async () => {
    const r = await sample(['--prompt', 'the', '--length', '12000', '--strategy', 'greedy'], { stderr: true });
    expect(r.code).toBe(0);
    expect(r.stdout()).toHaveLength(3 + 12_000 + 1);
    expect(r.stderr()).toContain('\rsample ');
    expect(r.stderr()).toContain('12000/12000');
  });

  it('refuses beam search longer than memory holds, naming --length, --beam-width and the bytes', async () => {
    const r = await sample(['--strategy', 'beam', '--length', '1000000000']);
    expect(r.code).toBe(2);
    expect(r.stderr()).toMatch(/--length 1000000000 × --beam-width 5: .*(\d+ [GT]B).*beam search keeps every beam until the end/);
    expect(r.stderr().trimEnd().split('\n')).toHaveLength(1);
    expect((await sample(['--strategy', 'beam', '--length', '50', '--json'])).code).toBe(0);
  });

  it('refuses a --json result no string can hold, and a length no number counts exactly', async () => {
    const json = await sample(['--length', '1000000000', '--json']);
    expect(json.code).toBe(2);
    expect(json.stderr()).toContain('--length 1000000000 with --json');
    const absurd = await sample(['--length', '99999999999999999999']);
    expect(absurd.code).toBe(2);
    expect(absurd.stderr()).toContain('--length must be at most 9007199254740991');
  });

  it('streams a billion characters in bounded memory until SIGINT, then exits 130 having written what it made', async () => {
    // The built command (turbo builds it before the tests), else the sources through tsx.
    const built = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));
    const source = fileURLToPath(new URL('../bin.ts', import.meta.url));
    const node = existsSync(built) ? [built] : ['--conditions=@tensorloom/source', '--import', 'tsx', source];
    const args = ['textgen', 'sample', '--checkpoint', checkpoint, '--length', '1000000000', '--stream', '--backend', 'js'];
    const child = spawn(process.execPath, [...node, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;
    const linux = process.platform === 'linux';
    let stdout = '';
    let stderr = '';
    const rss: number[] = [];
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      const before = stdout.length;
      stdout += chunk.toString();
      // Resident memory once warmed up and some 30,000 characters later; then the signal.
      for (const mark of [10_000, 40_000]) if (before < mark && stdout.length >= mark && linux) rss.push(rssOf(child.pid!));
      if (before < 40_000 && stdout.length >= 40_000) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    expect(code, stderr).toBe(130);
    const stopped = /interrupted by SIGINT after ([\d,]+) of 1,000,000,000 characters; exit 130/.exec(stderr);
    expect(stopped, stderr).not.toBeNull();
    // The random first character, every generated one, and a final newline.
    expect(stdout).toHaveLength(1 + Number(stopped![1]!.replace(/,/g, '')) + 1);
    expect([...stdout].every((ch) => vocabulary.includes(ch))).toBe(true);
    if (linux) {
      console.log(
        `sample --length 1e9: resident ${(rss[0]! / 1e6).toFixed(1)} MB → ${(rss[1]! / 1e6).toFixed(1)} MB after 30,000 more characters`,
      );
      expect(rss[1]! - rss[0]!).toBeLessThan(50e6);
    }
  }, 120_000);
});

import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCheckpoint } from '@tensorloom/textgen';
import { describe, expect, it } from 'vitest';
import { STOP_SIGNALS, signalExitCode, watchInterrupts, type StopSignal } from './interrupt.js';
import { tempDirs } from './test-support.js';

const tempDir = tempDirs('tensorloom-interrupt-');

describe('watchInterrupts', () => {
  it('aborts on the first stop signal, names it, and quits with 128 + its number on the second', () => {
    for (const name of Object.keys(STOP_SIGNALS) as StopSignal[]) {
      const exits: number[] = [];
      const proc = Object.assign(new EventEmitter(), { exit: (code: number) => void exits.push(code) });
      const lines: string[] = [];
      const watch = watchInterrupts((line) => lines.push(line), proc as unknown as NodeJS.Process);
      expect(watch.signal.aborted).toBe(false);
      proc.emit(name);
      expect(watch.signal.aborted).toBe(true);
      expect(watch.received()).toBe(name);
      expect(lines).toEqual([expect.stringContaining(`received ${name}: stopping after this step and saving`)]);
      expect(exits).toEqual([]);
      proc.emit(name);
      expect(exits).toEqual([signalExitCode(name)]);
      watch.dispose();
      expect(proc.listenerCount(name)).toBe(0);
    }
    expect([signalExitCode('SIGHUP'), signalExitCode('SIGINT'), signalExitCode('SIGTERM')]).toEqual([129, 130, 143]);
  });
});

/** `tensorloom textgen train` in a child process, sent `signal` once training has started. */
function interruptedRun(signal: StopSignal, out: string, corpus: string): Promise<{ code: number | null; stderr: string }> {
  // The built command when there is one (turbo builds it before this test: a second to start), else
  // the sources through tsx (minutes to start beside a full CI run).
  const built = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
  const source = fileURLToPath(new URL('./bin.ts', import.meta.url));
  const node = existsSync(built) ? [built] : ['--conditions=@tensorloom/source', '--import', 'tsx', source];
  const args = ['textgen', 'train', '--corpus', corpus, '--embedding', '8', '--hidden', '16', '--batch', '8', '--seq', '10'];
  args.push('--steps', '1000000', '--checkpoint-every', '0', '--samples', '0', '--eval-every', '0', '--out', out, '--backend', 'js');
  const child = spawn(process.execPath, [...node, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let sent = false;
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    // Training has begun (the handlers are in place) once this line is out; let it run a moment.
    if (!sent && stderr.includes('training to step')) {
      sent = true;
      setTimeout(() => child.kill(signal), 300);
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('an interrupted textgen train', () => {
  it.each(Object.keys(STOP_SIGNALS) as StopSignal[])(
    'on %s saves a loadable checkpoint and exits with 128 + the signal number, never 0',
    async (signal) => {
      const dir = tempDir();
      const corpus = join(dir, 'tales.txt');
      writeFileSync(corpus, 'The goose laid a golden egg. The wolf ran into the wood!\n'.repeat(40));
      const out = join(dir, 'run');
      const { code, stderr } = await interruptedRun(signal, out, corpus);
      expect(stderr).toContain(`received ${signal}: stopping after this step and saving`);
      const stopped = new RegExp(`interrupted by ${signal} at step (\\d+), saved in .*latest; exit ${signalExitCode(signal)}`).exec(stderr);
      expect(stopped, stderr).not.toBeNull();
      expect(code).toBe(signalExitCode(signal));
      expect(existsSync(join(out, 'latest'))).toBe(true);
      const loaded = await loadCheckpoint(out);
      expect(loaded.step).toBe(Number(stopped![1]));
    },
    300_000,
  );
});

/** Any command in a child process, sent `signal` once `marker` is on stderr. */
function interruptedCommand(args: string[], marker: string, signal: StopSignal) {
  const built = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
  const source = fileURLToPath(new URL('./bin.ts', import.meta.url));
  const node = existsSync(built) ? [built] : ['--conditions=@tensorloom/source', '--import', 'tsx', source];
  const child = spawn(process.execPath, [...node, ...args, '--backend', 'js'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let sent = false;
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (!sent && stderr.includes(marker)) {
      sent = true;
      setTimeout(() => child.kill(signal), 300);
    }
  });
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, killed) => resolve({ code, signal: killed, stderr }));
  });
}

describe('an interrupted seq train or gnn train never exits 0', () => {
  const runs = {
    'seq train': [['seq', 'train', '--task', 'palindrome', '--steps', '1000000', '--seeds', '0', '--out', 'OUT'], 'palindrome L='],
    'gnn train': [['gnn', 'train', '--dataset', 'karate', '--epochs', '1000000', '--seeds', '0'], 'karate'],
  } as const;
  it.each(
    (Object.keys(runs) as (keyof typeof runs)[]).flatMap((command) =>
      (['SIGINT', 'SIGTERM'] as const).map((signal) => [command, signal] as const),
    ),
  )(
    '%s on %s',
    async (command, signal) => {
      const [args, marker] = runs[command];
      const dir = tempDir();
      const r = await interruptedCommand(
        args.map((a) => (a === 'OUT' ? join(dir, 'run') : a)),
        marker,
        signal,
      );
      expect(r.stderr).toContain(marker);
      // Killed by the signal (Node's default), or exiting with 128 + its number: never success.
      expect(r.code === null ? r.signal : r.code).toBe(r.code === null ? signal : signalExitCode(signal));
    },
    120_000,
  );
});

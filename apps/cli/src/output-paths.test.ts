import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError, runCli } from './cli.js';
import { commands } from './commands/index.js';
import { checkOutputFile, checkOutputFolder } from './output-paths.js';
import { capture, tempDirs } from './test-support.js';

const tempDir = tempDirs('output-paths-');

describe('output paths are checked before the work', () => {
  it('checkOutputFile: a missing folder, a directory in its place, an unwritable folder', () => {
    const dir = tempDir();
    expect(() => checkOutputFile(join(dir, 'plot.svg'), 'plot')).not.toThrow();
    expect(() => checkOutputFile(join(dir, 'missing', 'plot.svg'), 'plot')).toThrow(/--plot .*the folder '.*missing' does not exist/);
    expect(() => checkOutputFile(dir, 'plot')).toThrow(/is a directory/);
    writeFileSync(join(dir, 'file'), '');
    expect(() => checkOutputFile(join(dir, 'file', 'plot.svg'), 'plot')).toThrow(UsageError);
    if (process.getuid?.() !== 0) {
      const locked = join(dir, 'locked');
      mkdirSync(locked);
      chmodSync(locked, 0o500);
      expect(() => checkOutputFile(join(locked, 'plot.svg'), 'plot')).toThrow(/permission denied/);
      expect(() => checkOutputFolder(join(locked, 'run', 'deeper'), 'out')).toThrow(/permission denied/);
      chmodSync(locked, 0o700);
    }
  });

  it('checkOutputFolder: a new folder under a writable one passes, a file in its place does not', () => {
    const dir = tempDir();
    expect(() => checkOutputFolder(join(dir, 'a', 'b', 'c'), 'out')).not.toThrow();
    writeFileSync(join(dir, 'file'), '');
    expect(() => checkOutputFolder(join(dir, 'file'), 'out')).toThrow(/is a file, not a folder/);
    expect(() => checkOutputFolder(join(dir, 'file', 'run'), 'out')).toThrow(/is a file, not a folder/);
  });

  it.each([
    [['gnn', 'train', '--dataset', 'karate', '--seeds', '0', '--plot', 'MISSING/curves.svg'], '--plot'],
    [['gnn', 'train', '--dataset', 'karate', '--seeds', '0', '--csv', 'MISSING/figures.csv'], '--csv'],
    [['rnn', 'gradients', '--out', 'MISSING/norms.svg'], '--out'],
    [['seq', 'train', '--seeds', '0', '--out', 'FILE'], '--out'],
    [['textgen', 'train', '--steps', '1', '--out', 'FILE'], '--out'],
  ])('%j stops with exit 2 before training', async (args, flag) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'FILE'), '');
    const c = capture();
    const started = performance.now();
    const code = await runCli(
      args.map((a) => (a.startsWith('MISSING') ? join(dir, a) : a === 'FILE' ? join(dir, 'FILE') : a)),
      commands,
      c.io,
    );
    expect(code).toBe(2);
    expect(c.stderr()).toContain(flag);
    expect(c.stderr()).not.toMatch(/epoch|step \d/);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

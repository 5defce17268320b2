import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import { capture, tempDirs } from '../test-support.js';
import { textgenEvalCommand } from './textgen-eval.js';
import { textgenSampleCommand } from './textgen-sample.js';
import { textgenTrainCommand } from './textgen-train.js';

const tempDir = tempDirs('textgen-run-');
const commands = [textgenTrainCommand, textgenSampleCommand, textgenEvalCommand];

let corpus: string;
let other: string;
beforeAll(() => {
  const text = Array.from({ length: 60 }, (_, i) => ['The wolf ran into the wood!', 'She spun the flax into gold.'][i % 2]).join('\n');
  corpus = join(tempDir(), 'tales.txt');
  writeFileSync(corpus, text);
  // Same characters, other bytes: the vocabulary fits, so only the hash can tell.
  other = join(tempDir(), 'other.txt');
  writeFileSync(other, text.split('\n').reverse().join('\n'));
});

const tiny = (...more: string[]) => [
  '--corpus',
  corpus,
  '--embedding',
  '8',
  '--hidden',
  '16',
  '--batch',
  '4',
  '--seq',
  '8',
  '--samples',
  '0',
  ...more,
];
const cli = async (args: string[]) => {
  const c = capture();
  const code = await runCli(['textgen', ...args], commands, c.io);
  return { code, ...c };
};
const train = (args: string[]) => cli(['train', ...args]);
const steps = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('step-'));
const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
const latestStep = (dir: string) => JSON.parse(readFileSync(join(dir, 'latest', 'config.json'), 'utf8')).step as number;

describe('textgen train: a run folder belongs to one run', () => {
  it('writes run.json with the settings, bounds, corpus hash and start time, and its id into every checkpoint', async () => {
    const out = join(tempDir(), 'run');
    const r = await train([...tiny('--steps', '4', '--checkpoint-every', '2'), '--out', out]);
    expect(r.code).toBe(0);
    const m = manifest(out);
    expect(m).toMatchObject({
      format: 'tensorloom.run',
      version: 1,
      command: 'tensorloom textgen train',
      data: {
        settings: { hidden: 16, embedding: 8, batch: 4, seq: 8 },
        run: { checkpointEvery: 2 },
        bounds: { steps: 4 },
        corpus: { source: corpus, bytes: statSync(corpus).size, encoding: 'utf-8' },
      },
      resumed: [],
    });
    expect(m.data.corpus.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(m.startedAt)).toBeGreaterThan(Date.now() - 600_000);
    for (const dir of ['latest', ...steps(out)]) {
      expect(JSON.parse(readFileSync(join(out, dir, 'config.json'), 'utf8')).metadata.runId).toBe(m.runId);
    }
    expect(existsSync(join(out, 'run.lock'))).toBe(false);
  });

  it('refuses a new run into a folder holding another (exit 2), losing nothing; --overwrite replaces it', async () => {
    const out = join(tempDir(), 'run');
    expect((await train([...tiny('--steps', '3'), '--out', out])).code).toBe(0);
    const before = {
      run: manifest(out).runId,
      entries: readdirSync(out).sort(),
      latest: readFileSync(join(out, 'latest', 'model.safetensors')),
    };
    const again = await train([...tiny('--steps', '2'), '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr()).toMatch(new RegExp(`holds run ${before.run}.*--resume .*--overwrite`));
    expect(readdirSync(out).sort()).toEqual(before.entries);
    expect(readFileSync(join(out, 'latest', 'model.safetensors')).equals(before.latest)).toBe(true);

    const replaced = await train([...tiny('--steps', '2'), '--out', out, '--overwrite']);
    expect(replaced.code).toBe(0);
    expect(replaced.stderr()).toContain(`--overwrite: removed run ${before.run}`);
    expect(manifest(out).runId).not.toBe(before.run);
    expect(steps(out)).toEqual(['step-000002']);
    expect(latestStep(out)).toBe(2);
  });

  it('refuses a folder with checkpoints from before run manifests, and one another live process trains into', async () => {
    const legacy = join(tempDir(), 'legacy');
    expect((await train([...tiny('--steps', '2'), '--out', legacy])).code).toBe(0);
    writeFileSync(join(legacy, 'run.json'), 'not json');
    expect((await train([...tiny('--steps', '2'), '--out', legacy])).code).toBe(2);

    const busy = join(tempDir(), 'busy');
    mkdirSync(busy);
    writeFileSync(join(busy, 'run.lock'), `${process.ppid}\n`); // a live process that is not this one
    const locked = await train([...tiny('--steps', '2'), '--out', busy]);
    expect(locked.code).toBe(2);
    expect(locked.stderr()).toContain(`process ${process.ppid} is training into it`);
    // A lock a killed process left is taken over.
    writeFileSync(join(busy, 'run.lock'), '999999999\n');
    expect((await train([...tiny('--steps', '2'), '--out', busy])).code).toBe(0);
  });

  it('--resume restores the intervals and bounds, cleans temporary folders killed writers left, and records the resume', async () => {
    const out = join(tempDir(), 'run');
    expect((await train([...tiny('--steps', '6', '--checkpoint-every', '2', '--keep', '0'), '--out', out])).code).toBe(0);
    // The run finished its --steps: resuming without a larger one says so.
    const done = await train(['--resume', out]);
    expect(done.code).toBe(2);
    expect(done.stderr()).toContain('already reached step 6 of its --steps 6');
    // Pretend it was killed at step 4: the newer checkpoints are damaged, a writer's temporary folder is left.
    truncateSync(join(out, 'latest', 'model.safetensors'), 10);
    truncateSync(join(out, 'step-000006', 'model.safetensors'), 10);
    mkdirSync(join(out, '.step-000006.tmp-123-abc-0'));
    const resumed = await train(['--resume', out, '--json']);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr()).toContain("skipped the damaged checkpoint '" + join(out, 'latest') + "'");
    expect(resumed.stderr()).toContain(`using '${join(out, 'step-000004')}' (step 4)`);
    expect(resumed.stderr()).toContain('.step-000006.tmp-123-abc-0');
    expect(existsSync(join(out, '.step-000006.tmp-123-abc-0'))).toBe(false);
    // --steps 6 and --checkpoint-every 2 came from run.json: two steps, one checkpoint at 6.
    expect(resumed.json()).toMatchObject({ steps: 6, stepsRun: 2, stoppedBy: 'steps' });
    expect(latestStep(out)).toBe(6);
    expect(manifest(out).resumed).toEqual([{ at: expect.any(String), step: 4 }]);
    expect(manifest(out).data.run.checkpointEvery).toBe(2);
  });

  it('--resume refuses another corpus, even one whose characters fit the vocabulary', async () => {
    const out = join(tempDir(), 'run');
    expect((await train([...tiny('--steps', '2'), '--out', out])).code).toBe(0);
    const r = await train(['--resume', out, '--corpus', other, '--steps', '3']);
    expect(r.code).toBe(2);
    expect(r.stderr()).toMatch(/the corpus '.*other\.txt' .* is not the one the run trained on/);
    expect(latestStep(out)).toBe(2);
    expect((await train(['--resume', out, '--corpus', corpus, '--steps', '3'])).code).toBe(0);
  });

  it('a resume into another folder starts a run of its own there, continuing the checkpoint', async () => {
    const a = join(tempDir(), 'a');
    const b = join(tempDir(), 'b');
    expect((await train([...tiny('--steps', '2'), '--out', a])).code).toBe(0);
    expect((await train(['--resume', a, '--out', b, '--steps', '3'])).code).toBe(0);
    expect(manifest(b).runId).not.toBe(manifest(a).runId);
    expect(manifest(b).data.continuedFrom).toMatchObject({ dir: join(a, 'latest'), step: 2, runId: manifest(a).runId });
    expect(latestStep(a)).toBe(2);
    expect(latestStep(b)).toBe(3);
  });
});

describe('textgen sample and eval read the newest intact checkpoint', () => {
  it('falls back from a damaged latest to the newest intact step checkpoint, saying so', async () => {
    const out = join(tempDir(), 'run');
    expect((await train([...tiny('--steps', '4', '--checkpoint-every', '2'), '--out', out])).code).toBe(0);
    writeFileSync(join(out, 'latest', 'vocab.json'), '{');
    truncateSync(join(out, 'step-000004', 'model.safetensors'), 100);
    const s = await cli(['sample', '--checkpoint', out, '--length', '10', '--json']);
    expect(s.code).toBe(0);
    expect(s.json()).toMatchObject({ step: 2 });
    expect(s.stderr()).toContain(`using '${join(out, 'step-000002')}' (step 2)`);
    const e = await cli(['eval', '--checkpoint', out, '--corpus', corpus, '--json']);
    expect(e.code).toBe(0);
    expect(e.stderr()).toContain('skipped the damaged checkpoint');
    // Nothing intact: the error of latest, exit 1.
    truncateSync(join(out, 'step-000002', 'model.safetensors'), 100);
    const none = await cli(['sample', '--checkpoint', out, '--length', '10']);
    expect(none.code).toBe(1);
    expect(none.stderr()).toContain('vocab.json');
  });
});

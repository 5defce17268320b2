/**
 * train_ddp.py's exact resume: a run stopped after its checkpoint and started again with --resume ends with the weights of
 * a run that was never stopped, and the arguments that cannot resume exactly (or would replace a run) are refused.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Generator } from '@tensorloom/core-tensor';
import { CharTokenizer, TextGenerationModel, loadCheckpoint, saveCheckpoint } from '@tensorloom/textgen';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPytorch } from '../src/index.js';
import { writeExportFolder } from '../src/node/index.js';
import { PYTHON, maxAbsDifference, readTensors, runCommand, tempFolder, torchUnavailable } from './fixtures/python.js';

const skipReason = torchUnavailable();
if (skipReason !== undefined) console.warn(skipReason);

const TORCHRUN = '/usr/bin/torchrun';
const ENV = { OMP_NUM_THREADS: '1', GLOO_SOCKET_IFNAME: 'lo' };
const EXPORT_STEP = 7;

const CORPUS = [
  'The sea was calm and the ship sailed on through the night.',
  'A whale rose beside the boat, and the sailors cried out in wonder.',
  'Call me Ishmael, said the stranger, and he sat down by the fire.',
]
  .join('\n')
  .repeat(8);

/** A port nobody listens on now (a fixed one could clash with other runs on the machine). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const folder = tempFolder('ddp-resume');
afterAll(() => folder.cleanup());
const corpus = join(folder.dir, 'corpus.txt');
const exportDir = join(folder.dir, 'export');
/** Dropout 0.1, so the resumed run must also go on with each process's dropout generator. */
const modelOptions = { embeddingDim: 12, hiddenSize: 24, numLayers: 1, dropout: 0.1 };

async function writeExport(dir: string, text: string, hiddenSize: number): Promise<TextGenerationModel> {
  const tokenizer = CharTokenizer.fromText(text);
  const model = new TextGenerationModel({ ...modelOptions, hiddenSize, vocabSize: tokenizer.vocabSize, generator: new Generator(5) });
  await writeExportFolder(dir, exportPytorch(model, { tokenizer, metadata: { step: EXPORT_STEP } }));
  return model;
}

const TRAINING = ['--batch', '8', '--seq', '20', '--lr', '0.01', '--checkpoint-every', '5', '--seed', '11', '--corpus', corpus];

/** train_ddp.py of the export under torchrun with 2 gloo processes (--redirects 1 --tee 1: Debian's torch 1.13 on Python 3.11). */
async function torchrun(name: string, args: string[]): Promise<string> {
  const port = await freePort();
  const launch = ['--redirects', '1', '--tee', '1', '--log_dir', join(folder.dir, `logs-${name}`), '--nproc_per_node', '2'];
  const rendezvous = ['--master_addr', '127.0.0.1', '--master_port', String(port)];
  const script = [join(exportDir, 'train_ddp.py'), ...TRAINING, ...args];
  const run = await runCommand(TORCHRUN, [...launch, ...rendezvous, ...script], { cwd: folder.dir, env: ENV, timeoutMs: 60_000 });
  if (run.code !== 0) throw new Error(`torchrun (${name}) exited with ${run.code}:\n${run.stderr}\n${run.stdout}`);
  return run.stdout;
}

/** train_ddp.py as one process (world size 1), without torchrun: the refusals come before any training. */
async function single(
  args: string[],
  script = join(exportDir, 'train_ddp.py'),
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const port = await freePort();
  const env = { ...ENV, RANK: '0', LOCAL_RANK: '0', WORLD_SIZE: '1', MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port) };
  return runCommand(PYTHON, [script, ...TRAINING, ...args], { cwd: folder.dir, env, timeoutMs: 60_000 });
}

/** The loss each logged step printed: { step: loss text }. */
function losses(stdout: string): Map<number, string> {
  return new Map([...stdout.matchAll(/^(?:\[\w+\]:)?step (\d+)\/\d+ loss ([\d.]+)/gm)].map((m) => [Number(m[1]), m[2]!]));
}

const resumed = join(folder.dir, 'resumed', 'latest');
const straight = join(folder.dir, 'straight', 'latest');
let stdout: { first: string; second: string; straight: string };

describe.skipIf(skipReason !== undefined)('train_ddp.py --resume', () => {
  beforeAll(async () => {
    writeFileSync(corpus, CORPUS);
    await writeExport(exportDir, CORPUS, modelOptions.hiddenSize);
    // the first launch and the restart are one command line: --resume alone starts from the export while --out is empty
    const interrupted = async () => {
      const first = await torchrun('first', ['--steps', '10', '--out', resumed, '--resume']);
      copyFileSync(join(resumed, 'model.safetensors'), join(folder.dir, 'first-weights.safetensors'));
      const second = await torchrun('second', ['--steps', '20', '--out', resumed, '--resume']);
      return { first, second };
    };
    const [runs, uninterrupted] = await Promise.all([interrupted(), torchrun('straight', ['--steps', '20', '--out', straight])]);
    stdout = { ...runs, straight: uninterrupted };
  }, 120_000);

  it('a run stopped at step 10 and resumed to step 20 ends with the weights of a run never stopped (to 1e-6)', async () => {
    expect(stdout.first).toMatch(/note: --out holds no checkpoint yet: starting from the export/);
    expect(stdout.second).toMatch(new RegExp(`resuming \\S+ at step 10 of the run \\(step ${EXPORT_STEP + 10} in all\\)`));
    // the resumed run takes steps 11 to 20 (not 20 more), with the losses of the run never stopped
    const second = losses(stdout.second);
    expect([...second.keys()]).toEqual(Array.from({ length: 10 }, (_, i) => i + 11));
    const uninterrupted = losses(stdout.straight);
    for (const [step, loss] of second) expect(loss, `loss at step ${step}`).toBe(uninterrupted.get(step));

    const a = readTensors(join(resumed, 'model.safetensors'));
    const b = readTensors(join(straight, 'model.safetensors'));
    const atTen = readTensors(join(folder.dir, 'first-weights.safetensors'));
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    for (const name of Object.keys(a)) {
      expect(maxAbsDifference(a[name]!, b[name]!), name).toBeLessThanOrEqual(1e-6);
      // the comparison means something: the last 10 steps moved every tensor
      expect(maxAbsDifference(a[name]!, atTen[name]!), name).toBeGreaterThan(1e-4);
    }
  });

  it("records the step from the export's own (metadata.step) and keeps ddp_state.pt, which loadCheckpoint leaves alone", async () => {
    expect(existsSync(join(resumed, 'ddp_state.pt'))).toBe(true);
    const checkpoint = await loadCheckpoint(resumed);
    expect(checkpoint.step).toBe(EXPORT_STEP + 20);
    expect(checkpoint.config.hasTrainerState).toBe(false);
    expect(checkpoint.metadata).toMatchObject({ exportStep: EXPORT_STEP, runStep: 20, worldSize: 2, trainedWith: 'train_ddp.py' });
    expect(checkpoint.metadata.resumedFrom).toBe(resumed);
    expect((await loadCheckpoint(straight)).step).toBe(EXPORT_STEP + 20);
  });

  it('refuses to replace a checkpoint at --out without --resume or --overwrite, and replaces it with --overwrite', async () => {
    const before = readFileSync(join(resumed, 'config.json'), 'utf8');
    const refused = await single(['--steps', '2', '--out', resumed]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/--out \S+ already holds a checkpoint \(step 27\): pass --resume .* or --overwrite/);
    expect(readFileSync(join(resumed, 'config.json'), 'utf8')).toBe(before);

    const overwritten = await single(['--steps', '2', '--out', straight, '--overwrite']);
    if (overwritten.code !== 0) throw new Error(`--overwrite failed:\n${overwritten.stderr}`);
    const checkpoint = await loadCheckpoint(straight);
    expect(checkpoint.step).toBe(EXPORT_STEP + 2);
    expect(checkpoint.metadata.worldSize).toBe(1);
  }, 60_000);

  it('a restart of a finished run does nothing, and a --steps below the checkpoint is refused', async () => {
    const before = readFileSync(join(resumed, 'config.json'), 'utf8');
    const done = await single(['--steps', '20', '--out', resumed, '--resume']);
    if (done.code !== 0) throw new Error(`the restart failed:\n${done.stderr}`);
    expect(done.stdout).toMatch(/is at step 20 of the run already \(--steps 20\): nothing to do/);
    const past = await single(['--steps', '15', '--out', resumed, '--resume']);
    expect(past.code).not.toBe(0);
    expect(past.stderr).toMatch(/--resume \S+ is at step 20 of the run, past --steps 15/);
    expect(readFileSync(join(resumed, 'config.json'), 'utf8')).toBe(before);
  }, 60_000);

  it('refuses a state of another world size, naming both', async () => {
    const run = await single(['--steps', '30', '--out', resumed, '--resume']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/--resume \S+ holds the state of 2 processes but this run has 1 \(world size 1\)/);
  }, 60_000);

  it("refuses a checkpoint whose vocabulary and model config differ from the export's, naming both and each difference", async () => {
    const other = join(folder.dir, 'other-export');
    const otherCorpus = join(folder.dir, 'other-corpus.txt');
    writeFileSync(otherCorpus, CORPUS.replaceAll('w', 'q')); // as many characters, one of them other
    await writeExport(other, CORPUS.replaceAll('w', 'q'), 32); // and a wider LSTM
    const args = ['--steps', '30', '--out', join(folder.dir, 'elsewhere'), '--resume', resumed, '--corpus', otherCorpus];
    const run = await single(args, join(other, 'train_ddp.py'));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`--resume ${resumed} does not fit the export ${other}`);
    expect(run.stderr).toMatch(
      /vocab\.json differs: 1 character\(s\) only in the checkpoint's \('w'\), 1 character\(s\) only in the export's \('q'\)/,
    );
    expect(run.stderr).toMatch(/the model config differs: hiddenSize 24 vs 32/);
    expect(existsSync(join(folder.dir, 'elsewhere'))).toBe(false);
  }, 60_000);

  it('refuses a checkpoint without ddp_state.pt (one tensorloom wrote) and a --resume folder that holds none', async () => {
    const tokenizer = CharTokenizer.fromText(CORPUS);
    const model = new TextGenerationModel({ ...modelOptions, vocabSize: tokenizer.vocabSize, generator: new Generator(5) });
    const plain = join(folder.dir, 'tensorloom-checkpoint');
    await saveCheckpoint(plain, { model, tokenizer, step: 3 });
    const noState = await single(['--steps', '30', '--out', join(folder.dir, 'elsewhere'), '--resume', plain]);
    expect(noState.code).not.toBe(0);
    expect(noState.stderr).toMatch(/--resume \S+: it has no ddp_state\.pt .* cannot go on exactly/);

    const missing = await single(['--steps', '30', '--out', join(folder.dir, 'elsewhere'), '--resume', join(folder.dir, 'nowhere')]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/--resume \S+nowhere: there is no checkpoint there/);
  }, 60_000);
});

/**
 * train_ddp.py under torchrun: two CPU processes (gloo) continue training an exported text model,
 * the loss falls, and the checkpoint it writes is a tensorloom textgen checkpoint that samples.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Generator } from '@tensorloom/core-tensor';
import { CharTokenizer, TextGenerationModel, generate, loadCheckpoint } from '@tensorloom/textgen';
import { afterAll, describe, expect, it } from 'vitest';
import { exportPytorch } from '../src/index.js';
import { writeExportFolder } from '../src/node/index.js';
import { PYTHON, runCommand, tempFolder, torchUnavailable } from './fixtures/python.js';

const skipReason = torchUnavailable();
if (skipReason !== undefined) console.warn(skipReason);

const TORCHRUN = '/usr/bin/torchrun';

const CORPUS = [
  'The sea was calm and the ship sailed on through the night.',
  'A whale rose beside the boat, and the sailors cried out in wonder.',
  'Call me Ishmael, said the stranger, and he sat down by the fire.',
  'The captain walked the deck and watched the dark water all night long.',
]
  .join('\n')
  .repeat(12);

/** A port nobody listens on now (torchrun's rendezvous; a fixed one could clash with other runs on the machine). */
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

const ENV = { OMP_NUM_THREADS: '1', GLOO_SOCKET_IFNAME: 'lo' };

const folder = tempFolder('ddp');
afterAll(() => folder.cleanup());

async function exportTextModel(name: string): Promise<{ exportDir: string; tokenizer: CharTokenizer }> {
  const tokenizer = CharTokenizer.fromText(CORPUS);
  const model = new TextGenerationModel({
    vocabSize: tokenizer.vocabSize,
    embeddingDim: 16,
    hiddenSize: 32,
    numLayers: 1,
    generator: new Generator(7),
  });
  const exportDir = join(folder.dir, name);
  await writeExportFolder(exportDir, exportPytorch(model, { tokenizer, metadata: { test: 'ddp' } }));
  return { exportDir, tokenizer };
}

describe.skipIf(skipReason !== undefined)('train_ddp.py', () => {
  it('trains on two gloo processes under torchrun: the loss falls, both ranks run, loadCheckpoint samples from it', async () => {
    const { exportDir } = await exportTextModel('export');
    const corpus = join(folder.dir, 'corpus.txt');
    writeFileSync(corpus, CORPUS);
    const out = join(folder.dir, 'run', 'latest');
    const port = await freePort();
    // Debian's torch 1.13 under Python 3.11 cannot parse torchrun's default --redirects 0 (IntFlag iteration skips 0): send each
    // rank's stdout to a log file and tee it back (also valid on other versions).
    const logs = ['--redirects', '1', '--tee', '1', '--log_dir', join(folder.dir, 'logs')];
    const args = [
      ...logs,
      '--nproc_per_node',
      '2',
      '--master_addr',
      '127.0.0.1',
      '--master_port',
      String(port),
      join(exportDir, 'train_ddp.py'),
    ];
    args.push(
      '--corpus',
      corpus,
      '--steps',
      '50',
      '--out',
      out,
      '--batch',
      '16',
      '--seq',
      '30',
      '--lr',
      '0.01',
      '--checkpoint-every',
      '25',
      '--seed',
      '3',
    );
    const run = await runCommand(TORCHRUN, args, { cwd: folder.dir, env: ENV, timeoutMs: 90_000 });
    if (run.code !== 0) throw new Error(`torchrun exited with ${run.code}:\n${run.stderr}\n${run.stdout}`);
    console.log(run.stdout);

    // torchrun's tee prefixes each line with the rank's name ('[default0]:')
    expect(run.stdout).toMatch(/^(\[\w+\]:)?rank 0 of world size 2: backend gloo/m);
    expect(run.stdout).toMatch(/^(\[\w+\]:)?rank 1 of world size 2: backend gloo/m);
    const losses = [...run.stdout.matchAll(/^(?:\[\w+\]:)?step (\d+)\/50 loss ([\d.]+)/gm)].map((m) => ({
      step: Number(m[1]),
      loss: Number(m[2]),
    }));
    expect(losses.map((l) => l.step)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const mean = (values: { loss: number }[]) => values.reduce((sum, v) => sum + v.loss, 0) / values.length;
    expect(mean(losses.slice(-10))).toBeLessThan(mean(losses.slice(0, 10)));
    expect(run.stdout).toMatch(/checkpoint: step 25 written/);

    const checkpoint = await loadCheckpoint(out);
    expect(checkpoint.step).toBe(50);
    expect(checkpoint.config.seqLength).toBe(30);
    expect(checkpoint.config.hasTrainerState).toBe(false);
    // an export without metadata.step is the run's step 0; ddp_state.pt (for --resume) does not upset loadCheckpoint
    expect(checkpoint.metadata).toMatchObject({ test: 'ddp', trainedWith: 'train_ddp.py', worldSize: 2, backend: 'gloo', exportStep: 0 });
    expect(existsSync(join(out, 'ddp_state.pt'))).toBe(true);
    expect(checkpoint.config.model.hiddenSize).toBe(32);
    const sample = generate(checkpoint.model.eval(), checkpoint.tokenizer, { prompt: 'The ', length: 40, generator: new Generator(1) });
    expect(sample.text.startsWith('The ')).toBe(true);
    expect([...sample.text].length).toBe(44);
    // the checkpoint holds the weights train_ddp.py trained, not the exported ones
    const exported = readFileSync(join(exportDir, 'model.safetensors'));
    expect(Buffer.compare(exported, readFileSync(join(out, 'model.safetensors')))).not.toBe(0);
  }, 120_000);

  it('names the characters of the corpus that are not in vocab.json', async () => {
    const { exportDir } = await exportTextModel('export-unknown');
    const corpus = join(folder.dir, 'unknown.txt');
    writeFileSync(corpus, `${CORPUS}§§ and ✓`);
    const port = await freePort();
    const env = { ...ENV, RANK: '0', LOCAL_RANK: '0', WORLD_SIZE: '1', MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port) };
    const args = [join(exportDir, 'train_ddp.py'), '--corpus', corpus, '--steps', '1', '--out', join(folder.dir, 'never')];
    const run = await runCommand(PYTHON, args, { cwd: folder.dir, env, timeoutMs: 60_000 });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/2 character\(s\) that are not in vocab\.json: '§' \(2x\), '✓' \(1x\)/);
  }, 60_000);
});

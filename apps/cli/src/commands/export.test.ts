import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, serializeSafetensors } from '@tensorloom/core-tensor';
import { CharTokenizer, TextGenerationModel, loadCheckpoint, saveCheckpoint } from '@tensorloom/textgen';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import { capture, tempDirs } from '../test-support.js';
import { exportCommands } from './export.js';
import { gnnTrainCommand } from './gnn-train.js';
import { textgenSampleCommand } from './textgen-sample.js';

const tempDir = tempDirs('cli-export-');
const commands = [...exportCommands, textgenSampleCommand, gnnTrainCommand];

async function run(args: string[]) {
  const c = capture();
  const code = await runCli(args, commands, c.io);
  return { code, stdout: c.stdout(), stderr: c.stderr(), json: () => c.json() };
}

const TEXT = 'the quick brown fox jumps over a lazy dog. THE END\n';
let root: string;
let checkpoint: string;
beforeAll(async () => {
  root = tempDir();
  const tokenizer = CharTokenizer.fromText(TEXT);
  const model = new TextGenerationModel({
    vocabSize: tokenizer.vocabSize,
    embeddingDim: 8,
    hiddenSize: 16,
    numLayers: 2,
    generator: new Generator(3),
  });
  checkpoint = join(root, 'run', 'latest');
  await saveCheckpoint(checkpoint, { model, tokenizer, step: 7 });
});

/** torch (Debian's python3-torch) where it is installed; otherwise the reason the torch tests skip. */
const torch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
const noTorch =
  torch.status === 0
    ? undefined
    : `/usr/bin/python3 cannot import torch (${(torch.stderr || String(torch.error)).trim().split('\n').at(-1)})`;
if (noTorch !== undefined) console.warn(`skipping the torchrun test: ${noTorch}`);

describe('tensorloom export pytorch|onnx and import pytorch', () => {
  it('exports a checkpoint to ONNX and lists the files it wrote', async () => {
    const out = join(root, 'onnx');
    const r = await run(['export', 'onnx', '--checkpoint', join(root, 'run'), '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = r.json();
    expect(result).toMatchObject({ format: 'onnx', opset: 18, kind: 'textgen', step: 7 });
    const names = result.files.map((f: { name: string }) => f.name);
    expect(names).toContain('model.onnx');
    expect(readdirSync(out).sort()).toEqual([...names].sort());
    for (const file of result.files) expect(readFileSync(join(out, file.name)).byteLength).toBe(file.bytes);
  });

  it('refuses a non-empty --out (exit 2, nothing touched) unless --overwrite, and an opset below 18', async () => {
    const out = join(root, 'taken');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const refused = await run(['export', 'onnx', '--checkpoint', checkpoint, '--out', out]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/not empty \(notes\.txt\).*--overwrite/);
    expect(readdirSync(out)).toEqual(['notes.txt']);
    const replaced = await run(['export', 'onnx', '--checkpoint', checkpoint, '--out', out, '--overwrite']);
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(readdirSync(out)).toContain('model.onnx');
    expect(readdirSync(out)).not.toContain('notes.txt');
    const old = await run(['export', 'onnx', '--checkpoint', checkpoint, '--out', join(root, 'o17'), '--opset', '17']);
    expect(old.code).toBe(2);
    expect(old.stderr).toMatch(/--opset/);
    const missing = await run(['export', 'pytorch', '--checkpoint', join(root, 'nowhere'), '--out', join(root, 'x')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no checkpoint at/);
  });

  it('exports to PyTorch and imports the weights back into a checkpoint that samples the same text', async () => {
    const out = join(root, 'pytorch');
    const r = await run(['export', 'pytorch', '--checkpoint', checkpoint, '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const names = r.json().files.map((f: { name: string }) => f.name);
    expect(names).toEqual(expect.arrayContaining(['model.py', 'model.safetensors', 'config.json', 'vocab.json', 'train_ddp.py']));
    const back = join(root, 'imported');
    const imported = await run(['import', 'pytorch', '--weights', join(out, 'model.safetensors'), '--out', back, '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    const sample = async (dir: string) => {
      const s = await run([
        'textgen',
        'sample',
        '--checkpoint',
        dir,
        '--prompt',
        'the ',
        '--length',
        '40',
        '--strategy',
        'greedy',
        '--json',
      ]);
      expect(s.code, s.stderr).toBe(0);
      return s.json().samples[0].text as string;
    };
    expect(await sample(back)).toBe(await sample(checkpoint));
  });

  it('refuses weights that do not fit the config, listing every problem, and writes nothing', async () => {
    const tokenizer = CharTokenizer.fromText(TEXT);
    const other = new TextGenerationModel({ vocabSize: tokenizer.vocabSize, embeddingDim: 8, hiddenSize: 12, numLayers: 1 });
    const state = other.stateDict();
    state['extra.weight'] = state['linear.bias']!;
    const weights = join(root, 'other.safetensors');
    writeFileSync(weights, serializeSafetensors(state));
    const out = join(root, 'refused');
    const r = await run(['import', 'pytorch', '--weights', weights, '--config', join(root, 'pytorch', 'config.json'), '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/missing keys: .*lstm\.weight_ih_l1/);
    expect(r.stderr).toMatch(/unexpected keys: .*extra\.weight/);
    expect(r.stderr).toMatch(/size mismatch for 'lstm\.weight_hh_l0'/);
    expect(existsSync(out)).toBe(false);
  });

  it('gnn train --export writes the best seed as a PyTorch and an ONNX export, checked before training', async () => {
    const dir = join(tempDir(), 'gcn');
    const r = await run(['gnn', 'train', '--dataset', 'karate', '--seeds', '0,1', '--epochs', '20', '--export', dir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = r.json();
    expect([0, 1]).toContain(result.exported.seed);
    expect(readdirSync(dir).sort()).toEqual(['onnx', 'pytorch']);
    expect(readdirSync(join(dir, 'pytorch'))).toEqual(expect.arrayContaining(['model.py', 'model.safetensors', 'config.json']));
    expect(readdirSync(join(dir, 'onnx'))).toContain('model.onnx');
    const config = JSON.parse(readFileSync(join(dir, 'pytorch', 'config.json'), 'utf8'));
    expect(JSON.stringify(config)).toContain('"seed":' + String(result.exported.seed));
    const onnxOnly = join(tempDir(), 'onnx-only');
    const r2 = await run([
      'gnn',
      'train',
      '--dataset',
      'karate',
      '--seeds',
      '0',
      '--epochs',
      '5',
      '--export',
      onnxOnly,
      '--export-format',
      'onnx',
    ]);
    expect(r2.code, r2.stderr).toBe(0);
    expect(readdirSync(onnxOnly)).toContain('model.onnx');
    const stray = await run(['gnn', 'train', '--dataset', 'karate', '--export-format', 'onnx']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/--export-format applies with --export DIR only/);
    // PyG's GATConv has no attention-score biases: refused before any training.
    const pyg = await run([
      'gnn',
      'train',
      '--dataset',
      'karate',
      '--model',
      'gat',
      '--attention-bias',
      'on',
      '--export',
      join(tempDir(), 'g'),
      '--export-pyg',
    ]);
    expect(pyg.code).toBe(2);
    expect(pyg.stderr).toMatch(/--export/);
    expect(pyg.stderr).not.toMatch(/seed 0:/);
  });

  it.skipIf(noTorch !== undefined)(
    'trains the export with torchrun on two processes; textgen sample reads its checkpoint',
    async () => {
      const out = join(root, 'pytorch');
      const corpus = join(root, 'corpus.txt');
      writeFileSync(corpus, TEXT.repeat(40));
      const runDir = join(root, 'ddp');
      const torchrun = spawnSync(
        '/usr/bin/torchrun',
        // Debian 12's torch 1.13 crashes on torchrun's default --redirects 0 under Python 3.11: any other value works.
        [
          '--redirects',
          '1',
          '--tee',
          '1',
          '--nproc_per_node',
          '2',
          join(out, 'train_ddp.py'),
          '--corpus',
          corpus,
          '--steps',
          '20',
          '--out',
          join(runDir, 'latest'),
          '--batch',
          '8',
          '--seq',
          '16',
        ],
        { encoding: 'utf8', timeout: 240_000, env: { ...process.env, OMP_NUM_THREADS: '1' } },
      );
      expect(torchrun.status, `${torchrun.stdout}\n${torchrun.stderr}`).toBe(0);
      console.log(torchrun.stdout.trim().split('\n').slice(-6).join('\n'));
      const s = await run(['textgen', 'sample', '--checkpoint', runDir, '--prompt', 'the ', '--length', '30', '--json']);
      expect(s.code, s.stderr).toBe(0);
      expect([...s.json().samples[0].completion]).toHaveLength(30);
      // The step goes on from the exported checkpoint's (7).
      expect((await loadCheckpoint(join(runDir, 'latest'))).step).toBe(27);
    },
    300_000,
  );
});

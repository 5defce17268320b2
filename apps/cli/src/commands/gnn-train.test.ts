import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { karateClub, writeGexf } from '@tensorloom/graph';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import { gnnTrainCommand, meanCurve } from './gnn-train.js';
import { capture, tempDirs } from '../test-support.js';

const tempDir = tempDirs('gnn-train-');

async function run(args: string[]) {
  const c = capture();
  const code = await runCli(['gnn', 'train', ...args], [gnnTrainCommand], c.io);
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

async function runJson(args: string[]) {
  const r = await run([...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  const lines = r.stdout.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!);
}

/** The karate club as a GEXF file with its club names as labels. */
function karateGexf(dir: string, decorate?: (graph: ReturnType<typeof karateClub>['graph']) => void): string {
  const { graph } = karateClub();
  decorate?.(graph);
  const file = join(dir, 'karate.gexf');
  writeFileSync(file, writeGexf(graph));
  return file;
}

describe('tensorloom gnn train', () => {
  it('trains GCN on the embedded karate club over two seeds and reports mean ± std as JSON', async () => {
    const result = await runJson(['--dataset', 'karate', '--model', 'gcn', '--seeds', '0,1', '--epochs', '60']);
    expect(result).toMatchObject({
      dataset: 'karate',
      model: 'gcn',
      seeds: [0, 1],
      epochs: 60,
      data: { nodes: 34, classes: 2, train: 2, val: 0, test: 32 },
    });
    expect(result.testAccuracy.perSeed).toHaveLength(2);
    const [a, b] = result.testAccuracy.perSeed as number[];
    expect(result.testAccuracy.mean).toBeCloseTo((a! + b!) / 2, 12);
    expect(result.testAccuracy.std).toBeCloseTo(Math.abs(a! - b!) / Math.sqrt(2), 12); // sample std of two values
    expect(result.testAccuracy.mean).toBeGreaterThan(0.8);
    expect(result.valAccuracy).toEqual({ mean: null, std: null, perSeed: [null, null] }); // karate has no validation nodes
    expect(result.msPerEpoch).toBeGreaterThan(0);
    expect(result.runs.map((r: { epochs: number }) => r.epochs)).toEqual([60, 60]);
    expect(result.architecture).toMatchObject({ conv: 'gcn', hiddenChannels: 16, dropout: 0.5 });
    expect(result.training).toMatchObject({ lr: 0.01, weightDecay: 5e-4, weightDecayOn: 'first layer', patience: null });
  });

  it('is reproducible by seed and takes the overrides of the recipe', async () => {
    const args = [
      '--model',
      'gat',
      '--seeds',
      '3..3',
      '--epochs',
      '20',
      '--hidden',
      '4',
      '--heads',
      '2',
      '--dropout',
      '0.1',
      '--attention-dropout',
      '0',
      '--lr',
      '0.02',
      '--weight-decay',
      '0',
      '--patience',
      '0',
    ];
    const first = await runJson(args);
    const second = await runJson(args);
    expect(second.testAccuracy.perSeed).toEqual(first.testAccuracy.perSeed);
    expect(second.runs[0].testLoss).toBe(first.runs[0].testLoss);
    expect(first.seeds).toEqual([3]);
    expect(first.architecture).toMatchObject({ conv: 'gat', hiddenChannels: 4, heads: 2, dropout: 0.1, attentionDropout: 0 });
    expect(first.training).toMatchObject({ epochs: 20, lr: 0.02, weightDecay: 0, weightDecayOn: 'all', patience: null });
  });

  it('takes the selection criterion and the GAT dropout placement', async () => {
    const args = ['--model', 'gat', '--seeds', '0', '--epochs', '15', '--hidden', '4', '--heads', '2'];
    const perHead = await runJson([...args, '--criterion', 'latest-accuracy']);
    expect(perHead.architecture).toMatchObject({ conv: 'gat', dropoutPlacement: 'per-head', attentionBias: true }); // the recipe's
    expect(perHead.training).toMatchObject({ criterion: 'latest-accuracy' });
    const layerInput = await runJson([...args, '--dropout-placement', 'layer-input']);
    expect(layerInput.architecture.dropoutPlacement).toBe('layer-input');
    expect(layerInput.training).toMatchObject({ criterion: 'accuracy-and-loss' });
    // The same seed with other dropout masks trains to other weights.
    expect(perHead.runs[0].testLoss).not.toBe(layerInput.runs[0].testLoss);
    const noBias = await runJson([...args, '--criterion', 'latest-accuracy', '--attention-bias', 'off']);
    expect(noBias.architecture.attentionBias).toBe(false);
    expect(noBias.runs[0].testLoss).not.toBe(perHead.runs[0].testLoss);
  });

  it('prints per-seed figures and the summary, progress on stderr, and writes the plot and CSV', async () => {
    const dir = tempDir();
    const plot = join(dir, 'curves.svg');
    const csv = join(dir, 'curves.csv');
    const r = await run(['--num-seeds', '2', '--epochs', '30', '--plot', plot, '--csv', csv]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^seed 0: test \d+\.\d\d%/m);
    expect(r.stdout).toMatch(/^seed 1: test \d+\.\d\d%/m);
    expect(r.stdout).toMatch(/^test accuracy: \d+\.\d\d% ± \d+\.\d\d% \(mean ± sample std over 2 seeds\)$/m);
    expect(r.stdout).toMatch(/^epoch time: \d+\.\d ms/m);
    expect(r.stderr).toContain('karate: 34 nodes');
    // The one-hot features (34 of 34 × 34 non-zero) go to the model as a SparseCSR.
    expect(r.stderr).toContain('34 features (row-normalised), sparse (2.94% non-zero)');
    expect(r.stderr).toMatch(/seed 0 30\/30 .*loss \d\.\d{4}/);
    expect(r.stderr).toContain('ETA');
    const svg = readFileSync(plot, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('train loss');
    const lines = readFileSync(csv, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('seed,epoch,loss,train_accuracy,val_accuracy,val_loss,ms');
    expect(lines).toHaveLength(1 + 2 * 30);
    expect(lines[31]!.startsWith('1,1,')).toBe(true);
    expect(lines[1]!.split(',')[4]).toBe(''); // no validation figure on karate
  });

  it('logs at least every 100 epochs, and the per-seed lines on stderr under --json', async () => {
    const r = await run(['--seeds', '0', '--epochs', '2000', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^seed 0 100\/2000 /m); // a tenth of 2000 would be 200
    expect(r.stderr).toMatch(/^seed 0: test \d+\.\d\d%/m);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
  });

  it('trains on a labelled GEXF file with a random stratified split', async () => {
    const file = karateGexf(tempDir());
    const result = await runJson([
      '--dataset',
      file,
      '--label-attribute',
      'club',
      '--train-per-class',
      '3',
      '--val-size',
      '8',
      '--seeds',
      '0',
      '--epochs',
      '40',
    ]);
    expect(result.data).toMatchObject({ nodes: 34, classes: 2, train: 6, val: 8, test: 20 });
    expect(result.valAccuracy.perSeed[0]).toBeGreaterThanOrEqual(0);
    expect(result.testAccuracy.mean).toBeGreaterThan(0.6);
  });

  it("follows a file's own split attribute", async () => {
    const file = karateGexf(tempDir(), (graph) => {
      graph.forEachNode((node) =>
        graph.setNodeAttribute(node, 'part', ['0', '33'].includes(node) ? 'train' : Number(node) < 10 ? 'val' : 'test'),
      );
    });
    const result = await runJson([
      '--dataset',
      file,
      '--label-attribute',
      'club',
      '--split-attribute',
      'part',
      '--seeds',
      '0',
      '--epochs',
      '20',
    ]);
    expect(result.data).toMatchObject({ train: 2, val: 9, test: 23 }); // val: members 1–9
  });

  it('trains on a Planetoid-style folder given as a path', async () => {
    const dir = join(tempDir(), 'two-triangles');
    mkdirSync(dir);
    writeFileSync(join(dir, 'edges.csv'), 'source,target\n0,1\n1,2\n0,2\n3,4\n4,5\n3,5\n2,3\n');
    writeFileSync(join(dir, 'labels.csv'), 'node,label\n0,0\n1,0\n2,0\n3,1\n4,1\n5,1\n');
    writeFileSync(join(dir, 'features.csv'), 'node,feature\n0,0\n1,0\n2,0\n3,1\n4,1\n5,1\n');
    writeFileSync(join(dir, 'split.json'), JSON.stringify({ train: [0, 5], val: [1, 4], test: [2, 3] }));
    const result = await runJson(['--dataset', dir, '--seeds', '0', '--epochs', '50']);
    expect(result).toMatchObject({
      dataset: 'two-triangles',
      data: { nodes: 6, edgeIndexColumns: 14, features: 2, classes: 2, train: 2, val: 2, test: 2 },
    });
    expect(result.testAccuracy.mean).toBe(1);
  });

  it('loads the embedded Cora with the paper recipe, and takes --seeds 0 as the one seed 0', async () => {
    const result = await runJson(['--dataset', 'cora', '--seeds', '0', '--epochs', '3']);
    expect(result).toMatchObject({
      dataset: 'cora',
      epochs: 3,
      data: { nodes: 2708, features: 1433, classes: 7, train: 140, val: 500, test: 1000 },
    });
    expect(result.runs[0].epochs).toBe(3);
    expect(result.seeds).toEqual([0]);
  });

  it('gives PubMed random features with a note, unless --features chooses', async () => {
    const noted = await run(['--dataset', 'pubmed', '--seeds', '0', '--epochs', '1', '--json']);
    expect(noted.code, noted.stderr).toBe(0);
    expect(noted.stderr).toMatch(/pubmed ships without its node features; using random/);
    expect(JSON.parse(noted.stdout).data).toMatchObject({ nodes: 19717, features: 64, classes: 3, train: 60 });
    const chosen = await run(['--dataset', 'pubmed', '--features', 'random', '--seeds', '0', '--epochs', '1', '--json']);
    expect(chosen.stderr).not.toMatch(/ships without/);
  });

  it('exits 1 naming the path when a dataset is missing', async () => {
    const folder = join(tempDir(), 'absent');
    const r = await run(['--dataset', folder]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(folder);
  });

  it('exits 2 naming the flag on bad usage', async () => {
    const gexf = karateGexf(tempDir());
    const cases: [string[], string][] = [
      [['--model', 'transformer'], '--model'],
      [['--seeds', 'x'], '--seeds'],
      [['--seeds', '1,1'], '--seeds'],
      [['--seeds', '4..2'], '--seeds'],
      [['--num-seeds', '0'], '--num-seeds'],
      [['--seeds', '0', '--num-seeds', '2'], '--num-seeds'],
      [['--heads', '4'], '--heads'],
      [['--model', 'sage', '--attention-dropout', '0.1'], '--attention-dropout'],
      [['--model', 'gatv2', '--dropout-placement', 'per-head'], '--dropout-placement'],
      [['--model', 'gat', '--dropout-placement', 'inside'], '--dropout-placement'],
      [['--model', 'gcn', '--attention-bias', 'on'], '--attention-bias'],
      [['--model', 'gat', '--attention-bias', 'yes'], '--attention-bias'],
      [['--criterion', 'f1'], '--criterion'],
      [['--dropout', '1.5'], '--dropout'],
      [['--epochs', '0'], '--epochs'],
      [['--lr', '0'], '--lr'],
      [['--patience', '-1'], '--patience'],
      [['--features', 'learned'], '--features'],
      [['--dataset', gexf], '--label-attribute'],
      [['--dataset', gexf, '--label-attribute', 'club', '--feature-attribute', 'vector'], '--feature-attribute'],
    ];
    for (const [args, flag] of cases) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(flag);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('documents its options and the recipes in --help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const flag of [
      '--dataset',
      '--model',
      '--seeds',
      '--epochs',
      '--lr',
      '--hidden',
      '--heads',
      '--dropout',
      '--weight-decay',
      '--patience',
      '--plot',
      '--csv',
      '--label-attribute',
      '--feature-attribute',
    ]) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toContain('patience 100');
  });
});

describe('meanCurve', () => {
  it('averages each epoch over the runs that reached it, skipping missing figures', () => {
    const epoch = (e: number, loss: number) => ({ epoch: e, loss, trainAccuracy: 0, valAccuracy: NaN, valLoss: 0, ms: 1 });
    expect(meanCurve([[epoch(1, 1), epoch(2, 3)], [epoch(1, 2)]], (e) => e.loss)).toEqual([
      [1, 1.5],
      [2, 3],
    ]);
    expect(meanCurve([[epoch(1, 1)]], (e) => e.valAccuracy)).toEqual([]);
  });
});

/**
 * exportPytorch without PyTorch: the module-tree walk, the files and config.json it writes, what it
 * refuses, and (with a python3, no torch needed) that every generated file compiles.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, nn, parseSafetensors } from '@tensorloom/core-tensor';
import { GAT, GCN, GNN } from '@tensorloom/gnn';
import { PeepholeLSTM } from '@tensorloom/lstm';
import { CharTokenizer, TextGenerationModel } from '@tensorloom/textgen';
import { afterAll, describe, expect, it } from 'vitest';
import { ExportError, exportPytorch, fileBytes, pytorchModule, type ExportBundle, type PytorchExportConfig } from '../src/index.js';
import { PYTHON, pythonAvailable, tempFolder } from './fixtures/python.js';

const tokenizer = CharTokenizer.fromText('hello, world');
const textModel = () =>
  new TextGenerationModel({
    vocabSize: tokenizer.vocabSize,
    embeddingDim: 4,
    hiddenSize: 6,
    numLayers: 2,
    dropout: 0.1,
    generator: new Generator(0),
  });
const file = (bundle: ExportBundle, name: string) => bundle.files.find((f) => f.name === name);
const textOf = (bundle: ExportBundle, name: string): string => new TextDecoder().decode(fileBytes(file(bundle, name)!));
const configOf = (bundle: ExportBundle): PytorchExportConfig => JSON.parse(textOf(bundle, 'config.json')) as PytorchExportConfig;

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('exportPytorch', () => {
  it("writes a text model's files, its config (the model config at the root) and its weights under the state dict's names", () => {
    const model = textModel();
    const bundle = exportPytorch(model, { tokenizer, metadata: { corpus: 'greeting' } });
    expect(bundle.kind).toBe('textgen');
    expect(bundle.files.map((f) => f.name)).toEqual([
      'model.py',
      'config.json',
      'model.safetensors',
      'vocab.json',
      'train_ddp.py',
      'README.md',
    ]);
    const config = configOf(bundle);
    expect(config).toMatchObject({
      format: 'tensorloom.pytorch-export',
      version: 1,
      kind: 'textgen',
      dtype: 'float32',
      pyg: false,
      metadata: { corpus: 'greeting' },
    });
    expect(config.model.type).toBe('TextGenerationModel');
    expect(config.model.options).toEqual(JSON.parse(JSON.stringify(model.config)));
    expect(Object.fromEntries(Object.entries(config.model.modules!).map(([name, node]) => [name, node.type]))).toEqual({
      embedding: 'Embedding',
      lstm: 'LSTM',
      linear: 'Linear',
    });
    // batch-first in Python (no parameter differs), 2 layers with dropout between them
    expect(config.model.modules!.lstm!.options).toMatchObject({
      inputSize: 4,
      hiddenSize: 6,
      numLayers: 2,
      dropout: 0.1,
      batchFirst: true,
      projSize: 0,
    });
    const { tensors } = parseSafetensors(fileBytes(file(bundle, 'model.safetensors')!));
    const state = model.stateDict();
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(state).sort());
    for (const [key, t] of Object.entries(state)) expect(tensors[key]!.shape).toEqual(t.shape);
    expect(JSON.parse(textOf(bundle, 'vocab.json'))).toEqual(tokenizer.toJSON());
    expect(textOf(bundle, 'README.md')).toMatch(/torchrun --standalone --nproc_per_node 2 train_ddp\.py/);
  });

  it('writes only the Python classes a model uses', () => {
    const gcn = textOf(exportPytorch(new GCN({ inChannels: 3, outChannels: 2 })), 'model.py');
    expect(gcn).toMatch(/^class GCNConv\(nn\.Module\):/m);
    expect(gcn).toMatch(/^class GNN\(nn\.Module\):/m);
    expect(gcn).not.toMatch(/class GATConv|class TextGenerationModel|torch_geometric/);
    expect(gcn).toMatch(/BUILDERS = \{\n {4}'GNN': build_GNN,\n {4}'ModuleList': build_ModuleList,\n {4}'GCNConv': build_GCNConv,\n\}/);
    const text = textOf(exportPytorch(textModel(), { tokenizer }), 'model.py');
    expect(text).toMatch(/^class TextGenerationModel\(nn\.Module\):/m);
    expect(text).not.toMatch(/class GCNConv|class GNN/);
  });

  it('gives a GAT the options that rebuild it and its layers theirs', () => {
    const gat = new GAT({
      inChannels: 6,
      outChannels: 3,
      hiddenChannels: 4,
      heads: 3,
      outHeads: 2,
      attentionBias: true,
      dropoutPlacement: 'per-head',
    });
    const { spec } = pytorchModule(gat);
    expect(spec.options).toEqual({
      conv: 'gat',
      inChannels: 6,
      hiddenChannels: 4,
      outChannels: 3,
      numLayers: 2,
      dropout: 0.6,
      inputDropout: 0.6,
      act: 'elu',
      dtype: 'float32',
      cached: true,
      heads: 3,
      outHeads: 2,
      attentionDropout: 0.6,
      dropoutPlacement: 'per-head',
      attentionBias: true,
    });
    const convs = spec.modules!.convs!.modules!;
    expect(convs['0']!.options).toMatchObject({
      inChannels: 6,
      outChannels: 4,
      heads: 3,
      concat: true,
      perHeadInputDropout: 0.6,
      featureDropout: 0.6,
    });
    expect(convs['1']!.options).toMatchObject({ inChannels: 12, outChannels: 3, heads: 2, concat: false, attentionBias: true });
  });

  it('names the path, the type and the supported types of a module it cannot export', () => {
    const sage = thrown(() => exportPytorch(new GNN({ conv: 'sage', inChannels: 3, hiddenChannels: 4, outChannels: 2 })));
    expect(sage).toBeInstanceOf(ExportError);
    expect(sage.message).toMatch(
      /the module at 'convs\.0' is a SAGEConv, which the PyTorch exporter does not support \(supported: .*GCNConv, GATConv/,
    );
    const nested = thrown(() =>
      pytorchModule(
        new nn.ModuleList([new nn.Linear({ inFeatures: 2, outFeatures: 2 }), new PeepholeLSTM({ inputSize: 2, hiddenSize: 2 })]),
      ),
    );
    expect(nested.message).toMatch(/the module at '1' is a PeepholeLSTM/);
    const root = thrown(() => exportPytorch(new nn.Linear({ inFeatures: 2, outFeatures: 2 })));
    expect(root).toBeInstanceOf(ExportError);
    expect(root.message).toMatch(/exports a TextGenerationModel or a GNN \(GCN, GAT\), got a Linear; pytorchModule/);
  });

  it('needs the tokenizer of a text model, with as many ids as the model predicts', () => {
    expect(thrown(() => exportPytorch(textModel())).message).toMatch(/needs options\.tokenizer/);
    const other = CharTokenizer.fromText('abc');
    expect(thrown(() => exportPytorch(textModel(), { tokenizer: other })).message).toMatch(
      new RegExp(`predicts ${tokenizer.vocabSize} ids but the tokenizer has 3`),
    );
  });

  it('with pyg uses PyTorch Geometric and refuses what its GATConv cannot compute', () => {
    const gcn = exportPytorch(new GCN({ inChannels: 3, outChannels: 2 }), { pyg: true });
    const modelPy = textOf(gcn, 'model.py');
    expect(modelPy).toMatch(/from torch_geometric\.nn import GCNConv as PyGGCNConv/);
    expect(modelPy).not.toMatch(/^class GCNConv/m);
    expect(configOf(gcn).pyg).toBe(true);
    expect(textOf(gcn, 'README.md')).toMatch(/only checked to compile, not run against PyG/);
    const bias = thrown(() => exportPytorch(new GAT({ inChannels: 3, outChannels: 2, attentionBias: true }), { pyg: true }));
    expect(bias).toBeInstanceOf(ExportError);
    expect(bias.message).toMatch(/the GATConv at 'convs\.0' has attentionBias/);
    const perHead = thrown(() => exportPytorch(new GAT({ inChannels: 3, outChannels: 2, dropoutPlacement: 'per-head' }), { pyg: true }));
    expect(perHead.message).toMatch(/the GATConv at 'convs\.0' drops out per head/);
    expect(configOf(exportPytorch(new GAT({ inChannels: 3, outChannels: 2 }), { pyg: true })).pyg).toBe(true);
  });
});

describe.skipIf(!pythonAvailable())('the generated Python', () => {
  const { dir, cleanup } = tempFolder('py-compile');
  afterAll(cleanup);

  const cases: Array<[string, () => ExportBundle]> = [
    ['a text model', () => exportPytorch(textModel(), { tokenizer })],
    ['a GCN', () => exportPytorch(new GCN({ inChannels: 3, outChannels: 2 }))],
    ['a GAT', () => exportPytorch(new GAT({ inChannels: 3, outChannels: 2, attentionBias: true }))],
    ['a GCN with pyg', () => exportPytorch(new GCN({ inChannels: 3, outChannels: 2 }), { pyg: true })],
    ['a GAT with pyg', () => exportPytorch(new GAT({ inChannels: 3, outChannels: 2, heads: 2 }), { pyg: true })],
  ];
  cases.forEach(([name, build], i) => {
    it(`compiles for ${name} (python3 -m py_compile)`, () => {
      const bundle = build();
      for (const f of bundle.files.filter((f) => f.name.endsWith('.py'))) {
        const path = join(dir, `${i}-${f.name}`);
        writeFileSync(path, fileBytes(f));
        const run = spawnSync(PYTHON, ['-m', 'py_compile', path], { encoding: 'utf8' });
        expect(run.stderr).toBe('');
        expect(run.status).toBe(0);
      }
    });
  });
});

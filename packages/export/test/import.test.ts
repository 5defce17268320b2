/**
 * importPytorch: exported (or PyTorch-trained) weights back into tensorloom, strictly: every
 * missing, unexpected and mis-shaped key is named, and dtype conversions are stated or refused.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, StateDictError, Tensor, parseSafetensors, serializeSafetensors } from '@tensorloom/core-tensor';
import { GAT, GCN, type GNN } from '@tensorloom/gnn';
import { CharTokenizer, TextGenerationModel, saveCheckpoint } from '@tensorloom/textgen';
import { afterAll, describe, expect, it } from 'vitest';
import { ExportError, exportPytorch, fileBytes, importPytorch, type ExportBundle } from '../src/index.js';
import { writeExportFolder } from '../src/node/index.js';
import { randomGraph } from './fixtures/graphs.js';
import {
  maxAbsDifference,
  randomizeParameters,
  readTensors,
  runPython,
  tempFolder,
  torchUnavailable,
  writeTensors,
} from './fixtures/python.js';

const skipReason = torchUnavailable();
if (skipReason !== undefined) console.warn(skipReason);

const TEXT = 'It was the best of times, it was the worst of times.';
const folders: Array<() => void> = [];
afterAll(() => folders.forEach((cleanup) => cleanup()));

function textModel(): { model: TextGenerationModel; tokenizer: CharTokenizer } {
  const tokenizer = CharTokenizer.fromText(TEXT);
  const model = new TextGenerationModel({
    vocabSize: tokenizer.vocabSize,
    embeddingDim: 6,
    hiddenSize: 10,
    numLayers: 2,
    generator: new Generator(3),
  });
  return { model: model.eval(), tokenizer };
}

const text = (bundle: ExportBundle, name: string): string =>
  new TextDecoder().decode(fileBytes(bundle.files.find((f) => f.name === name)!));
const bytes = (bundle: ExportBundle, name: string): Uint8Array => fileBytes(bundle.files.find((f) => f.name === name)!);

/** The bundle's files as importPytorch takes them, the weights replaced by `weights` when given. */
function importOptions(bundle: ExportBundle, weights?: Record<string, Tensor>) {
  const vocab = bundle.kind === 'textgen' ? { vocab: text(bundle, 'vocab.json') } : {};
  return {
    weights: weights === undefined ? bytes(bundle, 'model.safetensors') : serializeSafetensors(weights),
    config: text(bundle, 'config.json'),
    ...vocab,
  };
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

const tokens = (tokenizer: CharTokenizer) => new Tensor(Int32Array.from(tokenizer.encode('the worst of the best')), [3, 7], 'int32');

describe('importPytorch', () => {
  it('brings an exported text model back with its tokenizer, computing the same logits', () => {
    const { model, tokenizer } = textModel();
    const imported = importPytorch(importOptions(exportPytorch(model, { tokenizer })));
    expect(imported.kind).toBe('textgen');
    if (imported.kind !== 'textgen') return;
    expect(imported.tokenizer.chars).toEqual(tokenizer.chars);
    expect(imported.model.config).toEqual(model.config);
    expect(imported.model.training).toBe(false);
    expect(imported.conversions).toEqual([]);
    expect(maxAbsDifference(imported.model.call(tokens(tokenizer)).logits, model.call(tokens(tokenizer)).logits)).toBe(0);
  });

  it('brings an exported GAT back as a GNN with the same options and outputs', () => {
    const model = new GAT({
      inChannels: 4,
      outChannels: 3,
      hiddenChannels: 2,
      heads: 2,
      outHeads: 2,
      attentionBias: true,
      generator: new Generator(1),
    });
    randomizeParameters(model, 2);
    model.eval();
    const imported = importPytorch(importOptions(exportPytorch(model)));
    expect(imported.kind).toBe('gnn');
    const graph = randomGraph({ numNodes: 6, numEdges: 9, features: 4, seed: 3 });
    expect(maxAbsDifference((imported.model as GNN).call(graph.x, graph.edgeIndex), model.call(graph.x, graph.edgeIndex))).toBe(0);
  });

  it("accepts a textgen checkpoint's config.json", async () => {
    const { model, tokenizer } = textModel();
    const { dir, cleanup } = tempFolder('import-checkpoint');
    folders.push(cleanup);
    await saveCheckpoint(join(dir, 'ckpt'), { model, tokenizer, step: 12 });
    const read = (name: string) => readFileSync(join(dir, 'ckpt', name));
    const imported = importPytorch({
      weights: new Uint8Array(read('model.safetensors')),
      config: read('config.json').toString(),
      vocab: read('vocab.json').toString(),
    });
    expect(imported.kind).toBe('textgen');
    expect(imported.config).toMatchObject({ format: 'tensorloom.textgen-checkpoint', step: 12 });
    expect(
      maxAbsDifference((imported.model as TextGenerationModel).call(tokens(tokenizer)).logits, model.call(tokens(tokenizer)).logits),
    ).toBe(0);
  });

  describe('names every key that does not fit (StateDictError)', () => {
    const { model, tokenizer } = textModel();
    const bundle = exportPytorch(model, { tokenizer });
    const state = () => ({ ...model.stateDict() });

    it('a missing key', () => {
      const weights = state();
      delete weights['lstm.bias_hh_l1'];
      const error = thrown(() => importPytorch(importOptions(bundle, weights)));
      expect(error).toBeInstanceOf(StateDictError);
      expect((error as StateDictError).missingKeys).toEqual(['lstm.bias_hh_l1']);
      expect(error.message).toMatch(/missing keys: 'lstm\.bias_hh_l1'/);
    });

    it('an unexpected key', () => {
      const weights = { ...state(), 'lstm.weight_hr_l0': new Tensor(new Float32Array(4), [2, 2], 'float32') };
      const error = thrown(() => importPytorch(importOptions(bundle, weights)));
      expect(error).toBeInstanceOf(StateDictError);
      expect((error as StateDictError).unexpectedKeys).toEqual(['lstm.weight_hr_l0']);
      expect(error.message).toMatch(/unexpected keys: 'lstm\.weight_hr_l0'/);
    });

    it('a mis-shaped key', () => {
      const weights = { ...state(), 'linear.bias': new Tensor(new Float32Array(3), [3], 'float32') };
      const error = thrown(() => importPytorch(importOptions(bundle, weights)));
      expect(error).toBeInstanceOf(StateDictError);
      expect(error.message).toMatch(
        new RegExp(`size mismatch for 'linear\\.bias': the module has \\[${tokenizer.vocabSize}\\], the state dict has \\[3\\]`),
      );
    });

    it('all three at once, one per line', () => {
      const weights: Record<string, Tensor> = {
        ...state(),
        extra: new Tensor(new Float32Array(1), [1], 'float32'),
        'linear.bias': new Tensor(new Float32Array(2), [2], 'float32'),
      };
      delete weights['embedding.weight'];
      const lines = thrown(() => importPytorch(importOptions(bundle, weights))).message.split('\n');
      expect(lines.some((line) => /missing keys: 'embedding\.weight'/.test(line))).toBe(true);
      expect(lines.some((line) => /unexpected keys: 'extra'/.test(line))).toBe(true);
      expect(lines.some((line) => /size mismatch for 'linear\.bias'/.test(line))).toBe(true);
    });
  });

  it('refuses float64 weights for a float32 model, naming them, and converts them with convertDtypes (listed)', () => {
    const model = new GCN({ inChannels: 3, outChannels: 2, hiddenChannels: 4, generator: new Generator(5) }).eval();
    const bundle = exportPytorch(model);
    const doubled = Object.fromEntries(Object.entries(model.stateDict()).map(([key, t]) => [key, t.to('float64')]));
    const error = thrown(() => importPytorch(importOptions(bundle, doubled)));
    expect(error).toBeInstanceOf(ExportError);
    expect(error.message).toMatch(/4 weights are not F32 and would change in the float32 model/);
    expect(error.message).toMatch(/'convs\.0\.bias' \(F64\)/);
    const imported = importPytorch({ ...importOptions(bundle, doubled), convertDtypes: true });
    expect(imported.conversions).toHaveLength(4);
    expect(imported.conversions[0]).toMatchObject({ from: 'F64', to: 'float32', lossy: true });
    const graph = randomGraph({ numNodes: 5, numEdges: 6, features: 3, seed: 1 });
    expect(maxAbsDifference((imported.model as GNN).call(graph.x, graph.edgeIndex), model.call(graph.x, graph.edgeIndex))).toBeLessThan(
      1e-6,
    );
  });

  it('refuses a config whose module tree differs from what its options build, and a text model without its vocabulary', () => {
    const { model, tokenizer } = textModel();
    const bundle = exportPytorch(model, { tokenizer });
    const config = JSON.parse(text(bundle, 'config.json'));
    config.model.modules.lstm.options.hiddenSize = 99;
    const edited = thrown(() => importPytorch({ ...importOptions(bundle), config: JSON.stringify(config) }));
    expect(edited).toBeInstanceOf(ExportError);
    expect(edited.message).toMatch(
      /model\.modules\.lstm\.options\.hiddenSize is 99, but the TextGenerationModel its options describe has 10/,
    );
    const noVocab = thrown(() => importPytorch({ weights: bytes(bundle, 'model.safetensors'), config: text(bundle, 'config.json') }));
    expect(noVocab).toBeInstanceOf(ExportError);
    expect(noVocab.message).toMatch(/needs options\.vocab/);
    const other = thrown(() => importPytorch({ weights: bytes(bundle, 'model.safetensors'), config: '{"format":"something-else"}' }));
    expect(other.message).toMatch(/neither a tensorloom PyTorch export .* nor a textgen checkpoint/);
  });
});

describe.skipIf(skipReason !== undefined)('importPytorch of weights trained by PyTorch', () => {
  /** Exports `bundle`, runs `train` (Python, after `model, config = load('export')`), returns the trained weights and outputs. */
  async function trainInPython(bundle: ExportBundle, inputs: Record<string, Tensor>, train: string) {
    const { dir, cleanup } = tempFolder('import-trained');
    folders.push(cleanup);
    await writeExportFolder(join(dir, 'export'), bundle);
    writeTensors(join(dir, 'inputs.safetensors'), inputs);
    runPython(
      `import sys\nsys.path.insert(0, 'export')\nimport torch\nimport torch.nn.functional as F\n` +
        `from model import load, load_safetensors, save_safetensors\n` +
        `torch.manual_seed(0)\nmodel, config = load('export')\ninputs = load_safetensors('inputs.safetensors')\n${train}`,
      dir,
    );
    return {
      weights: new Uint8Array(readFileSync(join(dir, 'trained.safetensors'))),
      outputs: readTensors(join(dir, 'outputs.safetensors')),
    };
  }

  it("a text model trained a few steps in PyTorch gives PyTorch's logits in tensorloom", async () => {
    const { model, tokenizer } = textModel();
    const bundle = exportPytorch(model, { tokenizer });
    const input = tokens(tokenizer);
    const { weights, outputs } = await trainInPython(
      bundle,
      { tokens: input },
      `from model import CharVocab
vocab = CharVocab.load('export/vocab.json')
ids = torch.tensor(vocab.encode(${JSON.stringify(TEXT)}))
optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
model.train()
for step in range(5):
    offsets = torch.randint(0, ids.numel() - 10, (4,))
    batch = ids[offsets.unsqueeze(1) + torch.arange(11)]
    logits, _ = model(batch[:, :-1])
    loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), batch[:, 1:].reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
model.eval()
save_safetensors(model.state_dict(), 'trained.safetensors')
with torch.no_grad():
    logits, (h, c) = model(inputs['tokens'].long())
save_safetensors({'logits': logits, 'h': h, 'c': c}, 'outputs.safetensors')`,
    );
    const imported = importPytorch({ ...importOptions(bundle), weights });
    const out = (imported.model as TextGenerationModel).call(input);
    expect(maxAbsDifference(out.logits, outputs.logits!)).toBeLessThan(1e-5);
    expect(maxAbsDifference(out.state.h, outputs.h!)).toBeLessThan(1e-5);
    expect(maxAbsDifference(out.state.c, outputs.c!)).toBeLessThan(1e-5);
    // the weights did change in PyTorch
    const before = model.stateDict()['linear.weight']!;
    expect(maxAbsDifference(parseSafetensors(weights).tensors['linear.weight']!, before)).toBeGreaterThan(1e-3);
  });

  it("a GCN trained a few steps in PyTorch gives PyTorch's logits in tensorloom", async () => {
    const model = new GCN({ inChannels: 5, outChannels: 3, hiddenChannels: 8, generator: new Generator(9) }).eval();
    const graph = randomGraph({ numNodes: 10, numEdges: 24, features: 5, seed: 4 });
    const labels = new Tensor(
      Int32Array.from({ length: 10 }, (_, i) => i % 3),
      [10],
      'int32',
    );
    const { weights, outputs } = await trainInPython(
      exportPytorch(model),
      { x: graph.x, edge_index: graph.edgeIndex, labels },
      `optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
model.train()
for step in range(5):
    loss = F.cross_entropy(model(inputs['x'], inputs['edge_index']), inputs['labels'].long())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
model.eval()
save_safetensors(model.state_dict(), 'trained.safetensors')
with torch.no_grad():
    save_safetensors({'logits': model(inputs['x'], inputs['edge_index'])}, 'outputs.safetensors')`,
    );
    const imported = importPytorch({ weights, config: text(exportPytorch(model), 'config.json') });
    expect(maxAbsDifference((imported.model as GNN).call(graph.x, graph.edgeIndex), outputs.logits!)).toBeLessThan(1e-5);
    expect(maxAbsDifference((imported.model as GNN).call(graph.x, graph.edgeIndex), model.call(graph.x, graph.edgeIndex))).toBeGreaterThan(
      1e-3,
    );
  });
});

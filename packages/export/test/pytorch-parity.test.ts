/**
 * The generated model.py, run by PyTorch, computes what tensorloom computes: the text model, GCN
 * and GAT (on graphs with duplicate edges, self-loops and an isolated node), and the plain layers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, Tensor, nn, randn, serializeSafetensors } from '@tensorloom/core-tensor';
import { GAT, GCN } from '@tensorloom/gnn';
import { LSTM } from '@tensorloom/lstm';
import { GRU, RNN } from '@tensorloom/rnn';
import { CharTokenizer, TextGenerationModel } from '@tensorloom/textgen';
import { afterAll, describe, expect, it } from 'vitest';
import { exportPytorch, pytorchModule } from '../src/index.js';
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

const TOLERANCE = 1e-5;
const folders: Array<() => void> = [];
afterAll(() => folders.forEach((cleanup) => cleanup()));

function folder(prefix: string): string {
  const { dir, cleanup } = tempFolder(prefix);
  folders.push(cleanup);
  return dir;
}

/** Python that loads the export in `export/`, runs `body` (inputs in `inputs`, outputs to `outputs`) and saves them. */
const script = (body: string): string => `import sys
sys.path.insert(0, 'export')
import torch
from model import load, load_safetensors, save_safetensors
torch.manual_seed(0)
model, config = load('export')
inputs = load_safetensors('inputs.safetensors')
outputs = {}
with torch.no_grad():
${body
  .trim()
  .split('\n')
  .map((line) => `    ${line}`)
  .join('\n')}
save_safetensors({name: t.contiguous() for name, t in outputs.items()}, 'outputs.safetensors')
`;

describe.skipIf(skipReason !== undefined)('model.py run by PyTorch', () => {
  it('the text model gives tensorloom’s logits and final state, from zeros and from a given state', async () => {
    const tokenizer = CharTokenizer.fromText('the quick brown fox jumps over the lazy dog.');
    const model = new TextGenerationModel({
      vocabSize: tokenizer.vocabSize,
      embeddingDim: 8,
      hiddenSize: 12,
      numLayers: 2,
      dropout: 0.3,
      generator: new Generator(1),
    }).eval();
    const dir = folder('textgen');
    await writeExportFolder(join(dir, 'export'), exportPytorch(model, { tokenizer }));
    const tokens = new Tensor(Int32Array.from(tokenizer.encode('the lazy foxthe quick dog')), [5, 5], 'int32');
    const generator = new Generator(2);
    const state = { h: randn([2, 5, 12], { generator }), c: randn([2, 5, 12], { generator }) };
    writeTensors(join(dir, 'inputs.safetensors'), { tokens, h0: state.h, c0: state.c });
    runPython(
      script(`
logits, (h, c) = model(inputs['tokens'].long())
outputs.update(logits=logits, h=h, c=c)
logits, (h, c) = model(inputs['tokens'].long(), (inputs['h0'], inputs['c0']))
outputs.update(logits_given=logits, h_given=h, c_given=c)`),
      dir,
    );
    const out = readTensors(join(dir, 'outputs.safetensors'));
    const fromZeros = model.call(tokens);
    const fromState = model.call(tokens, state);
    expect(maxAbsDifference(out.logits!, fromZeros.logits)).toBeLessThan(TOLERANCE);
    expect(maxAbsDifference(out.h!, fromZeros.state.h)).toBeLessThan(TOLERANCE);
    expect(maxAbsDifference(out.c!, fromZeros.state.c)).toBeLessThan(TOLERANCE);
    expect(maxAbsDifference(out.logits_given!, fromState.logits)).toBeLessThan(TOLERANCE);
    expect(maxAbsDifference(out.h_given!, fromState.state.h)).toBeLessThan(TOLERANCE);
    expect(maxAbsDifference(out.c_given!, fromState.state.c)).toBeLessThan(TOLERANCE);
    // the state carried on is not the zero state's
    expect(maxAbsDifference(fromZeros.logits, fromState.logits)).toBeGreaterThan(1e-3);
  });

  const graphCases = [
    {
      name: 'GCN (3 layers)',
      build: () => new GCN({ inChannels: 5, hiddenChannels: 6, outChannels: 3, numLayers: 3, cached: false, generator: new Generator(3) }),
    },
    {
      name: 'GAT with attentionBias, 3 concatenated heads then 2 averaged output heads',
      build: () =>
        new GAT({
          inChannels: 5,
          hiddenChannels: 4,
          heads: 3,
          outHeads: 2,
          outChannels: 3,
          attentionBias: true,
          cached: false,
          generator: new Generator(4),
        }),
    },
    {
      // cached (GAT's default): both sides keep the first graph's edges for the second call
      name: "GAT with the authors' per-head dropout placement, cached",
      build: () =>
        new GAT({ inChannels: 5, hiddenChannels: 4, heads: 2, outChannels: 3, dropoutPlacement: 'per-head', generator: new Generator(5) }),
    },
    {
      name: 'a float64 GCN of 1 layer',
      build: () => new GCN({ inChannels: 5, outChannels: 3, numLayers: 1, cached: false, dtype: 'float64', generator: new Generator(6) }),
    },
  ];

  for (const { name, build } of graphCases) {
    it(`${name} gives tensorloom’s logits on graphs with duplicate edges, self-loops and an isolated node`, async () => {
      const model = build();
      randomizeParameters(model, 11);
      model.eval();
      const dir = folder('gnn');
      await writeExportFolder(join(dir, 'export'), exportPytorch(model));
      const dtype = model.parameters()[0]!.dtype as 'float32' | 'float64';
      const graphs = [0, 1].map((seed) => randomGraph({ numNodes: 9, numEdges: 20, features: 5, seed }));
      graphs.forEach((graph) => (graph.x = graph.x.to(dtype)));
      const inputs: Record<string, Tensor> = {};
      graphs.forEach((graph, i) => Object.assign(inputs, { [`x${i}`]: graph.x, [`edge_index${i}`]: graph.edgeIndex }));
      writeTensors(join(dir, 'inputs.safetensors'), inputs);
      runPython(
        script(`
for i in range(${graphs.length}):
    outputs[f'logits{i}'] = model(inputs[f'x{i}'], inputs[f'edge_index{i}'])`),
        dir,
      );
      const out = readTensors(join(dir, 'outputs.safetensors'));
      graphs.forEach((graph, i) => {
        const expected = model.call(graph.x, graph.edgeIndex);
        expect(out[`logits${i}`]!.dtype).toBe(dtype);
        expect(maxAbsDifference(out[`logits${i}`]!, expected)).toBeLessThan(TOLERANCE);
      });
    });
  }

  it('Sequential, activations, RNN, GRU and LSTM map to torch.nn with their options', () => {
    const generator = new Generator(6);
    // a ModuleList holds layers of any signature: [mlp, rnn, gru, lstm]
    const tree = new nn.ModuleList<nn.AnyModule>([
      new nn.Sequential(
        new nn.Linear({ inFeatures: 4, outFeatures: 6, generator }),
        new nn.GELU({ approximate: 'tanh' }),
        new nn.LeakyReLU({ negativeSlope: 0.1 }),
        new nn.ELU({ alpha: 0.5 }),
        new nn.Softplus({ beta: 2 }),
        new nn.Dropout({ p: 0.2 }),
        new nn.Linear({ inFeatures: 6, outFeatures: 4, bias: false, generator }),
      ),
      new RNN({ inputSize: 4, hiddenSize: 5, numLayers: 2, nonlinearity: 'relu', bidirectional: true, batchFirst: true, generator }),
      new GRU({ inputSize: 4, hiddenSize: 3, numLayers: 2, dropout: 0.2, generator }),
      new LSTM({ inputSize: 4, hiddenSize: 6, projSize: 3, bidirectional: true, generator }),
    ]).eval();
    const { spec, modelPy } = pytorchModule(tree);
    const dir = folder('leaves');
    const exportDir = join(dir, 'export');
    mkdirSync(exportDir);
    writeFileSync(join(exportDir, 'model.py'), modelPy);
    writeFileSync(
      join(exportDir, 'config.json'),
      JSON.stringify({ format: 'tensorloom.pytorch-export', version: 1, dtype: 'float32', model: spec }),
    );
    writeFileSync(join(exportDir, 'model.safetensors'), serializeSafetensors(tree.stateDict()));
    const x = randn([2, 3, 4], { generator });
    writeTensors(join(dir, 'inputs.safetensors'), { x });
    runPython(
      script(`
x = inputs['x']
mlp, rnn, gru, lstm = model
outputs['mlp'] = mlp(x)
outputs['rnn'], outputs['rnn_h'] = rnn(x)
outputs['gru'], outputs['gru_h'] = gru(x)
outputs['lstm'], (outputs['lstm_h'], outputs['lstm_c']) = lstm(x)`),
      dir,
    );
    const out = readTensors(join(dir, 'outputs.safetensors'));
    const [mlp, rnn, gru, lstm] = [...tree];
    const rnnOut = (rnn as RNN).call(x);
    const gruOut = (gru as GRU).call(x);
    const lstmOut = (lstm as LSTM).call(x);
    expect(maxAbsDifference(out.mlp!, (mlp as nn.Sequential).call(x))).toBeLessThan(TOLERANCE);
    expect(maxAbsDifference(out.rnn!, rnnOut.output)).toBeLessThan(TOLERANCE);
    expect(maxAbsDifference(out.rnn_h!, rnnOut.state.h)).toBeLessThan(TOLERANCE);
    expect(maxAbsDifference(out.gru!, gruOut.output)).toBeLessThan(TOLERANCE);
    expect(maxAbsDifference(out.gru_h!, gruOut.state.h)).toBeLessThan(TOLERANCE);
    expect(maxAbsDifference(out.lstm!, lstmOut.output)).toBeLessThan(TOLERANCE);
    expect(maxAbsDifference(out.lstm_h!, lstmOut.state.h)).toBeLessThan(TOLERANCE);
    expect(maxAbsDifference(out.lstm_c!, lstmOut.state.c)).toBeLessThan(TOLERANCE);
  });
});

/** The `README.md` of an ONNX export: what the model takes and gives, and how to run it with ONNX Runtime. */
import type { OnnxTensorSpec } from './signatures.js';

/** What the README describes. */
export interface OnnxReadmeInfo {
  readonly kind: 'textgen' | 'gnn';
  readonly model: string;
  readonly inputs: readonly OnnxTensorSpec[];
  readonly outputs: readonly OnnxTensorSpec[];
  readonly opset: number;
}

const table = (specs: readonly OnnxTensorSpec[]): string =>
  [
    '| name | dtype | shape | |',
    '| --- | --- | --- | --- |',
    ...specs.map((s) => `| \`${s.name}\` | ${s.dtype} | [${s.shape.join(', ')}] | ${s.description} |`),
  ].join('\n');

const TEXTGEN_PYTHON = `\`\`\`python
import json
import numpy as np
import onnxruntime as ort

config = json.load(open("config.json"))
session = ort.InferenceSession("model.onnx")
vocab = config["vocabulary"]  # present when the export was given the tokenizer
offset = 1 if vocab["unknown"] == "token" else 0  # id 0 is <unk> then
ids = {ch: i + offset for i, ch in enumerate(vocab["chars"])}
dtype = np.float32 if config["dtype"] == "float32" else np.float64
layers, hidden = config["config"]["numLayers"], config["config"]["hiddenSize"]

def encode(text):
    text = text.lower() if vocab["lowercase"] else text
    return np.array([[ids[ch] for ch in text]], dtype=np.int64)  # [batch 1, time]

# A whole prompt in one call, from the zero state; hn, cn carry on from its last step.
h = np.zeros((layers, 1, hidden), dtype)
c = np.zeros((layers, 1, hidden), dtype)
logits, h, c = session.run(None, {"tokens": encode("The "), "h0": h, "c0": c})

# Then one character per call (time 1), feeding the state back.
rng = np.random.default_rng(0)
text = []
for _ in range(200):
    scores = logits[0, -1] / 0.8  # temperature
    p = np.exp(scores - scores.max())
    token = rng.choice(len(p), p=p / p.sum())
    text.append(vocab["chars"][token - offset] if token >= offset else "\\ufffd")
    logits, h, c = session.run(None, {"tokens": np.array([[token]], np.int64), "h0": h, "c0": c})
print("".join(text))
\`\`\``;

const TEXTGEN_NODE = `\`\`\`js
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';

const config = JSON.parse(readFileSync('config.json', 'utf8'));
const session = await ort.InferenceSession.create('model.onnx');
const { numLayers, hiddenSize, vocabSize } = config.config;
const Float = config.dtype === 'float32' ? Float32Array : Float64Array;
const type = config.dtype;
const state = () => new ort.Tensor(type, new Float(numLayers * hiddenSize), [numLayers, 1, hiddenSize]);

let h = state();
let c = state();
let token = 1n; // an id of the vocabulary (config.vocabulary.chars, shifted by one when unknown is 'token')
const ids = [];
for (let step = 0; step < 100; step++) {
  const tokens = new ort.Tensor('int64', BigInt64Array.from([token]), [1, 1]);
  const out = await session.run({ tokens, h0: h, c0: c });
  ({ hn: h, cn: c } = out); // carry the state to the next step
  const logits = out.logits.data; // [1, 1, vocabSize]
  let best = 0;
  for (let v = 1; v < vocabSize; v++) if (logits[v] > logits[best]) best = v;
  token = BigInt(best); // greedy; sample from softmax(logits) for variety
  ids.push(best);
}
console.log(ids);
\`\`\``;

const GNN_PYTHON = `\`\`\`python
import json
import numpy as np
import onnxruntime as ort

config = json.load(open("config.json"))
session = ort.InferenceSession("model.onnx")
dtype = np.float32 if config["dtype"] == "float32" else np.float64
num_nodes, in_channels = 5, config["config"]["inChannels"]
x = np.random.default_rng(0).standard_normal((num_nodes, in_channels)).astype(dtype)
edge_index = np.array([[0, 1, 1, 2, 3], [1, 0, 2, 1, 4]], dtype=np.int64)  # row 0 sources, row 1 targets
(logits,) = session.run(None, {"x": x, "edge_index": edge_index})
print(logits.argmax(axis=1))  # the predicted class of every node
\`\`\``;

const GNN_NODE = `\`\`\`js
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';

const config = JSON.parse(readFileSync('config.json', 'utf8'));
const session = await ort.InferenceSession.create('model.onnx');
const numNodes = 3;
const { inChannels } = config.config;
const Float = config.dtype === 'float32' ? Float32Array : Float64Array;
const x = new ort.Tensor(config.dtype, Float.from({ length: numNodes * inChannels }, () => Math.random()), [numNodes, inChannels]);
const edgeIndex = new ort.Tensor('int64', BigInt64Array.from([0n, 1n, 2n, 1n, 2n, 0n]), [2, 3]); // 0→1, 1→2, 2→0
const { logits } = await session.run({ x, edge_index: edgeIndex });
console.log(logits.dims, logits.data);
\`\`\``;

/** The README text. */
export function onnxReadme(info: OnnxReadmeInfo): string {
  const textgen = info.kind === 'textgen';
  const intro = textgen
    ? 'A character-level language model (embedding → stacked LSTM → linear). The recurrent state goes in and comes out: ' +
      'feed `hn` and `cn` back as `h0` and `c0` to continue where a call stopped; a call with time 1 steps one character.'
    : 'A graph neural network for node classification. It takes the graph as an edge list and computes the normalisation ' +
      '(self-loops, degrees, attention) itself, so it runs on any graph, of any size.';
  return [
    `# ${info.model} as ONNX`,
    '',
    `Exported by \`@tensorloom/export\` (opset ${info.opset}), with inference semantics (no dropout). ${intro}`,
    'The weights are stored under their tensorloom (PyTorch state-dict) names; `config.json` lists the inputs and outputs.',
    '',
    '## Inputs',
    '',
    table(info.inputs),
    '',
    '## Outputs',
    '',
    table(info.outputs),
    '',
    '## Python (`pip install onnxruntime numpy`)',
    '',
    textgen ? TEXTGEN_PYTHON : GNN_PYTHON,
    '',
    '## Node (`npm install onnxruntime-node`)',
    '',
    textgen ? TEXTGEN_NODE : GNN_NODE,
    '',
  ].join('\n');
}

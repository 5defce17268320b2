/** The README.md of a PyTorch export: what each file is, and how to load, run and train the model. */

export interface ReadmeFacts {
  kind: 'textgen' | 'gnn';
  /** The root module's type (`TextGenerationModel`, `GCN`, `GAT`, `GNN`). */
  typeName: string;
  pyg: boolean;
  dtype: string;
  parameterCount: number;
  /** The GNN's dropout placement ('layer-input' or 'per-head'). */
  dropoutPlacement?: string;
}

const TEXTGEN_USAGE = `## Load and run

\`\`\`python
import torch
from model import load, CharVocab, generate

model, config = load('.')                 # eval mode; model.train() to train
vocab = CharVocab.load('vocab.json')
tokens = torch.tensor([vocab.encode('Call me Ishmael')])
logits, (h, c) = model(tokens)            # logits [1, T, V]; h, c [L, 1, H]
logits, state = model(tokens, (h, c))     # carry the state on
print(generate(model, vocab, 'Call me ', length=80, temperature=0.8))
\`\`\`

## Train on several processes (DistributedDataParallel)

\`\`\`sh
torchrun --standalone --nproc_per_node 2 train_ddp.py --corpus book.txt --steps 2000 --out run/latest \\
  [--batch 64] [--seq 30] [--lr 0.002] [--clip 5] [--checkpoint-every 500] [--seed 0] [--resume [DIR]] [--overwrite]
\`\`\`

(Debian 12's python3-torch 1.13 runs on Python 3.11, where torchrun cannot parse its own default
\`--redirects 0\`; add \`--redirects 1 --tee 1\` there: each rank's output goes to a log file and is
shown, prefixed with the rank.)

Each process trains on its own random windows of \`seq + 1\` characters (seed + rank), as tensorloom's
Trainer does (teacher forcing, mean cross-entropy, global-norm clipping, Adam); DDP averages the
gradients. The backend is gloo on CPU and nccl with CUDA. Rank 0 prints the loss and writes \`--out\`
as a tensorloom textgen checkpoint folder (atomically), which \`loadCheckpoint\` from
\`@tensorloom/textgen\` (and the tensorloom CLI) reads: weights, vocabulary and config
(\`hasTrainerState\` false: tensorloom's Trainer cannot resume it), and \`ddp_state.pt\`: Adam's state,
the run's step and every process's generators. \`--resume\` (of \`--out\`, or \`--resume DIR\`) goes on
from there exactly, to the same \`--steps\`, with the same number of processes, so one command line
serves the first launch and every restart after a pre-empted job. A \`--out\` that already holds a
checkpoint is refused without \`--resume\` or \`--overwrite\`. \`config.json\`'s \`step\` is the export's
step (its \`metadata.step\`) plus the run's. The corpus must use only the characters of \`vocab.json\`.

## Back to tensorloom

\`\`\`ts
import { importPytorch } from '@tensorloom/export';
const { model, tokenizer } = importPytorch({ weights, config, vocab }); // bytes of model.safetensors, text of config.json and vocab.json
\`\`\`
`;

function gnnUsage(facts: ReadmeFacts): string {
  const notes = [
    '- `x` is `[N, F]` float, `edge_index` `[2, E]` integers (row 0 sources, row 1 targets); the output is `[N, C]` logits.',
    "- Duplicate edges are all kept (each adds its message); self-loops: GCNConv keeps one of a node's loops (the last, with " +
      'its weight) and adds one to every other node, GATConv replaces them by one per node, as in tensorloom.',
    '- `cached` layers keep the edges of their first call for every later one (one fixed graph), as in tensorloom.',
  ];
  if (facts.dropoutPlacement === 'per-head')
    notes.push(
      "- Dropout is 'per-head' (the GAT authors' placement): inside each GATConv, a mask per head on the input and " +
        'one on the features the attention weighs, in training mode.',
    );
  else notes.push("- Dropout is 'layer-input': one mask on each layer's input, in training mode.");
  if (facts.pyg)
    notes.push(
      "- The graph layers are PyTorch Geometric's `GCNConv`/`GATConv` (`pip install torch_geometric`). This variant was only " +
        'checked to compile, not run against PyG. PyG < 2.5 names the GATConv weight `lin_src`/`lin_dst`: `load` renames it.',
    );
  return `## Load and run

\`\`\`python
import torch
from model import load, load_safetensors

model, config = load('.')                 # eval mode; model.train() to train
logits = model(x, edge_index)             # x [N, F] float, edge_index [2, E] int64
\`\`\`

${notes.join('\n')}

## Back to tensorloom

\`\`\`ts
import { importPytorch } from '@tensorloom/export';
const { model } = importPytorch({ weights, config }); // bytes of model.safetensors, text of config.json
\`\`\`
`;
}

/** The README of an export. */
export function pytorchReadme(facts: ReadmeFacts): string {
  const textgen = facts.kind === 'textgen';
  const files = [
    '| `model.py` | the model as a `torch.nn.Module` (only the classes it uses), `load`, `build_model`, a safetensors reader and writer |',
    '| `config.json` | the model: its module tree (`model`), dtype, metadata; `build_model(config["model"])` builds it |',
    "| `model.safetensors` | the weights, under PyTorch's names (`load_state_dict(strict=True)` takes them) |",
    ...(textgen
      ? [
          "| `vocab.json` | the characters, in id order (tensorloom's CharTokenizer); `CharVocab` in `model.py` reads it |",
          '| `train_ddp.py` | continues training with DistributedDataParallel (torchrun) and writes tensorloom checkpoints |',
        ]
      : []),
  ];
  return `# A tensorloom ${facts.typeName} for PyTorch

Exported by \`@tensorloom/export\`: ${facts.parameterCount.toLocaleString('en-US')} parameters (${facts.dtype}). Needs only
\`torch\` (1.13 or later)${facts.pyg ? ' and PyTorch Geometric' : ''}. The module computes what tensorloom's does, and reads and writes the
same weights file.

| file | what it is |
| --- | --- |
${files.join('\n')}

${textgen ? TEXTGEN_USAGE : gnnUsage(facts)}`;
}

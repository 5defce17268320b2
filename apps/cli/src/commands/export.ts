/**
 * `tensorloom export pytorch|onnx`: a textgen checkpoint as a PyTorch module (with a
 * DistributedDataParallel training script) or as an ONNX model, and `tensorloom import pytorch`:
 * PyTorch weights back into a textgen checkpoint.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  ONNX_DEFAULT_OPSET,
  ONNX_MAX_OPSET,
  ONNX_MIN_OPSET,
  exportOnnx,
  exportPytorch,
  importPytorch,
  type ExportBundle,
} from '@tensorloom/export';
import { writeExportFolder } from '@tensorloom/export/node';
import { saveCheckpoint, type TextGenerationModel } from '@tensorloom/textgen';
import { UsageError, stringOption, type Command, type CommandContext, type OptionValues } from '../cli.js';
import { refuseNonFiniteCheckpoint } from '../non-finite.js';
import { checkWholeOutputFolder } from '../output-paths.js';
import { int } from '../settings.js';
import { grouped, loadCheckpointFlag } from './textgen-common.js';

const CHECKPOINT_OPTION = {
  type: 'string',
  description: "A textgen checkpoint directory, or a run folder (its 'latest').",
  valueName: 'DIR',
} as const;
const OVERWRITE_OPTION = { type: 'boolean', description: 'Replace --out when it exists and is not empty (refused otherwise).' } as const;

/** The flags every export takes: where from, where to. */
function exportPaths(values: OptionValues, format: string): { checkpoint: string; out: string; overwrite: boolean } {
  const checkpoint = stringOption(values, 'checkpoint');
  if (checkpoint === undefined)
    throw new UsageError(`--checkpoint is required: the textgen checkpoint (or run folder) to export to ${format}`);
  const out = stringOption(values, 'out');
  if (out === undefined) throw new UsageError('--out is required: the folder to write the export into');
  const overwrite = values.overwrite === true;
  checkWholeOutputFolder(out, 'out', overwrite);
  return { checkpoint, out, overwrite };
}

/** Writes `bundle` as `out`, lists its files, and returns the JSON part of the result. */
export async function writeBundle(
  bundle: ExportBundle,
  out: string,
  overwrite: boolean,
  ctx: CommandContext,
): Promise<{ out: string; files: { name: string; bytes: number; description: string }[] }> {
  const paths = await writeExportFolder(out, bundle, { overwrite });
  const files = bundle.files.map((file) => ({
    name: file.name,
    bytes: typeof file.contents === 'string' ? Buffer.byteLength(file.contents) : file.contents.byteLength,
    description: file.description,
  }));
  const width = Math.max(...files.map((f) => f.name.length)) + 2;
  ctx.print(`wrote ${out}:`);
  for (const file of files) ctx.print(`  ${file.name.padEnd(width)}${grouped(file.bytes).padStart(11)} B  ${file.description}`);
  return { out: dirname(paths[0]!) === '.' ? out : dirname(paths[0]!), files };
}

export const exportPytorchCommand: Command = {
  path: ['export', 'pytorch'],
  summary: 'Export a textgen checkpoint as a PyTorch module: model.py, safetensors weights, config.json, vocab.json, train_ddp.py.',
  details: [
    'model.py is a plain torch.nn.Module mirroring the model (nn.Embedding, nn.LSTM, nn.Linear) with a load(folder) that',
    "needs only torch; the weights keep their names (PyTorch's state_dict names). train_ddp.py continues training on a",
    'corpus with DistributedDataParallel (gloo on CPU, NCCL on GPUs):',
    '  torchrun --nproc_per_node 2 OUT/train_ddp.py --corpus book.txt --steps 1000 --out run',
    'and writes checkpoints that tensorloom textgen sample --checkpoint run reads. Graph models: gnn train --export.',
  ].join('\n'),
  options: {
    checkpoint: CHECKPOINT_OPTION,
    out: { type: 'string', description: 'The folder to write (created; refused when not empty unless --overwrite).', valueName: 'DIR' },
    overwrite: OVERWRITE_OPTION,
  },
  async run(values, ctx) {
    const { checkpoint: dir, out, overwrite } = exportPaths(values, 'PyTorch');
    const checkpoint = await loadCheckpointFlag(dir, 'checkpoint', ctx.log);
    refuseNonFiniteCheckpoint('export pytorch', checkpoint);
    const bundle = exportPytorch(checkpoint.model, {
      tokenizer: checkpoint.tokenizer,
      metadata: { exportedFrom: checkpoint.dir, step: checkpoint.step },
    });
    const written = await writeBundle(bundle, out, overwrite, ctx);
    ctx.print(
      `load it:      python3 -c "import sys; sys.path.insert(0, '${out}'); from model import load; model, config = load('${out}')"`,
    );
    ctx.print(
      `train on it:  torchrun --nproc_per_node 2 ${join(out, 'train_ddp.py')} --corpus FILE --steps 1000 --out RUN/latest --resume`,
    );
    ctx.print('              (Debian 12, torch 1.13: add --redirects 1 --tee 1 after torchrun; its default fails on Python 3.11)');
    return { format: 'pytorch', kind: bundle.kind, checkpoint: checkpoint.dir, step: checkpoint.step, ...written };
  },
};

export const exportOnnxCommand: Command = {
  path: ['export', 'onnx'],
  summary: 'Export a textgen checkpoint as an ONNX model (state in and out, to step it for sampling) for ONNX Runtime.',
  details: [
    'Inputs: tokens int64 [batch, time], h0 and c0 [layers, batch, hidden]; outputs: logits [batch, time, vocab], hn, cn.',
    'Feed hn and cn back as h0 and c0 to go on from where a call stopped (time 1 steps one character). config.json holds',
    "the vocabulary and the inputs' and outputs' names and shapes. Graph models: gnn train --export.",
  ].join('\n'),
  options: {
    checkpoint: CHECKPOINT_OPTION,
    out: { type: 'string', description: 'The folder to write (created; refused when not empty unless --overwrite).', valueName: 'DIR' },
    opset: {
      type: 'string',
      description: `The ONNX opset, ${ONNX_MIN_OPSET} to ${ONNX_MAX_OPSET} (ScatterND's max reduction needs 18).`,
      valueName: 'N',
      default: String(ONNX_DEFAULT_OPSET),
    },
    overwrite: OVERWRITE_OPTION,
  },
  async run(values, ctx) {
    const opset = int({ min: ONNX_MIN_OPSET, max: ONNX_MAX_OPSET })(stringOption(values, 'opset') ?? String(ONNX_DEFAULT_OPSET), 'opset');
    const { checkpoint: dir, out, overwrite } = exportPaths(values, 'ONNX');
    const checkpoint = await loadCheckpointFlag(dir, 'checkpoint', ctx.log);
    refuseNonFiniteCheckpoint('export onnx', checkpoint);
    const bundle = exportOnnx(checkpoint.model, { opset, tokenizer: checkpoint.tokenizer });
    const written = await writeBundle(bundle, out, overwrite, ctx);
    return { format: 'onnx', opset, kind: bundle.kind, checkpoint: checkpoint.dir, step: checkpoint.step, ...written };
  },
};

/** A file a flag names, read whole; a missing one is a usage error naming the flag. */
function readFlagFile(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`--${flag} ${path}: no such file`);
    if (code === 'EISDIR') throw new UsageError(`--${flag} ${path}: is a folder, not a file`);
    throw error;
  }
}

export const importPytorchCommand: Command = {
  path: ['import', 'pytorch'],
  summary: 'Bring PyTorch weights (safetensors) of an exported text model back as a tensorloom textgen checkpoint.',
  details: [
    "--config is the export's config.json (or a textgen checkpoint's, such as train_ddp.py writes); the model it",
    'describes must take the weights exactly: missing, unexpected and mis-shaped keys are listed and nothing is written.',
    'In PyTorch: save_safetensors(model.state_dict(), "weights.safetensors") with the helper in model.py.',
  ].join('\n'),
  options: {
    weights: { type: 'string', description: 'The state dict as safetensors.', valueName: 'FILE' },
    config: { type: 'string', description: "The model's config.json (default: config.json beside --weights).", valueName: 'FILE' },
    vocab: { type: 'string', description: 'The vocabulary (default: vocab.json beside --config).', valueName: 'FILE' },
    out: { type: 'string', description: 'The checkpoint folder to write.', valueName: 'DIR' },
    overwrite: OVERWRITE_OPTION,
  },
  async run(values, ctx) {
    const weightsPath = stringOption(values, 'weights');
    if (weightsPath === undefined) throw new UsageError('--weights is required: the PyTorch state dict as a .safetensors file');
    const out = stringOption(values, 'out');
    if (out === undefined) throw new UsageError('--out is required: the textgen checkpoint folder to write');
    const overwrite = values.overwrite === true;
    checkWholeOutputFolder(out, 'out', overwrite);
    const configPath = stringOption(values, 'config') ?? join(dirname(weightsPath), 'config.json');
    const vocabPath = stringOption(values, 'vocab') ?? join(dirname(configPath), 'vocab.json');
    const weights = readFlagFile(weightsPath, 'weights');
    const config = readFlagFile(configPath, values.config === undefined ? 'config (beside --weights)' : 'config').toString('utf8');
    let vocab: string | undefined;
    try {
      vocab = readFileSync(vocabPath, 'utf8');
    } catch {
      vocab = undefined;
    }
    const imported = importPytorch({ weights: new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength), config, vocab });
    if (imported.kind !== 'textgen' || imported.tokenizer === undefined) {
      throw new UsageError(
        `--config ${configPath}: describes a ${imported.kind} model; the CLI imports text models (a graph model loads with ` +
          "importPytorch of @tensorloom/export, or runs from its export's model.py)",
      );
    }
    const model = imported.model as TextGenerationModel;
    await saveCheckpoint(out, {
      model,
      tokenizer: imported.tokenizer,
      metadata: { importedFrom: { weights: weightsPath, config: configPath } },
    });
    const parameters = model.numParameters();
    ctx.print(`wrote ${out}: ${grouped(parameters)} parameters, vocabulary ${imported.tokenizer.vocabSize}; sample it with`);
    ctx.print(`  tensorloom textgen sample --checkpoint ${out}`);
    return { out, weights: weightsPath, config: configPath, parameters, vocabSize: imported.tokenizer.vocabSize };
  },
};

export const exportCommands: readonly Command[] = [exportPytorchCommand, exportOnnxCommand, importPytorchCommand];

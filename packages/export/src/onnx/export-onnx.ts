/**
 * `exportOnnx`: a tensorloom model as an ONNX model for ONNX Runtime (`model.onnx`, `config.json`,
 * `README.md`), written by a walk of the module tree (see `handler.ts`).
 */
import { isFloatDType, type FloatDType, type nn } from '@tensorloom/core-tensor';
import type { CharTokenizer } from '@tensorloom/textgen';
import { ExportError } from '../errors.js';
import type { ExportBundle } from '../files.js';
import { OnnxGraphBuilder } from './graph-builder.js';
import { emitModule, supportedTypes, type OnnxHandler } from './handler.js';
import { BASIC_HANDLERS } from './handlers-basic.js';
import { GRAPH_HANDLERS } from './handlers-graph.js';
import { RECURRENT_HANDLERS } from './handlers-recurrent.js';
import { encodeModel } from './proto.js';
import { onnxReadme } from './readme.js';
import { ONNX_MODEL_KINDS, type OnnxModelKind, type OnnxTensorSpec } from './signatures.js';

/** The opset written by default. */
export const ONNX_DEFAULT_OPSET = 18;
/** The lowest opset the exporter writes: `ScatterND`'s reduction 'max' (segment softmax, max aggregation) needs 18. */
export const ONNX_MIN_OPSET = 18;
/** The highest opset the exporter writes (the operators it uses are unchanged up to it). */
export const ONNX_MAX_OPSET = 22;
/** `config.json`'s `format`. */
export const ONNX_EXPORT_FORMAT = 'tensorloom.onnx-export';
/** `config.json`'s `version` (and the ONNX file's `producer_version` unless given). */
export const ONNX_EXPORT_VERSION = 1;

/** The handlers of every module the exporter writes, most specific class first. */
export const ONNX_HANDLERS: readonly OnnxHandler[] = [...RECURRENT_HANDLERS, ...GRAPH_HANDLERS, ...BASIC_HANDLERS];

/** Options of {@link exportOnnx} and {@link onnxModelBytes}. */
export interface OnnxExportOptions {
  /** The ONNX opset, 18 … 22. Default 18. */
  opset?: number;
  /** A text model's tokenizer: its vocabulary goes into `config.json` (and the ONNX file's metadata). */
  tokenizer?: CharTokenizer;
  /** Anything JSON-safe to record in `config.json` (`metadata`) and the ONNX file (`tensorloom.metadata`). */
  metadata?: Record<string, unknown>;
  /** The ONNX file's `producer_version`. Default: the export format version ('1'). */
  producerVersion?: string;
}

/** What one export is: the kind, the signature and the ONNX bytes. */
interface OnnxExport {
  readonly kind: OnnxModelKind;
  readonly opset: number;
  readonly irVersion: number;
  readonly dtype: FloatDType;
  readonly inputs: OnnxTensorSpec[];
  readonly outputs: OnnxTensorSpec[];
  readonly initializers: string[];
  readonly operators: string[];
  readonly bytes: Uint8Array;
}

/**
 * The bytes of `model.onnx` for `model` (see {@link exportOnnx}): a `ModelProto` with IR version 8
 * (opset 18) or 9 (opsets 19, 20) or 10 (21, 22), producer 'tensorloom'.
 *
 * @example
 * const session = await ort.InferenceSession.create(onnxModelBytes(model));   // onnxruntime-node
 */
export function onnxModelBytes(model: nn.AnyModule, options: OnnxExportOptions = {}): Uint8Array {
  return build(model, options).bytes;
}

/**
 * Exports `model` for ONNX Runtime as three files: `model.onnx`, `config.json` (the model's
 * config, the inputs' and outputs' names, dtypes and symbolic shapes, the opset, and a text
 * model's vocabulary when `tokenizer` is given) and a `README.md` showing how to run it from
 * Python (`onnxruntime`) and Node (`onnxruntime-node`).
 *
 * - `TextGenerationModel` → inputs `tokens` int64 `[batch, time]`, `h0`, `c0` `[L, batch, H]`;
 *   outputs `logits` `[batch, time, V]`, `hn`, `cn` `[L, batch, H]` (feed them back as h0, c0 to go
 *   on; time 1 steps one character). One ONNX `LSTM` per layer (float32), or a `Scan` of the
 *   cell's step (float64: ONNX Runtime's LSTM kernel is float32-only).
 * - `GNN` (`GCN`, `GAT`; any of its convolutions) → inputs `x` `[num_nodes, F]`, `edge_index`
 *   int64 `[2, num_edges]`; output `logits` `[num_nodes, C]`. The graph normalisation (self-loops,
 *   degrees, attention softmax) is computed in the ONNX graph from `edge_index`, sparsely, so the
 *   model runs on any graph, whatever a `cached` layer holds.
 *
 * Inference semantics (no dropout), whatever `model.training` is. Weights are initializers under
 * their state-dict names (`lin.weight`, `lstm.weight_ih_l0`). A module no handler writes is an
 * `ExportError` naming its path, its type and the supported types; an opset outside 18 … 22 too.
 *
 * @example
 * const bundle = exportOnnx(model, { tokenizer });
 * await writeExportFolder('out/onnx', bundle);   // from '@tensorloom/export/node'
 */
export function exportOnnx(model: nn.AnyModule, options: OnnxExportOptions = {}): ExportBundle {
  const exported = build(model, options);
  const { kind } = exported;
  const config: Record<string, unknown> = {
    format: ONNX_EXPORT_FORMAT,
    version: ONNX_EXPORT_VERSION,
    kind: kind.kind,
    model: model.typeName,
    config: kind.config(model),
    dtype: exported.dtype,
    opset: exported.opset,
    irVersion: exported.irVersion,
    inputs: exported.inputs,
    outputs: exported.outputs,
    ...(options.tokenizer === undefined ? {} : { vocabulary: options.tokenizer.toJSON() }),
    initializers: exported.initializers,
    operators: exported.operators,
    ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
  };
  return {
    kind: kind.kind,
    files: [
      { name: 'model.onnx', contents: exported.bytes, description: `the ONNX model (opset ${exported.opset}) for ONNX Runtime` },
      {
        name: 'config.json',
        contents: `${JSON.stringify(config, null, 2)}\n`,
        description: 'the model config, the inputs and outputs (names, dtypes, shapes)' + (options.tokenizer ? ' and the vocabulary' : ''),
      },
      {
        name: 'README.md',
        contents: onnxReadme({
          kind: kind.kind,
          model: model.typeName,
          inputs: exported.inputs,
          outputs: exported.outputs,
          opset: exported.opset,
        }),
        description: 'how to run it with onnxruntime (Python) and onnxruntime-node',
      },
    ],
  };
}

function build(model: nn.AnyModule, options: OnnxExportOptions): OnnxExport {
  const opset = options.opset ?? ONNX_DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < ONNX_MIN_OPSET || opset > ONNX_MAX_OPSET) {
    throw new ExportError(
      `exportOnnx: opset must be an integer in ${ONNX_MIN_OPSET} … ${ONNX_MAX_OPSET} ` +
        `(ScatterND's reduction 'max' needs ${ONNX_MIN_OPSET}), got ${String(opset)}`,
    );
  }
  const kind = ONNX_MODEL_KINDS.find((k) => k.matches(model));
  if (kind === undefined) {
    throw new ExportError(
      `exportOnnx: cannot export the model itself, a ${model.typeName}: ` +
        `the ONNX exporter takes ${ONNX_MODEL_KINDS.map((k) => k.type).join(' or ')} (and their subclasses) as a whole ` +
        `(modules inside them: ${supportedTypes(ONNX_HANDLERS).join(', ')})`,
    );
  }
  const dtype = modelDType(model);
  if (options.tokenizer !== undefined && kind.kind === 'textgen') {
    const vocabSize = (kind.config(model) as { vocabSize: number }).vocabSize;
    if (options.tokenizer.vocabSize !== vocabSize) {
      throw new ExportError(`exportOnnx: the tokenizer has ${options.tokenizer.vocabSize} ids but the model's vocabSize is ${vocabSize}`);
    }
  }
  const graph = new OnnxGraphBuilder(dtype);
  const inputs = kind.inputs(model, dtype);
  const outputs = kind.outputs(model, dtype);
  const inputNames = inputs.map((spec) => graph.input(spec.name, spec.dtype, spec.shape, spec.description));
  const results = emitModule(graph, ONNX_HANDLERS, model, '', inputNames);
  outputs.forEach((spec, i) => graph.output(results[i]!, spec.name, spec.dtype, spec.shape, spec.description));
  const irVersion = opset <= 18 ? 8 : opset <= 20 ? 9 : 10;
  const metadata: Record<string, string> = {
    'tensorloom.kind': kind.kind,
    'tensorloom.model': model.typeName,
    'tensorloom.config': JSON.stringify(kind.config(model)),
  };
  if (options.tokenizer !== undefined) metadata['tensorloom.vocabulary'] = JSON.stringify(options.tokenizer.toJSON());
  if (options.metadata !== undefined) metadata['tensorloom.metadata'] = JSON.stringify(options.metadata);
  const bytes = encodeModel({
    irVersion,
    opsetVersion: opset,
    producerName: 'tensorloom',
    producerVersion: options.producerVersion ?? String(ONNX_EXPORT_VERSION),
    docString: `${model.typeName} (${kind.kind}) exported by @tensorloom/export; inference semantics (no dropout).`,
    graph: graph.build(`tensorloom_${kind.kind}`),
    metadata,
  });
  return {
    kind,
    opset,
    irVersion,
    dtype,
    inputs,
    outputs,
    initializers: graph.initializerNames.filter((n) => !n.startsWith('const/')),
    operators: graph.operators,
    bytes,
  };
}

/** The one float dtype of the model's parameters and buffers (an ExportError when they mix). */
function modelDType(model: nn.AnyModule): FloatDType {
  const dtypes = new Set<string>();
  for (const [, tensor] of [...model.namedParameters(), ...model.namedBuffers()]) dtypes.add(tensor.dtype);
  const floats = [...dtypes].filter((d): d is FloatDType => isFloatDType(d as FloatDType));
  if (floats.length !== 1) {
    throw new ExportError(
      `exportOnnx: expected the parameters of one float dtype, got ${floats.length === 0 ? 'none' : floats.join(' and ')} ` +
        "(convert the model with model.to('float32') first)",
    );
  }
  return floats[0]!;
}

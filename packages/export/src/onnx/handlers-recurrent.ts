/**
 * ONNX handlers of the recurrent models: `@tensorloom/lstm`'s `LSTM` as ONNX's `LSTM` operator
 * (one per layer), and `@tensorloom/textgen`'s `TextGenerationModel` (embedding → LSTM → linear).
 */
import { LSTM } from '@tensorloom/lstm';
import { TextGenerationModel } from '@tensorloom/textgen';
import { ExportError } from '../errors.js';
import { scalarTensor } from './graph-ops.js';
import { handlerFor } from './handlers-basic.js';
import { emitScanLstm } from './lstm-scan.js';
import type { OnnxEmitContext, OnnxHandler } from './handler.js';

/**
 * The rows of a packed `[4H, …]` weight in ONNX's gate order i, o, f, c, taken from tensorloom's
 * (PyTorch's) i, f, g, o: blocks 0, 3, 1, 2.
 */
function gateOrder(hiddenSize: number): number[] {
  const rows: number[] = [];
  for (const block of [0, 3, 1, 2]) for (let r = 0; r < hiddenSize; r++) rows.push(block * hiddenSize + r);
  return rows;
}

/**
 * `LSTM` on inputs `[x, h0, c0]` (x `[T, B, I]`, or `[B, T, I]` with batchFirst; h0 and c0
 * `[L·D, B, H]`, or '' for zeros) → `[output, hn, cn]`, one ONNX `LSTM` node per layer (layout 0,
 * direction 'forward' or 'bidirectional'). The weights stay in the file under their state-dict names
 * in PyTorch's gate order; a `Gather` of their rows feeds ONNX's order (i, o, f, c) to the
 * operator, and `B` is `[b_ih ‖ b_hh]`. A float64 LSTM is written as a `Scan` of the cell's step
 * instead (`lstm-scan.ts`): ONNX Runtime's LSTM kernel is float32-only. Dropout between layers
 * applies in training only, so none is written. Projections (`projSize`) have no ONNX
 * counterpart: an ExportError.
 */
function emitLstm(module: LSTM, inputs: readonly string[], context: OnnxEmitContext): string[] {
  if (module.projSize > 0) {
    throw new ExportError(
      `onnx: cannot export '${context.path || 'the model itself'}', an LSTM with projSize ${module.projSize}: ` +
        "ONNX's LSTM operator has no projection of h (export an LSTM with projSize 0)",
    );
  }
  const [input, h0 = '', c0 = ''] = inputs;
  const { numLayers } = module;
  let x = module.batchFirst ? context.op('Transpose', [input!], { hint: 'input_time_major', attributes: { perm: [1, 0, 2] } }) : input!;
  const finalH: string[] = [];
  const finalC: string[] = [];
  for (let layer = 0; layer < numLayers; layer++) {
    // float64: ONNX Runtime's LSTM kernel is float32-only, so the step runs in a Scan.
    const result =
      context.graph.floatType === 'float64' ? scanLayer(module, context, layer, x, h0, c0) : lstmOpLayer(module, context, layer, x, h0, c0);
    x = result.output;
    finalH.push(...result.h);
    finalC.push(...result.c);
  }
  const output = module.batchFirst ? context.op('Transpose', [x], { hint: 'output_batch_major', attributes: { perm: [1, 0, 2] } }) : x;
  return [output, stack(context, finalH, 'hn'), stack(context, finalC, 'cn')];
}

/** One layer's result: its output `[T, B, D·H]` and final h, c per direction (`[D, B, H]` pieces, stacked by the caller). */
interface LayerResult {
  output: string;
  h: string[];
  c: string[];
}

const stack = (context: OnnxEmitContext, parts: string[], hint: string): string =>
  parts.length === 1 ? parts[0]! : context.op('Concat', parts, { hint, attributes: { axis: 0 } });

/** Layer `layer` as one ONNX `LSTM` node (float32): weights reordered to i, o, f, c, state sliced from h0, c0. */
function lstmOpLayer(module: LSTM, context: OnnxEmitContext, layer: number, x: string, h0: string, c0: string): LayerResult {
  const { hiddenSize, numDirections: directions, hasBias } = module;
  const { graph } = context;
  const order = graph.ints(`lstm_gate_rows_${hiddenSize}`, gateOrder(hiddenSize));
  const axis0 = graph.ints('axes_0', [0]);
  const reordered = (name: string, hint: string): string => {
    const rows = context.op('Gather', [context.tensor(name), order], { hint, attributes: { axis: 0 } });
    return context.op('Unsqueeze', [rows, axis0], { hint });
  };
  const names = (base: string) => Array.from({ length: directions }, (_, d) => module.paramName(base, layer, d));
  const w = stack(
    context,
    names('weight_ih').map((n) => reordered(n, `W_l${layer}`)),
    `W_l${layer}`,
  );
  const r = stack(
    context,
    names('weight_hh').map((n) => reordered(n, `R_l${layer}`)),
    `R_l${layer}`,
  );
  let b = '';
  if (hasBias) {
    const hh = names('bias_hh');
    const perDirection = names('bias_ih').map((n, d) =>
      context.op('Concat', [reordered(n, `B_l${layer}`), reordered(hh[d]!, `B_l${layer}`)], {
        hint: `B_l${layer}`,
        attributes: { axis: 1 },
      }),
    );
    b = stack(context, perDirection, `B_l${layer}`);
  }
  const slice = (state: string, hint: string): string => {
    if (state === '') return '';
    const starts = graph.ints(`start_${layer * directions}`, [layer * directions]);
    const ends = graph.ints(`end_${(layer + 1) * directions}`, [(layer + 1) * directions]);
    return context.op('Slice', [state, starts, ends, axis0], { hint });
  };
  const lstmInputs = [x, w, r, b, '', slice(h0, `h0_l${layer}`), slice(c0, `c0_l${layer}`)];
  while (lstmInputs.at(-1) === '') lstmInputs.pop();
  const [y, yH, yC] = context.ops('LSTM', lstmInputs, 3, {
    hint: `lstm_l${layer}`,
    attributes: { hidden_size: hiddenSize, direction: directions === 2 ? 'bidirectional' : 'forward', layout: 0 },
  });
  // Y is [T, D, B, H]: the next layer reads [T, B, D·H].
  if (directions === 1)
    return { output: context.op('Squeeze', [y!, graph.ints('axes_1', [1])], { hint: `output_l${layer}` }), h: [yH!], c: [yC!] };
  const perm = context.op('Transpose', [y!], { hint: `output_l${layer}`, attributes: { perm: [0, 2, 1, 3] } });
  return {
    output: context.op('Reshape', [perm, graph.ints('shape_0_0_m1', [0, 0, -1])], { hint: `output_l${layer}` }),
    h: [yH!],
    c: [yC!],
  };
}

/** Layer `layer` as a `Scan` per direction (float64; see `emitScanLstm`). */
function scanLayer(module: LSTM, context: OnnxEmitContext, layer: number, x: string, h0: string, c0: string): LayerResult {
  const { hiddenSize, numDirections: directions, hasBias } = module;
  const { graph } = context;
  const axis0 = graph.ints('axes_0', [0]);
  const initial = (state: string, index: number, hint: string): string => {
    if (state !== '')
      return context.op('Gather', [state, graph.constant(`state_${index}`, [index], 'int64', [])], { hint, attributes: { axis: 0 } });
    const batch = context.op('Shape', [x], { hint: 'batch_size', attributes: { start: 1, end: 2 } });
    const shape = context.op('Concat', [batch, graph.ints(`size_${hiddenSize}`, [hiddenSize])], {
      hint: 'state_shape',
      attributes: { axis: 0 },
    });
    return context.op('ConstantOfShape', [shape], { hint, attributes: { value: scalarTensor(0, graph.floatType) } });
  };
  const outputs: string[] = [];
  const h: string[] = [];
  const c: string[] = [];
  for (let d = 0; d < directions; d++) {
    const tag = `l${layer}${d === 1 ? '_reverse' : ''}`;
    const index = layer * directions + d;
    const name = (base: string) => module.paramName(base, layer, d);
    const result = emitScanLstm(context, {
      x,
      h0: initial(h0, index, `h0_${tag}`),
      c0: initial(c0, index, `c0_${tag}`),
      weightIh: context.tensor(name('weight_ih')),
      weightHh: context.tensor(name('weight_hh')),
      biasIh: hasBias ? context.tensor(name('bias_ih')) : null,
      biasHh: hasBias ? context.tensor(name('bias_hh')) : null,
      hiddenSize,
      reverse: d === 1,
      tag,
    });
    outputs.push(result.y);
    h.push(context.op('Unsqueeze', [result.h, axis0], { hint: `hn_${tag}` }));
    c.push(context.op('Unsqueeze', [result.c, axis0], { hint: `cn_${tag}` }));
  }
  const output = outputs.length === 1 ? outputs[0]! : context.op('Concat', outputs, { hint: `output_l${layer}`, attributes: { axis: 2 } });
  return { output, h, c };
}

/**
 * `TextGenerationModel` on `[tokens, h0, c0]` (tokens int64 `[B, T]`) → `[logits, hn, cn]`
 * (logits `[B, T, V]`): the embedding of the time-major tokens, the LSTM, and the linear layer
 * on the batch-major output. Dropout applies in training only, so none is written.
 */
function emitTextGeneration(_module: TextGenerationModel, inputs: readonly string[], context: OnnxEmitContext): string[] {
  const [tokens, h0, c0] = inputs;
  const timeMajor = context.op('Transpose', [tokens!], { hint: 'tokens_time_major', attributes: { perm: [1, 0] } });
  const [embedded] = context.child('embedding', [timeMajor]);
  const [output, hn, cn] = context.child('lstm', [embedded!, h0 ?? '', c0 ?? '']);
  const batchMajor = context.op('Transpose', [output!], { hint: 'lstm_output_batch_major', attributes: { perm: [1, 0, 2] } });
  const [logits] = context.child('linear', [batchMajor]);
  return [logits!, hn!, cn!];
}

/** The handlers of the recurrent modules. */
export const RECURRENT_HANDLERS: readonly OnnxHandler[] = [handlerFor(LSTM, emitLstm), handlerFor(TextGenerationModel, emitTextGeneration)];

/**
 * One LSTM layer-direction as a `Scan` over time whose body is the cell's step, for float64 models:
 * ONNX Runtime's `LSTM` kernel runs float32 only ("LSTM operator does not support double yet"),
 * while its MatMul, Sigmoid, Tanh and Scan run float64. The weights keep PyTorch's gate order
 * (i, f, g, o), read from the outer graph.
 */
import type { OnnxAttributeInput } from './graph-builder.js';
import type { OnnxEmitContext } from './handler.js';

/** What one layer-direction reads: the outer graph's values. */
export interface ScanLstmInputs {
  /** `[T, B, I]`. */
  readonly x: string;
  /** `[B, H]` initial h and c. */
  readonly h0: string;
  readonly c0: string;
  /** State-dict names of `weight_ih`, `weight_hh`, and `bias_ih`, `bias_hh` (null without bias). */
  readonly weightIh: string;
  readonly weightHh: string;
  readonly biasIh: string | null;
  readonly biasHh: string | null;
  readonly hiddenSize: number;
  readonly reverse: boolean;
  /** Names the nodes (`l0`, `l0_reverse`). */
  readonly tag: string;
}

/**
 * ```
 * gates_t = x_t·W_ihᵀ + b_ih + b_hh + h_{t−1}·W_hhᵀ           (x·W_ihᵀ for every t at once, before the Scan)
 * i, f, g, o = split(gates_t, 4)
 * c_t = σ(f) ⊙ c_{t−1} + σ(i) ⊙ tanh(g);   h_t = σ(o) ⊙ tanh(c_t)
 * ```
 * Returns the outputs `[T, B, H]` (in input order also when `reverse`) and the final h, c `[B, H]`.
 */
export function emitScanLstm(context: OnnxEmitContext, inputs: ScanLstmInputs): { y: string; h: string; c: string } {
  const { graph } = context;
  const { hiddenSize: H, tag } = inputs;
  const type = graph.floatType;
  const transposed = (weight: string, hint: string): string => context.op('Transpose', [weight], { hint, attributes: { perm: [1, 0] } });
  let projected = context.op('MatMul', [inputs.x, transposed(inputs.weightIh, `W_ih_t_${tag}`)], { hint: `x_proj_${tag}` });
  if (inputs.biasIh !== null && inputs.biasHh !== null) {
    const bias = context.op('Add', [inputs.biasIh, inputs.biasHh], { hint: `bias_${tag}` });
    projected = context.op('Add', [projected, bias], { hint: `x_proj_${tag}` });
  }
  const recurrent = transposed(inputs.weightHh, `W_hh_t_${tag}`);

  const body = graph.subgraph();
  const scope = `${context.path}/scan_${tag}`;
  const op = (opType: string, opInputs: string[], hint: string, attributes = {}): string[] =>
    body.node(opType, opInputs, { scope, hint, attributes, outputs: opType === 'Split' ? 4 : 1 });
  const hPrev = body.freshInput(`${scope}/h_prev`, type, ['batch', H]);
  const cPrev = body.freshInput(`${scope}/c_prev`, type, ['batch', H]);
  const xt = body.freshInput(`${scope}/x_proj_t`, type, ['batch', 4 * H]);
  const gates = op('Add', [xt, op('MatMul', [hPrev, recurrent], 'h_proj')[0]!], 'gates')[0]!;
  const [i, f, g, o] = op('Split', [gates], 'gate', { axis: 1, num_outputs: 4 });
  const sigmoid = (v: string, hint: string): string => op('Sigmoid', [v], hint)[0]!;
  const tanh = (v: string, hint: string): string => op('Tanh', [v], hint)[0]!;
  const kept = op('Mul', [sigmoid(f!, 'forget'), cPrev], 'c_kept')[0]!;
  const written = op('Mul', [sigmoid(i!, 'input'), tanh(g!, 'candidate')], 'c_written')[0]!;
  const c = op('Add', [kept, written], 'c')[0]!;
  const h = op('Mul', [sigmoid(o!, 'output'), tanh(c, 'c_tanh')], 'h')[0]!;
  body.output(h, h, type, ['batch', H]);
  body.output(c, c, type, ['batch', H]);
  body.freshOutput(h, 'y_t', type, ['batch', H]);

  const directions: Record<string, OnnxAttributeInput> = inputs.reverse ? { scan_input_directions: [1], scan_output_directions: [1] } : {};
  const [hT, cT, y] = context.ops('Scan', [inputs.h0, inputs.c0, projected], 3, {
    hint: `scan_${tag}`,
    attributes: { body: { type: 'graph', value: body.build(`lstm_step_${tag}`) }, num_scan_inputs: 1, ...directions },
  });
  return { y: y!, h: hT!, c: cT! };
}

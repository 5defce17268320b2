/**
 * ONNX handlers of core-tensor's layers: `nn.Linear` (and gnn's `GraphLinear`), `nn.Embedding`,
 * the activations, `nn.Sequential`, and `nn.Dropout`/`nn.Identity` (identities at inference).
 */
import { nn } from '@tensorloom/core-tensor';
import { GraphLinear } from '@tensorloom/gnn';
import { floatAttribute } from './graph-builder.js';
import type { OnnxEmitContext, OnnxHandler } from './handler.js';

/** A handler for the modules of class `type` (matched with `instanceof`). */
export function handlerFor<M extends nn.AnyModule>(
  type: abstract new (...args: never[]) => M,
  emit: (module: M, inputs: readonly string[], context: OnnxEmitContext) => string[],
): OnnxHandler<M> {
  return { type: type.name, matches: (module): module is M => module instanceof type, emit };
}

/** `y = x·Wᵀ + b` with the module's `weight` `[out, in]` and `bias` `[out]` (when it has one); x of any rank. */
export function emitLinear(context: OnnxEmitContext, x: string): string {
  const weightT = context.op('Transpose', [context.tensor('weight')], { hint: 'weight_t', attributes: { perm: [1, 0] } });
  const product = context.op('MatMul', [x, weightT]);
  return context.has('bias') ? context.op('Add', [product, context.tensor('bias')]) : product;
}

/** The activations a `GNN` applies between its layers, by name. */
export type ActivationName = 'relu' | 'elu' | 'tanh' | 'identity';

/** `act(x)` for one of the `GNN` activations. */
export function emitActivation(context: OnnxEmitContext, name: ActivationName, x: string): string {
  switch (name) {
    case 'relu':
      return context.op('Relu', [x]);
    case 'elu':
      return emitElu(context, 1, x);
    case 'tanh':
      return context.op('Tanh', [x]);
    case 'identity':
      return x;
  }
}

/**
 * Whether `value` as a FLOAT attribute (float32) loses nothing for this graph: always in a float32
 * graph; in a float64 graph only when float32 holds it exactly (else the composite ops are used).
 */
function attributeExact(context: OnnxEmitContext, value: number): boolean {
  return context.graph.floatType === 'float32' || Math.fround(value) === value;
}

/** LeakyReLU `x > 0 ? x : slope·x` (ONNX's LeakyRelu, or Where/Mul when its float32 alpha would round the slope). */
export function emitLeakyRelu(context: OnnxEmitContext, slope: number, x: string, hint = 'LeakyRelu'): string {
  if (attributeExact(context, slope)) return context.op('LeakyRelu', [x], { hint, attributes: { alpha: floatAttribute(slope) } });
  const negative = context.op('Less', [x, context.graph.scalar('zero', 0)], { hint: `${hint}_negative` });
  return context.op('Where', [negative, context.op('Mul', [x, context.graph.scalar('slope', slope)], { hint: `${hint}_scaled` }), x], {
    hint,
  });
}

/** ELU `x > 0 ? x : alpha·(eˣ − 1)` (ONNX's Elu, or its formula when the float32 alpha would round). */
function emitElu(context: OnnxEmitContext, alpha: number, x: string): string {
  if (attributeExact(context, alpha)) return context.op('Elu', [x], { attributes: { alpha: floatAttribute(alpha) } });
  const { graph } = context;
  const below = context.op('Mul', [context.op('Sub', [context.op('Exp', [x]), graph.scalar('one', 1)]), graph.scalar('elu_alpha', alpha)]);
  return context.op('Where', [context.op('Greater', [x, graph.scalar('zero', 0)]), x, below], { hint: 'Elu' });
}

/** GELU: exact `x·(1 + erf(x/√2))/2`, or the tanh approximation. */
function emitGelu(context: OnnxEmitContext, approximate: 'none' | 'tanh', x: string): string {
  const { graph } = context;
  const half = context.op('Mul', [x, graph.scalar('half', 0.5)]);
  let inner: string;
  if (approximate === 'none') {
    inner = context.op('Erf', [context.op('Mul', [x, graph.scalar('inv_sqrt2', Math.SQRT1_2)])]);
  } else {
    const cube = context.op('Mul', [context.op('Mul', [x, x]), x]);
    const poly = context.op('Add', [x, context.op('Mul', [cube, graph.scalar('gelu_cubic', 0.044715)])]);
    inner = context.op('Tanh', [context.op('Mul', [poly, graph.scalar('sqrt_2_over_pi', Math.sqrt(2 / Math.PI))])]);
  }
  return context.op('Mul', [half, context.op('Add', [inner, graph.scalar('one', 1)])]);
}

/** Softplus with tensorloom's `beta` and `threshold`: x where βx > threshold, else log(1 + e^{βx})/β. */
function emitSoftplus(context: OnnxEmitContext, beta: number, threshold: number, x: string): string {
  const { graph } = context;
  const z = beta === 1 ? x : context.op('Mul', [x, graph.scalar('beta', beta)]);
  const smooth = context.op('Softplus', [z]);
  const scaled = beta === 1 ? smooth : context.op('Div', [smooth, graph.scalar('beta', beta)]);
  const linearPart = context.op('Greater', [z, graph.scalar('threshold', threshold)]);
  return context.op('Where', [linearPart, x, scaled]);
}

const one = (f: (context: OnnxEmitContext, x: string) => string) => (_: unknown, inputs: readonly string[], context: OnnxEmitContext) => [
  f(context, inputs[0]!),
];

/** The handlers of core-tensor's layers (and gnn's `GraphLinear`). */
export const BASIC_HANDLERS: readonly OnnxHandler[] = [
  handlerFor(nn.Linear, one(emitLinear)),
  handlerFor(GraphLinear, one(emitLinear)),
  handlerFor(
    nn.Embedding,
    one((context, indices) => context.op('Gather', [context.tensor('weight'), indices], { attributes: { axis: 0 } })),
  ),
  handlerFor(nn.Sequential, (module, inputs, context) => {
    let x = inputs[0]!;
    for (const [name] of module.namedChildren()) x = context.child(name, [x])[0]!;
    return [x];
  }),
  handlerFor(nn.Dropout, (_, inputs) => [inputs[0]!]),
  handlerFor(nn.Identity, (_, inputs) => [inputs[0]!]),
  handlerFor(
    nn.ReLU,
    one((context, x) => context.op('Relu', [x])),
  ),
  handlerFor(
    nn.Tanh,
    one((context, x) => context.op('Tanh', [x])),
  ),
  handlerFor(
    nn.Sigmoid,
    one((context, x) => context.op('Sigmoid', [x])),
  ),
  handlerFor(
    nn.SiLU,
    one((context, x) => context.op('Mul', [x, context.op('Sigmoid', [x])])),
  ),
  handlerFor(nn.GELU, (module, inputs, context) => [emitGelu(context, module.approximate, inputs[0]!)]),
  handlerFor(nn.LeakyReLU, (module, inputs, context) => [emitLeakyRelu(context, module.negativeSlope, inputs[0]!)]),
  handlerFor(nn.ELU, (module, inputs, context) => [emitElu(context, module.alpha, inputs[0]!)]),
  handlerFor(nn.Softplus, (module, inputs, context) => [emitSoftplus(context, module.beta, module.threshold, inputs[0]!)]),
  handlerFor(nn.Softmax, (module, inputs, context) => [context.op('Softmax', [inputs[0]!], { attributes: { axis: module.dim } })]),
  handlerFor(nn.LogSoftmax, (module, inputs, context) => [context.op('LogSoftmax', [inputs[0]!], { attributes: { axis: module.dim } })]),
];
